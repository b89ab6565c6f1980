// Analytics pages: each figure's chart, drawn from its canvas's data-figure (kind, labels, series) — the same
// numbers as the table beside it. Chart.js is a classic script loaded before this module (window.Chart).

const COLOURS = ["#1d4ed8", "#b91c1c", "#047857", "#b45309", "#7c3aed", "#0e7490", "#be185d", "#4d7c0f"];

function draw(canvas) {
  if (!window.Chart || canvas.dataset.ready === "true") { return; }
  var spec = JSON.parse(canvas.dataset.figure);
  var line = spec.kind === "line";
  var stacked = spec.kind === "stacked";
  new window.Chart(canvas, {
    type: line ? "line" : "bar",
    data: {
      labels: spec.labels,
      datasets: spec.series.map(function (set, i) {
        var colour = COLOURS[i % COLOURS.length];
        return { label: set.title, data: set.data, backgroundColor: colour, borderColor: colour, spanGaps: true };
      })
    },
    options: {
      indexAxis: !line && spec.labels.length > 8 ? "y" : "x",
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true } },
      plugins: { legend: { display: spec.series.length > 1, position: "bottom" } }
    }
  });
  canvas.dataset.ready = "true";
}

export function initCharts(container) {
  (container || document).querySelectorAll("canvas[data-figure]").forEach(draw);
}

initCharts(document);
