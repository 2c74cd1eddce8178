// Progressive enhancement only: every action works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Ask before destructive actions marked with data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });

  // The menu's groups are <details> (templates/_nav.html): they open and close without this
  // code. With it, they behave as menus do: one group open at a time, closed by Escape (focus
  // back on its title) or by a click elsewhere.
  const groups = Array.from(document.querySelectorAll(".nav-group"));
  const disclosures = Array.from(document.querySelectorAll(".site-menu, .nav-group"));
  groups.forEach((group) => {
    group.addEventListener("toggle", () => {
      if (group.open) {
        groups.forEach((other) => {
          if (other !== group) {
            other.open = false;
          }
        });
      }
    });
  });
  document.addEventListener("click", (event) => {
    disclosures.forEach((disclosure) => {
      if (disclosure.open && !disclosure.contains(event.target)) {
        disclosure.open = false;
      }
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") {
      return;
    }
    // The innermost open one: a group inside the phone menu closes before the menu.
    const open = disclosures.filter((disclosure) => disclosure.open).pop();
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
});
