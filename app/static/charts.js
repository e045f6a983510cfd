// Draws every <canvas data-chart="{labels, series}"> as a horizontal bar chart.
// The data sits in an attribute so the page needs no inline script (CSP forbids it);
// the same numbers are always in the table beside the chart.
(function () {
  "use strict";
  var colours = ["#0172ad", "#e8a200", "#8a8f98", "#2a9d8f"];
  var charts = [];
  // Long dimension names would be cut off on a phone: break them into balanced lines.
  function wrap(label, width) {
    var text = String(label);
    var target = Math.ceil(text.length / Math.ceil(text.length / width));
    var lines = [];
    var line = "";
    text.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > target) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) { lines.push(line); }
    return lines;
  }
  function draw(canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    var box = canvas.parentNode;
    var narrow = (box.clientWidth || 600) < 600;
    // Room for every bar: the height grows with the number of dimensions and series.
    var rows = spec.labels.length * spec.series.length;
    box.style.setProperty("--chart-height", Math.max(240, rows * (narrow ? 16 : 14) + 90) + "px");
    charts.push(new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels.map(function (label) { return wrap(label, narrow ? 18 : 36); }),
        datasets: spec.series.map(function (s, i) {
          return { label: s.label, data: s.data, backgroundColor: colours[i % colours.length] };
        }),
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { min: 0, max: 100 }, y: { ticks: { autoSkip: false } } },
        plugins: { legend: { position: "bottom" } },
      },
    }));
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (window.Chart) {
      document.querySelectorAll("canvas[data-chart]").forEach(draw);
    }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
  // The printed page is wider than a phone: redraw at the paper's width.
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
