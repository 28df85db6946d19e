/* quebec_theme: the small map of a dataset's GeoJSON extent (.quebec-extent-map, its GeoJSON in the
   next <script type="application/json">), drawn with quebec_viz's Leaflet. It is a picture for the
   eye (aria-hidden): the territories and bounds in words follow it. No control, nothing to focus;
   when the tiles cannot load, the shape stays on the plain background. */
(function () {
  "use strict";

  function draw(container) {
    var data = container.nextElementSibling;
    if (!window.L || !data || !data.classList.contains("quebec-extent-geojson")) { return; }
    var map = window.L.map(container, {
      attributionControl: false, zoomControl: false, dragging: false, keyboard: false,
      scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, touchZoom: false
    });
    if (container.dataset.tiles) {
      window.L.tileLayer(container.dataset.tiles, {maxZoom: 19}).addTo(map);
    }
    var shape = window.L.geoJSON(JSON.parse(data.textContent), {
      style: function () { return {color: "#095797", weight: 2, fillOpacity: 0.2}; },
      pointToLayer: function (_feature, latlng) {
        return window.L.circleMarker(latlng, {radius: 6, color: "#095797", fillOpacity: 0.8});
      }
    }).addTo(map);
    map.fitBounds(shape.getBounds(), {padding: [10, 10], maxZoom: 12});
    container.dataset.drawn = "true";
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".quebec-extent-map"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
