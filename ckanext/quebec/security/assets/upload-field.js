/* The buttons of CKAN's resource upload field
 * (package/snippets/resource_upload_field.html): quebec_security's override
 * drops their inline onclick handlers, which the Content-Security-Policy
 * (script-src 'self') forbids; the same steps run here on click. */
(function ($) {
  "use strict";

  function byId(id) { return document.getElementById(id); }
  function check(id) { var box = byId(id); if (box) { box.checked = true; } }
  function focus(id) { var field = byId(id); if (field) { field.focus(); } }
  function focusFirstButton() {
    focus(byId("resource-upload-button") ? "resource-upload-button" : "resource-link-button");
  }

  var steps = {
    upload: function () {
      check("resource-url-upload");
      var input = byId("field-resource-upload");
      if (input) { input.click(); }
    },
    link: function () { check("resource-url-link"); focus("field-resource-url"); },
    clearUpload: function () { check("field-clear-upload"); focus("field-resource-upload"); },
    removeFile: function () {
      check("resource-url-none");
      focusFirstButton();
      var input = $("#field-resource-upload");
      input.replaceWith(input.val("").clone(true));
    },
    removeUrl: function () {
      check("resource-url-none");
      focusFirstButton();
      $("#field-resource-url").val("");
    }
  };

  function stepsOf(button) {
    if (button.id === "resource-upload-button") { return steps.upload; }
    if (button.id === "resource-link-button") { return steps.link; }
    var box = button.closest(".upload-type");
    var before = box && box.previousElementSibling;
    if (before && before.id === "field-clear-upload") { return steps.clearUpload; }
    if (box && box.querySelector("#field-resource-upload")) { return steps.removeFile; }
    return steps.removeUrl;
  }

  var buttons = "#resource-upload-button, #resource-link-button, .btn-remove-url";
  document.querySelectorAll(".resource-upload-field").forEach(function (field) {
    field.querySelectorAll(buttons).forEach(function (button) {
      button.addEventListener("click", stepsOf(button));
    });
  });
})(window.jQuery);
