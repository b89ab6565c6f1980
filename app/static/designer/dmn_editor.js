// The DMN editor: dmn-js's modeler (decision tables, the requirements diagram), with a view picker when
// a file holds several decisions, problems marked on the rows they concern, and the policy impact of the
// table as it stands in the editor (saved or not) on today's portfolio. dmn-js's modeler is a classic script
// loaded before this module (window.DmnJS, built from src/dmn-modeler.js). The browser tests drive the modeler
// this module exports.
import { modelerTranslate, showImportWarnings } from "./translate.js";
import * as PolicyImpact from "../impact.js";
import { designerSave } from "./editor_save.js";
import { openInModeler, unsavedChanges } from "./modeler_page.js";

const host = document.getElementById("dmn-canvas");
const picker = document.getElementById("dmn-views");
// each view takes the translate module (dmn-js gives a view its own additionalModules, not common's);
// the views bind their keyboard to themselves (keyboard.bindTo is refused with a console error)
const translated = { additionalModules: [modelerTranslate] };
export const modeler = new window.DmnJS({ container: host, drd: translated, decisionTable: translated,
  literalExpression: translated, boxedExpression: translated });
const unsaved = unsavedChanges();

function markProblems() {
  host.querySelectorAll(".has-problem").forEach((node) => node.classList.remove("has-problem"));
  document.querySelectorAll("#problems li[data-element]").forEach((item) => {
    const id = item.dataset.element;
    if (!id) return;
    host.querySelectorAll('[data-row-id="' + CSS.escape(id) + '"]').forEach((node) => node.classList.add("has-problem"));
  });
}

function showViews() {
  picker.replaceChildren();
  modeler.getViews().forEach((view, index) => {
    const option = document.createElement("option");
    option.value = index;
    option.textContent = (view.type === "drd" ? picker.dataset.drd : view.element.name || view.element.id);
    if (view === modeler.getActiveView()) option.selected = true;
    picker.append(option);
  });
}

async function open() {
  const source = JSON.parse(document.getElementById("dmn-source").textContent)
    || document.getElementById("dmn-template").textContent;
  const opened = await openInModeler(host, async () => {
    showImportWarnings((await modeler.importXML(source)).warnings);
    const table = modeler.getViews().find((view) => view.type === "decisionTable");
    if (table) showImportWarnings((await modeler.open(table)).warnings);
  });
  if (!opened) return;
  showViews();
  markProblems();
  const watched = new WeakSet();
  function watch() {
    const viewer = modeler.getActiveViewer();
    if (!viewer || watched.has(viewer)) return;
    watched.add(viewer);
    viewer.get("eventBus").on("elements.changed", () => unsaved.changed());
  }
  watch();
  modeler.on("views.changed", () => { showViews(); markProblems(); watch(); });
}

picker.addEventListener("change", () => modeler.open(modeler.getViews()[Number(picker.value)]));

async function currentXml() { return (await modeler.saveXML({ format: true })).xml; }

designerSave(currentXml, () => { unsaved.saved(); markProblems(); });

const impactButton = document.getElementById("run-impact");
if (impactButton) {
  impactButton.addEventListener("click", async () => {
    impactButton.disabled = true;
    try {
      await PolicyImpact.show(document.getElementById("impact"), impactButton.dataset.url, await currentXml(),
        document.getElementById("editor-bar").dataset.csrf);
    } finally {
      impactButton.disabled = false;
    }
  });
}
open();
