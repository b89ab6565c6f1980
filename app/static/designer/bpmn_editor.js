// The BPMN editor: bpmn-js's modeler, our properties panel (properties.js) for what the engine reads, and
// each problem the last check found marked on the element it concerns. bpmn-js's modeler is a classic script
// loaded before this module (window.BpmnJS). The browser tests drive the modeler this module exports.
import { modelerTranslate, showImportWarnings } from "./translate.js";
import { designerSave } from "./editor_save.js";
import { openInModeler, unsavedChanges } from "./modeler_page.js";
import { designerProperties } from "./properties.js";

const host = document.getElementById("bpmn-canvas");
const descriptor = JSON.parse(document.getElementById("spiff-descriptor").textContent);
// bpmn-js 18 binds its keyboard to the canvas itself (keyboard.bindTo is refused with a console error)
export const modeler = new window.BpmnJS({ container: host, additionalModules: [modelerTranslate],
  moddleExtensions: { spiffworkflow: descriptor } });
const canvas = modeler.get("canvas");
const overlays = modeler.get("overlays");
const registry = modeler.get("elementRegistry");
const fileName = host.dataset.file;
let marked = [];
const unsaved = unsavedChanges();

function markProblems() {
  marked.forEach((id) => canvas.removeMarker(id, "has-problem"));
  overlays.remove({ type: "problem" });
  marked = [];
  document.querySelectorAll("#problems li[data-element]").forEach((item) => {
    const id = item.dataset.element;
    if (!id || item.dataset.file !== fileName || !registry.get(id)) return;
    const message = item.textContent.split(": ").slice(1).join(": ");
    if (!marked.includes(id)) {
      canvas.addMarker(id, "has-problem");
      marked.push(id);
    }
    const badge = document.createElement("span");
    badge.className = "problem-badge";
    badge.textContent = "!";
    badge.title = message;
    badge.dataset.element = id;
    overlays.add(id, "problem", { position: { top: -10, right: 10 }, html: badge });
  });
  document.querySelectorAll(".goto-element").forEach((link) => link.addEventListener("click", (event) => {
    event.preventDefault();
    const element = registry.get(link.dataset.element);
    if (!element) return;
    modeler.get("selection").select(element);
    canvas.scrollToElement(element);
  }));
}

async function open() {
  const source = JSON.parse(document.getElementById("bpmn-source").textContent);
  const opened = await openInModeler(host, async () => {
    if (source) showImportWarnings((await modeler.importXML(source)).warnings);
    else await modeler.createDiagram();
    canvas.zoom("fit-viewport");
  });
  if (!opened) return;
  markProblems();
  designerProperties(modeler, document.getElementById("properties"));
  modeler.get("eventBus").on("commandStack.changed", () => unsaved.changed());
}

designerSave(async () => (await modeler.saveXML({ format: true })).xml, () => {
  unsaved.saved();
  markProblems();
});
open();
