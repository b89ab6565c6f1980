// The version diff drawn on both diagrams: before with what was removed or changed, after with what was
// added or changed. The bpmn-js viewer is a classic script loaded before this module (window.BpmnJS).

document.querySelectorAll(".diff-diagram").forEach(async (container) => {
  const viewer = new window.BpmnJS({ container: container });
  try {
    const response = await fetch(container.dataset.url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(response.status + " " + response.statusText);
    await viewer.importXML(await response.text());
    const canvas = viewer.get("canvas");
    const registry = viewer.get("elementRegistry");
    canvas.zoom("fit-viewport");
    Object.entries(JSON.parse(container.dataset.marks)).forEach(([marker, ids]) => {
      ids.forEach((id) => { if (registry.get(id)) canvas.addMarker(id, marker); });
    });
    container.setAttribute("data-ready", "true");
  } catch (error) {
    container.textContent = container.dataset.errorText + " " + error.message;
  }
});
