// Policy impact (designer): the bar charts of an impact fragment, drawn from their data- attributes, and the
// fragment fetched for a table's unsaved XML. The table editor (import * as PolicyImpact from "../impact.js")
// calls, after the modeler changed:
//   PolicyImpact.show(container, "/designer/impact/<file>.dmn", xml, csrfToken)   // fetch, insert, draw
// or, having inserted a fragment itself: PolicyImpact.initCharts(container).
// Chart.js is a classic script loaded before this module (window.Chart).

const COLOURS = { customers: "#1d4ed8", gained: "#b91c1c", lost: "#047857", altered: "#b45309" };

function draw(canvas) {
  if (!window.Chart || canvas.dataset.ready === "true") { return; }
  var spec = JSON.parse(canvas.dataset.impactChart);
  var names = JSON.parse(canvas.dataset.series || "{}");
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: spec.labels,
      datasets: spec.datasets.map(function (set) {
        return { label: names[set.key] || set.key, data: set.data, backgroundColor: COLOURS[set.key] || "#6b7280" };
      })
    },
    options: {
      indexAxis: spec.labels.length > 6 ? "y" : "x",
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: { x: { ticks: { precision: 0 } }, y: { ticks: { precision: 0 } } },
      plugins: { legend: { display: spec.datasets.length > 1, position: "bottom" } }
    }
  });
  canvas.dataset.ready = "true";
}

export function initCharts(container) {
  (container || document).querySelectorAll("canvas[data-impact-chart]").forEach(draw);
}

// POST the XML as the form field "xml" (the CSRF token in the X-CSRFToken header) and put the fragment
// that comes back into ``container``, a refusal (422: the problem named) included; another failure shows its
// status only. Resolves to the response.
export function show(container, url, xml, csrfToken) {
  var body = new FormData();
  body.append("xml", xml);
  container.setAttribute("aria-busy", "true");
  return fetch(url, { method: "POST", body: body, credentials: "same-origin",
                      headers: { "X-CSRFToken": csrfToken || "" } }).then(function (response) {
    return response.text().then(function (html) {
      if (response.ok || response.status === 422) { container.innerHTML = html; }
      else { container.textContent = response.status + " " + response.statusText; }
      container.removeAttribute("aria-busy");
      initCharts(container);
      return response;
    });
  });
}

initCharts(document);
