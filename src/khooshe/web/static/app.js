/* khooshe web app behaviour, without inline scripts (the Content-Security-Policy forbids
   them): widths from data-width, a confirmation before forms marked data-confirm, forms marked
   data-once sent once, the Jalali date picker on [data-jdp] inputs, and the county map of the
   dashboard (Leaflet, no tiles). */
(function () {
  "use strict";
  function widths(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) {
      el.style.width = el.getAttribute("data-width") + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    widths(document);
    document.body.addEventListener("htmx:afterSwap", function (e) { widths(e.target); });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { e.preventDefault(); }
      });
    });
    // a form that records something (form[data-once]) is sent once: a double click, or a
    // second click while the answer is on its way, would record it twice
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (form.getAttribute("data-sent")) { e.preventDefault(); return; }
        form.setAttribute("data-sent", "1");
      });
    });
    // back to a page kept by the browser: its forms may be sent again
    window.addEventListener("pageshow", function (e) {
      if (e.persisted) {
        document.querySelectorAll("form[data-sent]").forEach(function (form) {
          form.removeAttribute("data-sent");
        });
      }
    });
    if (window.jalaliDatepicker) {
      window.jalaliDatepicker.startWatch({ time: false, persianDigits: document.documentElement.lang === "fa" });
    }
    var map = document.getElementById("county-map");
    if (map && window.L) {
      fetch(map.getAttribute("data-geojson"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || !data.features.length) { return; }
          // Leaflet places its tooltips from the left: inside a right-to-left page they
          // land beside their dots, not over them
          map.setAttribute("dir", "ltr");
          var m = window.L.map(map, { attributionControl: false, zoomSnap: 0.25 });
          // without tiles a dot says nothing until it is named: a province's few dozen
          // counties carry their names; more would cover each other, and show on hover
          var named = data.features.length <= 40;
          var layer = window.L.geoJSON(data, {
            style: { color: "#2a7f62", weight: 1.5, fillOpacity: 0.15 },
            pointToLayer: function (f, latlng) { return window.L.circleMarker(latlng, { radius: 6 }); },
            onEachFeature: function (f, l) {
              l.bindTooltip(named ? f.properties.name : f.properties.label,
                            { permanent: named, direction: "top", className: "county-label" });
              if (named) { l.bindPopup(f.properties.label); }
            }
          }).addTo(m);
          m.fitBounds(layer.getBounds(), { padding: named ? [40, 40] : [10, 10] });
        });
    }
  });
})();
