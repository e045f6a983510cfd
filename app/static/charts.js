// Draws every <canvas data-chart="{labels, series}"> as a horizontal bar chart.
// The data sits in an attribute so the page needs no inline script (CSP forbids it);
// the same numbers are always in the table beside the chart.
(function () {
  "use strict";
  var colours = ["#0172ad", "#e8a200", "#8a8f98", "#2a9d8f"];
  function draw(canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, i) {
          return { label: s.label, data: s.data, backgroundColor: colours[i % colours.length] };
        }),
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { min: 0, max: 100 } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (window.Chart) {
      document.querySelectorAll("canvas[data-chart]").forEach(draw);
    }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
