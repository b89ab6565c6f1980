// bpmn-js and dmn-js in the page's language: the modelers' documented custom translate module (a module
// that replaces their `translate` service). The editor page carries the dictionary of its language
// (#modeler-translations: designer/modeler_zh.json on a Chinese page); an English page carries none, the
// modelers' own strings being English. Placeholders ({element}) are filled as the modelers' own do (a key
// written with spaces, "{ sample }" in some of dmn-js's strings, is filled too).

const node = document.getElementById("modeler-translations");
const dictionary = node ? JSON.parse(node.textContent) : {};

function translate(template, replacements) {
  const values = replacements || {};
  return (dictionary[template] || template).replace(/{([^}]+)}/g, (_match, key) => values[key.trim()] || "{" + key + "}");
}

// the module both modelers take in additionalModules
export const modelerTranslate = { translate: ["value", translate] };

// What the modeler could not read as it opened the file: listed on the page, not only in the console.
export function showImportWarnings(warnings) {
  const box = document.getElementById("import-warnings");
  if (!box || !warnings || !warnings.length) return;
  const list = box.querySelector("ul");
  warnings.forEach((warning) => {
    const item = document.createElement("li");
    item.textContent = warning.message;
    list.append(item);
  });
  box.hidden = false;
}
