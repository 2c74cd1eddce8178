// People pickers (innovation/platform/pickers.py): the text input becomes a combobox
// (WAI-ARIA "list autocomplete" pattern) suggesting the people one may find. Without this
// file the form still works: the name typed is looked up when the form is sent.
(() => {
  const DELAY_MS = 200;
  const MIN_LENGTH = 2;

  function setUp(picker) {
    const input = picker.querySelector("input[type=text]");
    const hidden = picker.querySelector("[data-picker-id]");
    const chosen = picker.querySelector("[data-picker-chosen]");
    const listbox = picker.querySelector("[role=listbox]");
    const status = picker.querySelector("[data-picker-status]");
    const url = picker.dataset.searchUrl;
    let options = [];
    let active = -1;
    let timer = null;
    let asked = "";

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      options.forEach((option, position) => {
        option.setAttribute("aria-selected", position === index ? "true" : "false");
        option.classList.toggle("active", position === index);
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(option) {
      if (chosen) {
        addChosen(option.dataset.id, option.dataset.label);
        input.value = "";
      } else {
        input.value = option.dataset.label;
        hidden.value = option.dataset.id;
      }
      status.textContent = option.dataset.label + " : " + picker.dataset.chosenText;
      close();
    }

    // Several people (PeoplePicker): each one chosen is a ticked box, as the page renders
    // those already chosen.
    function addChosen(id, label) {
      if (chosen.querySelector(`input[value="${CSS.escape(id)}"]`)) return;
      const item = document.createElement("li");
      item.className = "form-check form-check-inline border rounded-pill ps-4 pe-3 py-1 m-0";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.className = "form-check-input";
      box.name = picker.dataset.fieldName;
      box.value = id;
      box.checked = true;
      box.id = `${input.id}_${id}`;
      const text = document.createElement("label");
      text.className = "form-check-label";
      text.htmlFor = box.id;
      text.textContent = label;
      item.append(box, text);
      chosen.append(item);
    }

    function show(results) {
      listbox.replaceChildren();
      options = results.map((person, index) => {
        const option = document.createElement("li");
        option.id = `${listbox.id}_${index}`;
        option.className = "list-group-item list-group-item-action";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.id = person.id;
        option.dataset.label = person.label;
        option.textContent = person.label;
        if (person.detail) {
          const detail = document.createElement("span");
          detail.className = "d-block small text-body-secondary";
          detail.textContent = person.detail;
          option.append(detail);
        }
        // mousedown, not click: it comes before the input loses the focus.
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(option);
        });
        listbox.append(option);
        return option;
      });
      const count = results.length;
      status.textContent = count
        ? (count > 1 ? picker.dataset.manyText : picker.dataset.oneText).replace("%s", count)
        : picker.dataset.noneText;
      listbox.hidden = count === 0;
      input.setAttribute("aria-expanded", count ? "true" : "false");
      active = -1;
    }

    async function search() {
      const text = input.value.trim();
      if (text.length < MIN_LENGTH) {
        close();
        return;
      }
      if (text === asked && options.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
        return;
      }
      asked = text;
      const separator = url.includes("?") ? "&" : "?";
      try {
        const answer = await fetch(`${url}${separator}q=${encodeURIComponent(text)}`, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!answer.ok || input.value.trim() !== text) return;
        show((await answer.json()).results);
      } catch {
        close(); // offline: the form still looks the name up when sent
      }
    }

    input.addEventListener("input", () => {
      if (hidden) hidden.value = "";
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY_MS);
    });
    input.addEventListener("keydown", (event) => {
      const open = !listbox.hidden && options.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) {
          search();
          return;
        }
        highlight(active + 1 >= options.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault(); // choose, do not send the form yet
        choose(options[active]);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-person-picker]").forEach(setUp);
  });
})();
