// The DMN editor: dmn-js's modeler (decision tables, the requirements diagram), with a view picker when
// a file holds several decisions, problems marked on the rows they concern, and the policy impact of the
// table as it stands in the editor (saved or not) on today's portfolio.
(function () {
  "use strict";
  const host = document.getElementById("dmn-canvas");
  const picker = document.getElementById("dmn-views");
  // each view takes the translate module (dmn-js gives a view its own additionalModules, not common's);
  // the views bind their keyboard to themselves (keyboard.bindTo is refused with a console error)
  const translated = { additionalModules: [window.modelerTranslate] };
  const modeler = new DmnJS({ container: host, drd: translated, decisionTable: translated,
    literalExpression: translated, boxedExpression: translated });
  let dirty = false;

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
    try {
      window.showImportWarnings((await modeler.importXML(source)).warnings);
      const table = modeler.getViews().find((view) => view.type === "decisionTable");
      if (table) window.showImportWarnings((await modeler.open(table)).warnings);
    } catch (error) {
      window.showImportWarnings(error.warnings);
      const box = document.getElementById("save-error");
      box.textContent = error.message;
      box.hidden = false;
      host.dataset.ready = "failed";
      return;
    }
    host.dataset.ready = "true";
    showViews();
    markProblems();
    const watched = new WeakSet();
    function watch() {
      const viewer = modeler.getActiveViewer();
      if (!viewer || watched.has(viewer)) return;
      watched.add(viewer);
      viewer.get("eventBus").on("elements.changed", () => { dirty = true; });
    }
    watch();
    modeler.on("views.changed", () => { showViews(); markProblems(); watch(); });
  }

  picker.addEventListener("change", () => modeler.open(modeler.getViews()[Number(picker.value)]));

  async function currentXml() { return (await modeler.saveXML({ format: true })).xml; }

  window.designerSave(currentXml, () => { dirty = false; markProblems(); });

  const impactButton = document.getElementById("run-impact");
  if (impactButton) {
    impactButton.addEventListener("click", async () => {
      impactButton.disabled = true;
      try {
        await window.PolicyImpact.show(document.getElementById("impact"), impactButton.dataset.url, await currentXml(),
          document.getElementById("editor-bar").dataset.csrf);
      } finally {
        impactButton.disabled = false;
      }
    });
  }
  window.addEventListener("beforeunload", (event) => { if (dirty) { event.preventDefault(); event.returnValue = ""; } });
  window.dmnModeler = modeler;  // the browser tests drive it
  open();
})();
