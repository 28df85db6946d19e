/* quebec_viz: the table, chart and map views. Each <section data-quebec-viz> carries its settings
   (labels in the visitor's language included) in a <script type="application/json">; the data
   comes from the portal's API (quebec_viz_rows, quebec_viz_chart_data, quebec_viz_features).
   Progress is written to the section's data-state (loading, ready, error) for tests and styles. */
(function () {
  "use strict";

  var PAGE = 100;
  // Québec blue and a palette whose every colour has at least 3:1 contrast on white.
  var COLOURS = ["#095797", "#b3261e", "#1b7a3a", "#6b3fa0", "#a35200", "#006d77", "#8a1c62",
                 "#4a4a4a", "#2f5d8a", "#7a5c00"];

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_match, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
  }

  function api(settings, action, params) {
    var query = Object.keys(params).filter(function (key) {
      return params[key] !== undefined && params[key] !== null && params[key] !== "";
    }).map(function (key) {
      return encodeURIComponent(key) + "=" + encodeURIComponent(params[key]);
    }).join("&");
    return fetch(settings.api + "/" + action + "?" + query, {credentials: "same-origin"})
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok || !body.success) { throw new Error(action + ": " + response.status); }
          return body.result;
        });
      });
  }

  function text(value) {
    if (value === null || value === undefined) { return ""; }
    if (typeof value === "number") {
      return value.toLocaleString(document.documentElement.lang || undefined, {maximumFractionDigits: 6});
    }
    return String(value);
  }

  function element(tag, content, attributes) {
    var node = document.createElement(tag);
    if (content !== undefined && content !== null) { node.textContent = content; }
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    return node;
  }

  function fail(section, settings, error) {
    section.dataset.state = "error";
    var status = section.querySelector(".quebec-viz-status, .quebec-viz-summary");
    if (status) { status.textContent = settings.labels.error; }
    if (window.console) { console.warn("quebec_viz", error); }
  }

  /* -- table ---------------------------------------------------------------------------- */

  function table(section, settings) {
    var state = {offset: 0, sort: null, order: "asc", q: ""};
    var body = section.querySelector(".quebec-viz-rows tbody");
    var status = section.querySelector(".quebec-viz-status");
    var previous = section.querySelector(".quebec-viz-previous");
    var next = section.querySelector(".quebec-viz-next");
    var filter = section.querySelector(".quebec-viz-filter");
    var headers = Array.prototype.slice.call(section.querySelectorAll("th[data-column]"));
    var timer = null;

    function load() {
      section.dataset.state = "loading";
      status.textContent = settings.labels.loading;
      return api(settings, "quebec_viz_rows", {
        resource_id: settings.resourceId, offset: state.offset, limit: PAGE,
        sort: state.sort, order: state.order, q: state.q
      }).then(function (result) {
        body.textContent = "";
        result.rows.forEach(function (row) {
          var tr = document.createElement("tr");
          tr.appendChild(element("th", text(row[0]), {scope: "row", "class": "quebec-viz-rownum"}));
          // cells as in the file: no rounding, no thousands separators (years, codes)
          row.slice(1).forEach(function (value) {
            tr.appendChild(element("td", value === null || value === undefined ? "" : String(value)));
          });
          body.appendChild(tr);
        });
        status.textContent = result.total ? format(settings.labels.page, {
          first: result.offset + 1, last: result.offset + result.rows.length, total: result.total
        }) : settings.labels.noRows;
        previous.disabled = result.offset === 0;
        next.disabled = result.offset + result.rows.length >= result.total;
        section.dataset.state = "ready";
        section.dataset.rows = String(result.rows.length);
      }).catch(function (error) { fail(section, settings, error); });
    }

    headers.forEach(function (header) {
      var button = header.querySelector("button");
      button.setAttribute("aria-label", format(settings.labels.sortBy, {column: header.dataset.column}));
      button.addEventListener("click", function () {
        var column = header.dataset.column;
        state.order = state.sort === column && state.order === "asc" ? "desc" : "asc";
        state.sort = column;
        state.offset = 0;
        headers.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        header.setAttribute("aria-sort", state.order === "asc" ? "ascending" : "descending");
        load();
      });
    });
    previous.addEventListener("click", function () { state.offset = Math.max(0, state.offset - PAGE); load(); });
    next.addEventListener("click", function () { state.offset += PAGE; load(); });
    filter.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { state.q = filter.value; state.offset = 0; load(); }, 250);
    });
    load();
  }

  /* -- chart ---------------------------------------------------------------------------- */

  function chart(section, settings) {
    var canvas = section.querySelector("canvas");
    if (!canvas || !settings.chart || !window.Chart) { section.dataset.state = "ready"; return; }
    var chosen = settings.chart;
    var labels = settings.labels;
    var summary = section.querySelector(".quebec-viz-summary");
    var dataTable = section.querySelector(".quebec-viz-chart-data table");
    section.dataset.state = "loading";
    api(settings, "quebec_viz_chart_data", {
      resource_id: settings.resourceId, chart_type: chosen.chart_type, x_column: chosen.x_column,
      y_column: chosen.y_column, aggregate: chosen.aggregate
    }).then(function (result) {
      var drawn = result.settings;
      var measure = drawn.y_column ? format(labels[drawn.aggregate === "count" ? "count" : drawn.aggregate] || "%(column)s",
                                            {column: drawn.y_column}) : labels.count;
      var head = dataTable.querySelectorAll("thead th");
      head[0].textContent = drawn.x_column;
      head[1].textContent = drawn.chart_type === "scatter" ? drawn.y_column : measure;
      var rows = drawn.chart_type === "scatter" ? result.points :
        result.labels.map(function (label, index) { return [label, result.values[index]]; });
      rows.forEach(function (pair) {
        var tr = document.createElement("tr");
        tr.appendChild(element("th", text(pair[0]), {scope: "row"}));
        tr.appendChild(element("td", text(pair[1])));
        dataTable.querySelector("tbody").appendChild(tr);
      });
      var numbers = rows.map(function (pair) { return pair[1]; }).filter(function (v) { return typeof v === "number"; });
      summary.textContent = drawn.chart_type === "scatter" ?
        format(labels.chartScatterSummary, {x: drawn.x_column, y: drawn.y_column, count: rows.length}) :
        format(labels.chartSummary, {
          type: labels[drawn.chart_type], x: drawn.x_column, y: measure, count: rows.length,
          min: numbers.length ? text(Math.min.apply(null, numbers)) : "",
          max: numbers.length ? text(Math.max.apply(null, numbers)) : ""
        }) + (result.truncated ? " " + labels.truncated : "");
      var round = drawn.chart_type === "pie" || drawn.chart_type === "doughnut";
      var dataset = drawn.chart_type === "scatter" ?
        {label: drawn.y_column, data: result.points.map(function (p) { return {x: p[0], y: p[1]}; }),
         backgroundColor: COLOURS[0]} :
        {label: measure, data: result.values,
         backgroundColor: round ? result.values.map(function (_v, i) { return COLOURS[i % COLOURS.length]; }) : COLOURS[0],
         borderColor: COLOURS[0], borderWidth: round ? 1 : 2, pointRadius: 2};
      var instance = new window.Chart(canvas, {
        type: drawn.chart_type,
        data: drawn.chart_type === "scatter" ? {datasets: [dataset]} :
          {labels: result.labels.map(text), datasets: [dataset]},
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          locale: document.documentElement.lang || "fr",
          plugins: {legend: {display: round, labels: {color: "#333"}}},
          scales: round ? {} : {
            x: {title: {display: true, text: drawn.x_column, color: "#333"}, ticks: {color: "#333"},
                type: drawn.chart_type === "scatter" ? "linear" : "category"},
            y: {title: {display: true, text: drawn.chart_type === "scatter" ? drawn.y_column : measure, color: "#333"},
                ticks: {color: "#333"}, beginAtZero: drawn.chart_type === "bar"}
          }
        }
      });
      section.dataset.marks = String(instance.getDatasetMeta(0).data.length);
      section.dataset.state = "ready";
    }).catch(function (error) { fail(section, settings, error); });
  }

  /* -- map ------------------------------------------------------------------------------ */

  // Built as nodes, never as HTML text: a file's names and values are not markup.
  function popup(properties) {
    var table = element("table", null, {"class": "quebec-viz-popup"});
    Object.keys(properties).filter(function (key) { return key !== "_row"; }).forEach(function (key) {
      var tr = document.createElement("tr");
      tr.appendChild(element("th", key, {scope: "row"}));
      tr.appendChild(element("td", text(properties[key])));
      table.appendChild(tr);
    });
    return table;
  }

  function describe(properties, index, labels) {
    var keys = Object.keys(properties).filter(function (key) { return key !== "_row"; });
    var name = properties.nom || properties.name || properties.titre || (keys.length ? properties[keys[0]] : null);
    return name !== null && name !== undefined && name !== "" ? text(name) : format(labels.feature, {number: index + 1});
  }

  function map(section, settings) {
    var container = section.querySelector(".quebec-viz-leaflet");
    var message = section.querySelector(".quebec-viz-map-message");
    var summary = section.querySelector(".quebec-viz-summary");
    var labels = settings.labels;
    if (!container || !window.L) { return; }
    // Leaflet's own words (zoom buttons, popup close button) in the visitor's language
    var leaflet = window.L.map(container, {keyboard: true, preferCanvas: false, zoomSnap: 0.5,
                                           zoomControl: false});
    window.L.control.zoom({zoomInTitle: labels.zoomIn, zoomOutTitle: labels.zoomOut}).addTo(leaflet);
    leaflet.on("popupopen", function (event) {
      var close = event.popup.getElement() &&
        event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) {
        close.setAttribute("aria-label", labels.closePopup);
        close.setAttribute("title", labels.closePopup);
      }
    });
    leaflet.attributionControl.setPrefix(false);
    container.setAttribute("aria-label", labels.mapKeyboard);
    var warned = {};
    function warn(key) {
      if (warned[key]) { return; }
      warned[key] = true;
      message.hidden = false;
      message.textContent = (message.textContent ? message.textContent + " " : "") + labels[key];
      section.dataset[key] = "true";
    }
    if (settings.tiles && settings.tiles.url) {
      window.L.tileLayer(settings.tiles.url, {attribution: settings.tiles.attribution, maxZoom: 19})
        .on("tileerror", function () { warn("tilesFailed"); }).addTo(leaflet);
    }
    var bbox = settings.bbox;
    if (bbox) {
      leaflet.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]], {padding: [20, 20]});
    } else {
      leaflet.setView([47.0, -71.5], 5);  // Québec
    }
    if (settings.wms) {
      window.L.tileLayer.wms(settings.wms.url, {layers: settings.wms.layers, format: "image/png",
                                                transparent: true})
        .on("tileerror", function () { warn("wmsFailed"); }).addTo(leaflet);
      section.dataset.state = "ready";
      return;
    }
    section.dataset.state = "loading";
    api(settings, "quebec_viz_features", {resource_id: settings.resourceId}).then(function (collection) {
      var features = collection.features || [];
      // a cluster is named by what it holds ("29 trees" when the view says what a point is, else
      // "29 features of “Bornes de recharge”"), not by a bare number
      var clusters = window.L.markerClusterGroup ? window.L.markerClusterGroup({
        showCoverageOnHover: false,
        iconCreateFunction: function (cluster) {
          var count = cluster.getChildCount();
          var name = settings.points ? format(labels.clusterOf, {count: count, points: settings.points}) :
            format(labels.cluster, {count: count, name: settings.name});
          var icon = element("div", null, {title: name});
          icon.appendChild(element("span", String(count), {"aria-hidden": "true"}));
          icon.appendChild(element("span", name, {"class": "visually-hidden"}));
          return window.L.divIcon({html: icon, iconSize: window.L.point(40, 40),
                                   className: "marker-cluster marker-cluster-" +
                                     (count < 10 ? "small" : count < 100 ? "medium" : "large")});
        }
      }) : null;
      var layers = [];
      var shapes = window.L.geoJSON(null, {
        style: function () { return {color: COLOURS[0], weight: 2, fillOpacity: 0.25}; },
        pointToLayer: function (_feature, latlng) {
          return window.L.circleMarker(latlng, {radius: 7, color: "#ffffff", weight: 2,
                                                fillColor: COLOURS[0], fillOpacity: 0.9});
        },
        onEachFeature: function (feature, layer) {
          layer.bindPopup(popup(feature.properties || {}));
          layers.push(layer);
        }
      });
      features.forEach(function (feature) {
        if (clusters && feature.geometry && feature.geometry.type === "Point") {
          var single = window.L.geoJSON(feature, {
            pointToLayer: function (_f, latlng) {
              return window.L.circleMarker(latlng, {radius: 7, color: "#ffffff", weight: 2,
                                                    fillColor: COLOURS[0], fillOpacity: 0.9});
            },
            onEachFeature: function (f, layer) { layer.bindPopup(popup(f.properties || {})); layers.push(layer); }
          });
          clusters.addLayer(single);
        } else {
          shapes.addData(feature);
        }
      });
      shapes.addTo(leaflet);
      if (clusters) { clusters.addTo(leaflet); }
      summary.textContent = format(labels.mapSummary, {count: features.length});
      var list = section.querySelector(".quebec-viz-features tbody");
      if (list) {
        layers.slice(0, 500).forEach(function (layer, index) {
          var properties = layer.feature.properties || {};
          var tr = document.createElement("tr");
          tr.appendChild(element("th", describe(properties, index, labels), {scope: "row"}));
          var cell = document.createElement("td");
          cell.textContent = Object.keys(properties).filter(function (key) { return key !== "_row"; })
            .slice(0, 6).map(function (key) { return key + " : " + text(properties[key]); }).join(" · ");
          tr.appendChild(cell);
          var action = document.createElement("td");
          var button = element("button", labels.zoomTo, {type: "button", "class": "btn btn-default btn-sm"});
          button.addEventListener("click", function () {
            var show = function () { layer.openPopup(); container.focus(); };
            if (clusters && clusters.hasLayer(layer)) { clusters.zoomToShowLayer(layer, show); }
            else if (layer.getBounds) { leaflet.fitBounds(layer.getBounds()); show(); }
            else { leaflet.setView(layer.getLatLng(), 15); show(); }
          });
          action.appendChild(button);
          tr.appendChild(action);
          list.appendChild(tr);
        });
      }
      section.dataset.features = String(layers.length);
      section.dataset.state = "ready";
    }).catch(function (error) { fail(section, settings, error); });
  }

  var VIEWS = {quebec_table: table, quebec_chart: chart, quebec_map: map};

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("section[data-quebec-viz]"), function (section) {
      var script = section.querySelector("script.quebec-viz-settings");
      if (!script || section.dataset.started) { return; }
      section.dataset.started = "true";
      var settings = JSON.parse(script.textContent);
      try {
        VIEWS[settings.viewType](section, settings);
      } catch (error) { fail(section, settings, error); }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
}());
