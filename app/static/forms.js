// Fields that belong to a choice (JSON Schema if/then/else, see app/forms/conditions.py): shown, and
// posted, only while the choice they belong to is made. The server decides the same way and drops the rest.

function valueOf(form, name) {
  const inputs = Array.from(form.elements).filter((el) => el.name === name);
  if (!inputs.length) return undefined; // a read-only choice: the page was drawn for it
  const picked = inputs.find((el) => (el.type !== "radio" && el.type !== "checkbox") || el.checked);
  if (inputs[0].type === "checkbox") return picked ? "true" : "false";
  return picked ? picked.value : "";
}

function holds(form, rule) {
  for (const [name, allowed] of Object.entries(rule.tests)) {
    const value = valueOf(form, name);
    if (value === undefined) return undefined;
    if (value === "" ? rule.required.includes(name) : !allowed.includes(value)) return false;
  }
  return rule.required.every((name) => valueOf(form, name) !== "");
}

function update(form) {
  form.querySelectorAll("[data-applies-when]").forEach((box) => {
    const verdicts = JSON.parse(box.dataset.appliesWhen).map((rule) => {
      const held = holds(form, rule);
      return held === undefined ? undefined : held === rule.applies;
    });
    if (verdicts.includes(undefined)) return;
    const applies = verdicts.every(Boolean);
    box.hidden = !applies;
    box.querySelectorAll("input, select, textarea").forEach((el) => { el.disabled = !applies; });
  });
}

document.querySelectorAll("form").forEach((form) => {
  if (!form.querySelector("[data-applies-when]")) return;
  form.addEventListener("change", () => update(form));
  update(form);
});
