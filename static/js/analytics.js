// The portal's report (portal/analytics.html) and the back office's reports (drawSpecs below):
// draws their charts with Chart.js from the data
// the page carries (json_script "report-data"), in the page's language and number formats,
// with the Okabe–Ito palette (told apart with any colour vision). A click on a segment
// narrows the tickets' table: the type (and then its criticalities), the equipment type.
// Every chart's numbers are also in a table under it, for screen readers and without JS.
(function () {
  "use strict";

  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
  var ON_TIME = "#0072B2";
  var OVERDUE = "#D55E00";

  function go(params) {
    var url = new URL(window.location.href);
    Object.keys(params).forEach(function (key) {
      if (params[key] === null) url.searchParams.delete(key);
      else url.searchParams.set(key, params[key]);
    });
    url.searchParams.delete("page");
    url.hash = "report-table";
    window.location.assign(url.toString());
  }

  function canvas(name) {
    return document.querySelector('[data-chart="' + name + '"]');
  }

  function draw(data) {
    var Chart = window.Chart;
    var lang = document.documentElement.lang || "ru";
    var number = new Intl.NumberFormat(lang);
    Chart.defaults.locale = lang;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    var params = new URL(window.location.href).searchParams;
    var typeId = params.get("type");

    // Tickets by type; after a click, that type's criticalities.
    var chosen = typeId && data.types.filter(function (t) { return String(t.id) === typeId; })[0];
    var slices = chosen ? chosen.criticality : data.types;
    var types = canvas("types");
    if (types && slices.length) {
      new Chart(types, {
        type: "doughnut",
        data: {
          labels: slices.map(function (s) { return s.label; }),
          datasets: [{
            data: slices.map(function (s) { return s.count; }),
            backgroundColor: slices.map(function (s, i) { return PALETTE[i % PALETTE.length]; }),
          }],
        },
        options: {
          maintainAspectRatio: false,
          plugins: {
            legend: { position: window.matchMedia("(max-width: 575px)").matches ? "bottom" : "right" },
            tooltip: { callbacks: { label: function (c) { return c.label + ": " + number.format(c.raw); } } },
          },
          onClick: function (_event, elements) {
            if (!elements.length) return;
            var slice = slices[elements[0].index];
            if (chosen) go({ type: String(chosen.id), criticality: String(slice.id) });
            else go({ type: String(slice.id), criticality: null });
          },
        },
      });
      var hint = document.querySelector("[data-chart-hint]");
      if (hint && chosen) hint.textContent = chosen.label;
    }

    // Tickets by equipment type: on time and overdue, stacked.
    var bars = canvas("equipment_types");
    if (bars && data.equipment_types.length) {
      new Chart(bars, {
        type: "bar",
        data: {
          labels: data.equipment_types.map(function (b) { return b.label; }),
          datasets: [
            { label: data.labels.on_time, data: data.equipment_types.map(function (b) { return b.on_time; }), backgroundColor: ON_TIME },
            { label: data.labels.overdue, data: data.equipment_types.map(function (b) { return b.overdue; }), backgroundColor: OVERDUE },
          ],
        },
        options: {
          maintainAspectRatio: false,
          indexAxis: "y",
          scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } },
          onClick: function (_event, elements) {
            if (!elements.length) return;
            go({ equipment_type: data.equipment_types[elements[0].index].value });
          },
        },
      });
    }

    // The share resolved on time, per month.
    var sla = canvas("sla");
    if (sla && data.sla.length) {
      new Chart(sla, {
        type: "line",
        data: {
          labels: data.sla.map(function (m) { return m.label; }),
          datasets: [{
            label: data.labels.share,
            data: data.sla.map(function (m) { return m.share; }),
            borderColor: ON_TIME,
            backgroundColor: ON_TIME,
            pointRadius: 4,
          }],
        },
        options: {
          maintainAspectRatio: false,
          scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return number.format(v) + " %"; } } } },
          plugins: { legend: { display: false } },
        },
      });
    }
  }

  // Any other chart: a canvas whose data-chart-spec names a json_script holding
  // {type: "bar"|"doughnut", labels, datasets: [{label, data, line?}], horizontal?, stacked?,
  // max?} (the back office's reports). Colours come from the palette in the datasets' order.
  function drawSpecs() {
    var Chart = window.Chart;
    var lang = document.documentElement.lang || "ru";
    var number = new Intl.NumberFormat(lang);
    Chart.defaults.locale = lang;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    document.querySelectorAll("canvas[data-chart-spec]").forEach(function (target) {
      var source = document.getElementById(target.getAttribute("data-chart-spec"));
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      if (!spec.labels.length) return;
      var round = spec.type === "doughnut";
      var datasets = spec.datasets.map(function (set, i) {
        var colour = PALETTE[i % PALETTE.length];
        var drawn = { label: set.label, data: set.data, backgroundColor: round ? spec.labels.map(function (_l, j) { return PALETTE[j % PALETTE.length]; }) : colour };
        if (set.line) {
          drawn.type = "line";
          drawn.borderColor = colour;
          drawn.pointRadius = 3;
          drawn.order = -1;
        }
        return drawn;
      });
      var value = spec.horizontal ? "x" : "y";
      var scales = {};
      if (!round) {
        scales[value] = { stacked: !!spec.stacked, beginAtZero: true, ticks: { callback: function (v) { return number.format(v); } } };
        if (spec.max) scales[value].max = spec.max;
        // Counts of tickets: whole numbers on the axis, never "1,5".
        if (spec.counts) scales[value].ticks.precision = 0;
        // Long names (rules, companies) shortened on the axis; the tooltip and the table
        // under the chart have them whole.
        scales[spec.horizontal ? "y" : "x"] = { stacked: !!spec.stacked, ticks: { callback: function (v) {
          var label = String(this.getLabelForValue(v));
          var max = window.innerWidth < 576 ? 14 : 28;
          return label.length > max ? label.slice(0, max - 1) + "…" : label;
        } } };
      }
      new Chart(target, {
        type: spec.type,
        data: { labels: spec.labels, datasets: datasets },
        options: {
          maintainAspectRatio: false,
          indexAxis: spec.horizontal ? "y" : "x",
          scales: scales,
          plugins: {
            legend: { position: round ? "right" : "top" },
            tooltip: { callbacks: { title: function (items) { return items.length ? spec.labels[items[0].dataIndex] : ""; }, label: function (c) {
              var raw = round ? c.raw : c.parsed[value];
              return (round ? c.label : c.dataset.label) + ": " + (raw === null ? "—" : number.format(raw));
            } } },
          },
        },
      });
    });
  }

  function checkAll() {
    document.querySelectorAll("[data-check-all]").forEach(function (box) {
      var name = box.getAttribute("data-check-all");
      var others = box.form.querySelectorAll('input[type=checkbox][name="' + name + '"]');
      box.checked = others.length > 0 && Array.prototype.every.call(others, function (o) { return o.checked; });
      box.addEventListener("change", function () {
        others.forEach(function (o) { o.checked = box.checked; });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    checkAll();
    var source = document.getElementById("report-data");
    if (source && typeof window.Chart === "function") draw(JSON.parse(source.textContent));
    if (typeof window.Chart === "function") drawSpecs();
  });
})();
