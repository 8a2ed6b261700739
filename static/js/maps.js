/* Wijkwerk maps: Leaflet (shipped by django-leaflet as our own static file), GeoJSON layers, an optional tile
   layer from settings. Without tiles the boundaries are still drawn on a plain background.

   Markup: <div class="ww-map" data-ww-map data-geojson-id="ID" [data-tiles-url=".." data-tiles-attribution=".."]
           [data-click-url="..."]></div> with <script type="application/json" id="ID">FeatureCollection</script>.
   Features may carry properties.label (popup/tooltip), properties.url (click to open), properties.color. */
(function () {
  "use strict";
  var palette = ["#0d6efd", "#6f42c1", "#d63384", "#fd7e14", "#198754", "#20c997", "#0dcaf0", "#dc3545"];

  function styleFor(feature, index) {
    var p = feature.properties || {};
    if (feature.geometry && feature.geometry.type === "Point") {
      // Leaflet applies `style` to circle markers too: keep points solid unless a feature says otherwise.
      var pointColor = p.color || "#0d6efd";
      return { color: pointColor, weight: 2, fillColor: p.fillColor || pointColor,
               fillOpacity: p.fillOpacity !== undefined ? p.fillOpacity : 0.8 };
    }
    var color = p.color || palette[index % palette.length];
    return { color: color, weight: p.weight || 2, fillColor: p.fillColor || color,
             fillOpacity: p.fillOpacity !== undefined ? p.fillOpacity : 0.15 };
  }

  function build(el) {
    if (el._wwMap) { return el._wwMap; }
    var map = L.map(el, { scrollWheelZoom: false, attributionControl: true });
    var tiles = el.dataset.tilesUrl;
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: el.dataset.tilesAttribution || "" }).addTo(map);
    } else if (el.dataset.backgroundUrl) {
      // No tile server: municipal boundaries of Belgium (Flanders, Brussels) and the Netherlands give the map
      // its bearings. Drawn under the features, never clickable.
      fetch(el.dataset.backgroundUrl).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
        if (!geo) { return; }
        var background = L.geoJSON(geo, {
          interactive: false,
          style: { color: "#9aa5b1", weight: 0.7, fillColor: "#f8f9fa", fillOpacity: 1 }
        }).addTo(map);
        background.bringToBack();
        map.attributionControl.addAttribution(el.dataset.backgroundAttribution || "");
      }).catch(function () { /* the features alone still show */ });
    }
    var source = el.dataset.geojsonId && document.getElementById(el.dataset.geojsonId);
    var data = source ? JSON.parse(source.textContent) : { type: "FeatureCollection", features: [] };
    var i = 0;
    var layer = L.geoJSON(data, {
      style: function (f) { return styleFor(f, i++); },
      pointToLayer: function (f, latlng) {
        var p = f.properties || {};
        return L.circleMarker(latlng, { radius: p.radius || 7, color: p.color || "#0d6efd", weight: 2,
                                        fillColor: p.fillColor || p.color || "#0d6efd", fillOpacity: 0.8 });
      },
      onEachFeature: function (f, l) {
        var p = f.properties || {};
        if (p.label) { l.bindTooltip(p.label, { sticky: true }); }
        if (p.popup) { l.bindPopup(p.popup); }
        if (p.url) { l.on("click", function () { window.location.href = p.url; }); }
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12] }); }
    else { map.setView([50.85, 4.35], 7); }
    if (el.dataset.clickEvent) {
      map.on("click", function (e) {
        el.dispatchEvent(new CustomEvent(el.dataset.clickEvent, { bubbles: true, detail: e.latlng }));
      });
    }
    el._wwMap = { map: map, layer: layer };
    return el._wwMap;
  }

  function init(root) {
    (root || document).querySelectorAll("[data-ww-map]").forEach(build);
  }
  window.WijkwerkMaps = { init: init, build: build };
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
})();
