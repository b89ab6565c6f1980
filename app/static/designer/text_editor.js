// The text editors (a form's JSON Schema, a file's tests): "Save draft" saves the textarea marked
// data-saved-text. The form editor's preview form is sent by htmx alone, never by the browser.
import { designerSave } from "./editor_save.js";

const source = document.querySelector("textarea[data-saved-text]");
designerSave(async () => source.value);
const preview = document.getElementById("form-editor");
if (preview) preview.addEventListener("submit", (event) => event.preventDefault());
