// What the BPMN and the DMN editor pages do alike around their modeler (bpmn-js, dmn-js): open the file,
// listing what the modeler could not read and, when it cannot open the file at all, saying why in the editor's
// error box; mark the canvas data-ready "true" or "failed" (the browser tests wait on it); and ask before the
// page is left with changes not saved. Saving itself is editor_save.js's.
import { showImportWarnings } from "./translate.js";

// load: () => Promise that imports the file into the modeler (its own warnings shown by it). Resolves to
// whether the modeler opened the file.
export async function openInModeler(host, load) {
  try {
    await load();
  } catch (error) {
    showImportWarnings(error.warnings);
    const box = document.getElementById("save-error");
    box.textContent = error.message;
    box.hidden = false;
    host.dataset.ready = "failed";
    return false;
  }
  host.dataset.ready = "true";
  return true;
}

// The browser asks before leaving while changed() was called after the last saved().
export function unsavedChanges() {
  let dirty = false;
  window.addEventListener("beforeunload", (event) => { if (dirty) { event.preventDefault(); event.returnValue = ""; } });
  return { changed() { dirty = true; }, saved() { dirty = false; } };
}
