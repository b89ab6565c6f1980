// The top bar's menus (<details class="menu">): one open at a time (they share a name), closed by a click
// elsewhere, by the focus leaving it (Tab), or by Escape, which gives the focus back to the menu's title when it
// was inside the menu.
const openMenus = () => document.querySelectorAll("details.menu[open]");

document.addEventListener("click", (event) => {
  for (const menu of openMenus()) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});

// Only when the focus moves to another element (Tab): a click elsewhere is the click handler's, and a browser
// that does not focus a link on click must not close the menu before the click reaches the link.
document.addEventListener("focusout", (event) => {
  const menu = event.target instanceof Element ? event.target.closest("details.menu[open]") : null;
  const next = event.relatedTarget;
  if (menu && next instanceof Node && !menu.contains(next)) menu.open = false;
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of openMenus()) {
    const hadFocus = menu.contains(document.activeElement);
    menu.open = false;
    if (hadFocus) menu.querySelector("summary").focus();
  }
});
