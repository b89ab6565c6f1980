// Case page: the BPMN diagram with the path taken and the current step, and the ratio trend chart.
// The bpmn-js viewer and Chart.js are classic scripts loaded before this module (window.BpmnJS, window.Chart).

function showDiagram(container) {
  if (!window.BpmnJS) { return; }
  var visited = JSON.parse(container.dataset.visited || "[]");
  var current = JSON.parse(container.dataset.current || "[]");
  var viewer = new window.BpmnJS({ container: container });
  fetch(container.dataset.url, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
    return response.text();
  }).then(function (xml) {
    return viewer.importXML(xml);
  }).then(function () {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    canvas.zoom("fit-viewport");
    visited.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "path-visited"); } });
    current.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "path-current"); } });
    viewer.get("eventBus").on("element.click", function (event) { filterTimeline(event.element); });
    container.setAttribute("data-ready", "true");
  }).catch(function (err) {
    container.textContent = container.dataset.errorText + " " + err.message;
  });
}

// Clicking an element of the diagram shows that element's history in the timeline.
function filterTimeline(element) {
  var note = document.getElementById("timeline-filter");
  var items = document.querySelectorAll("#timeline li");
  if (!note || !element || element.type === "bpmn:Process" || element.type === "bpmn:Collaboration" ||
      element.type === "bpmn:Participant" || element.type === "bpmn:Lane") { showAll(); return; }
  items.forEach(function (li) { li.classList.toggle("hidden", li.dataset.element !== element.id); });
  note.querySelector("[data-element-name]").textContent = (element.businessObject && element.businessObject.name) || element.id;
  note.hidden = false;
}

function showAll() {
  var note = document.getElementById("timeline-filter");
  document.querySelectorAll("#timeline li").forEach(function (li) { li.classList.remove("hidden"); });
  if (note) { note.hidden = true; }
}

document.querySelectorAll("[data-show-all]").forEach(function (button) { button.addEventListener("click", showAll); });

// Shares (debt-to-asset, ROA) read as percentages on the left axis, multiples (current and quick
// ratio) as plain numbers on the right: real values, as the memo's chart draws them.
function formatted(kind, value) {
  if (value === null || value === undefined) { return "—"; }
  return kind === "share" ? (value * 100).toFixed(2) + "%" : value.toFixed(2);
}

function showTrend(canvas) {
  if (!window.Chart) { return; }
  var trend = JSON.parse(canvas.dataset.trend);
  var names = JSON.parse(canvas.dataset.names);
  var kinds = JSON.parse(canvas.dataset.kinds || "{}");
  var years = Object.keys(trend);
  var colours = ["#9f1239", "#1d4ed8", "#047857", "#b45309"];
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: years,
      datasets: Object.keys(names).map(function (key, i) {
        return { label: names[key], data: years.map(function (y) { return trend[y][key]; }), kind: kinds[key],
                 yAxisID: kinds[key] === "share" ? "shares" : "multiples", pointRadius: 4,
                 borderColor: colours[i % colours.length], backgroundColor: colours[i % colours.length], tension: 0.2 };
      })
    },
    options: {
      responsive: true, maintainAspectRatio: false,
      scales: {
        shares: { position: "left", beginAtZero: true, title: { display: true, text: canvas.dataset.sharesTitle },
                  ticks: { callback: function (v) { return Math.round(v * 1000) / 10 + "%"; } } },
        multiples: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
                     title: { display: true, text: canvas.dataset.multiplesTitle } }
      },
      plugins: {
        legend: { position: "bottom" },
        tooltip: { callbacks: { label: function (item) {
          return item.dataset.label + ": " + formatted(item.dataset.kind, item.raw);
        } } }
      }
    }
  });
}

document.querySelectorAll("[data-bpmn-viewer]").forEach(showDiagram);
document.querySelectorAll("canvas[data-trend]").forEach(showTrend);
