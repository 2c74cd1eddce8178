// Forms: progressive enhancement only. Without this file the error summary is still at the
// top of the page, and each length limit is written next to its field.
(() => {
  "use strict";

  const numbers = new Intl.NumberFormat(document.documentElement.lang || "fr");

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, key) =>
      key in values ? numbers.format(values[key]) : whole,
    );
  }

  // --- A live "x / N caractères" under each field that has a data-limit --------------------
  // Counted as the server counts: characters (code points), a line break as one, without the
  // spaces at either end, which are not saved.
  function addCounter(field) {
    const limit = Number(field.dataset.limit);
    const visible = document.createElement("div");
    visible.className = "form-text text-end mt-1 char-count";
    visible.setAttribute("aria-hidden", "true");
    // Screen readers hear the count once typing pauses, not at every key.
    const spoken = document.createElement("div");
    spoken.className = "visually-hidden";
    spoken.setAttribute("role", "status");
    let pause = null;

    function update(announce) {
      const count = Array.from(field.value.trim()).length;
      const over = count - limit;
      const template = over > 0 ? field.dataset.countOver : field.dataset.count;
      const text = fill(template, { count, limit, over });
      visible.textContent = text;
      visible.classList.toggle("text-danger", over > 0);
      visible.classList.toggle("fw-semibold", over > 0);
      if (announce) {
        window.clearTimeout(pause);
        pause = window.setTimeout(() => {
          spoken.textContent = text;
        }, 1200);
      }
    }

    field.after(visible, spoken);
    field.addEventListener("input", () => update(true));
    update(false);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-limit][data-count]").forEach(addCounter);
    // The summary of errors takes the focus: it is read first, and its links lead on.
    const summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  });
})();
