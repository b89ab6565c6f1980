// Saving a draft from any editor: POST the text with the revision it was made on, or show the conflict
// message if someone saved since (nothing is overwritten). The check of the working copy runs in a worker:
// the answer says whether it is done; until it is, ask its URL again and show its problems when it is.

const bar = document.getElementById("editor-bar");
const status = document.getElementById("save-status");
const errorBox = document.getElementById("save-error");
const texts = JSON.parse(document.getElementById("editor-texts").textContent);

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderCheck(result) {
  const box = document.getElementById("problems");
  box.replaceChildren();
  if (result.state !== "done") {
    box.append(el("p", { id: "problem-count", class: "sla", role: "status" }, texts.checking));
    return;
  }
  const count = result.problems.length;
  box.append(el("p", { id: "problem-count", class: count ? "sla sla-overdue" : "sla sla-on_time" },
    count ? texts.problems.replace("%(n)s", count) : texts.none));
  if (count) {
    const list = el("ul", { class: "problems" });
    result.problems.forEach((p) => {
      const item = el("li", { "data-element": p.element || "", "data-file": p.file });
      item.append(el("code", {}, p.file));
      if (p.element) {
        item.append(" · ");
        item.append(el("a", { href: "#", class: "goto-element", "data-element": p.element }, p.element));
      }
      if (p.line) item.append(" · " + texts.line + " " + p.line);
      item.append(": " + p.message);
      list.append(item);
    });
    box.append(list);
  }
  if (result.tests && result.tests.length) {
    const list = el("ul", { class: "tests" });
    result.tests.forEach((t) => list.append(el("li", { class: t.ok ? "ok" : "failed" },
      (t.ok ? "✓ " : "✗ ") + t.name + (t.ok ? "" : ": " + t.message))));
    box.append(list);
  }
}

// Ask for a check until it is done (each save's check replaces the one asked for before).
const GIVE_UP_MS = 10 * 60 * 1000;
let asking = 0;
function follow(check, onChecked) {
  const mine = ++asking;
  renderCheck(check);
  if (check.state === "done") {
    if (onChecked) onChecked(check);
    return;
  }
  let wait = 500;
  const since = Date.now();
  async function ask() {
    if (mine !== asking) return;
    if (Date.now() - since > GIVE_UP_MS) {  // the worker is away: say so rather than ask for ever
      errorBox.textContent = texts.checkGaveUp;
      errorBox.hidden = false;
      return;
    }
    try {
      const response = await fetch(check.url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      const now = await response.json();
      if (!response.ok) {
        errorBox.textContent = texts.checkLost + " " + (now.error || response.status);
        errorBox.hidden = false;
        if (response.status < 500) return;  // refused or gone: asking again will not help
      } else {
        if (mine !== asking) return;
        if (now.state === "done") { follow(now, onChecked); return; }
        check = now;  // still running, or the check of the working copy as it is now (it changed meanwhile)
      }
    } catch (error) {
      errorBox.textContent = texts.checkLost + " " + error.message;
      errorBox.hidden = false;
    }
    wait = Math.min(wait * 1.5, 3000);
    setTimeout(ask, wait);
  }
  setTimeout(ask, wait);
}

// getText: () => Promise<string>; onChecked(result): the editor marks its elements.
export function designerSave(getText, onChecked) {
  const button = document.getElementById("save-draft");
  const pending = document.getElementById("problems").dataset.checkUrl;
  if (pending) follow({ state: "queued", url: pending, problems: [], tests: [] }, onChecked);
  async function save() {
    button.disabled = true;
    errorBox.hidden = true;
    status.textContent = texts.saving;
    try {
      const content = await getText();
      const response = await fetch(bar.dataset.saveUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": bar.dataset.csrf },
        body: JSON.stringify({ content: content, revision: Number(bar.dataset.revision), base: bar.dataset.base }),
      });
      const result = await response.json();
      if (!response.ok) {
        errorBox.textContent = result.error + (result.errors ? " " + Object.values(result.errors).join(" ") : "");
        errorBox.hidden = false;
        status.textContent = "";
        return;
      }
      bar.dataset.revision = result.revision;
      const discard = document.querySelector("#discard-form input[name=revision]");
      if (discard) discard.value = result.revision;
      status.textContent = texts.saved.replace("%(n)s", result.revision);
      document.getElementById("draft-state").textContent = texts.saved.replace("%(n)s", result.revision);
      const stale = document.getElementById("stale-draft");
      if (stale && result.stale === false) stale.hidden = true;
      follow(result.check, onChecked);
    } catch (error) {
      errorBox.textContent = texts.failed + " " + error;
      errorBox.hidden = false;
      status.textContent = "";
    } finally {
      button.disabled = false;
    }
  }
  button.addEventListener("click", save);
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(); }
  });
  return save;
}
