// Draws each chart of the evaluation pages from the JSON next to its canvas (no inline script: the CSP
// allows only our files). The table under every chart holds the same numbers; without this file, or
// without the library, the page still reads in full.
(function () {
  "use strict";
  var palette = ["#1f5f99", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#7f8c8d"];

  function percent(value) {
    return value === null || value === undefined ? "—" : value.toLocaleString("vi-VN", { maximumFractionDigits: 2 }) + " %";
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || !window.Chart) { return; }
    var spec = JSON.parse(source.textContent);
    var unitIsPercent = spec.unit === "%";
    var datasets = spec.datasets.map(function (set, index) {
      var colour = palette[index % palette.length];
      return {
        label: set.label, data: set.data, borderColor: colour, backgroundColor: colour,
        spanGaps: true, tension: 0.2, pointRadius: 3
      };
    });
    var scales = {};
    var valueAxis = spec.horizontal ? "x" : "y";
    scales[valueAxis] = { beginAtZero: true, stacked: !!spec.stacked,
      ticks: { callback: function (v) { return unitIsPercent ? v + " %" : v.toLocaleString("vi-VN"); } } };
    if (spec.max && unitIsPercent) { scales[valueAxis].max = spec.max; }
    scales[spec.horizontal ? "y" : "x"] = { stacked: !!spec.stacked };
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: scales,
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: function (ctx) {
            var v = spec.horizontal ? ctx.parsed.x : ctx.parsed.y;
            return ctx.dataset.label + ": " + (unitIsPercent ? percent(v) : v.toLocaleString("vi-VN"));
          } } }
        }
      }
    });
    canvas.dataset.drawn = "1";
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  });
})();
