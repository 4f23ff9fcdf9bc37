// Suggestions as people type in every search box marked data-suggest (ARIA 1.2 combobox
// with a listbox popup). Without JavaScript the boxes are plain search forms.
(() => {
  const DELAY_MS = 120;
  let counter = 0;

  function enhance(input) {
    const form = input.form;
    const url = input.dataset.suggest;
    const id = `search-suggest-${++counter}`;
    const list = document.createElement("ul");
    list.id = id;
    list.className = "list-group search-suggest shadow-sm";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.dataset.suggestLabel || "");
    list.hidden = true;
    const status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    const holder = document.createElement("div");
    holder.className = "search-suggest-holder";
    input.parentNode.insertBefore(holder, input);
    holder.append(input, list, status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    input.setAttribute("autocomplete", "off");

    let timer = null;
    let active = -1;
    let asked = "";
    let controller = null;

    const options = () => Array.from(list.querySelectorAll("[role=option]"));

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const items = options();
      items.forEach((item, i) => {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
        item.classList.toggle("active", i === index);
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(text) {
      input.value = text;
      close();
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }

    function show(suggestions) {
      list.replaceChildren();
      suggestions.forEach((s, i) => {
        const item = document.createElement("li");
        item.id = `${id}-${i}`;
        item.className = `list-group-item list-group-item-action search-suggestion kind-${s.kind}`;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = s.text;
        item.addEventListener("mousedown", (event) => event.preventDefault());
        item.addEventListener("click", () => choose(s.text));
        list.append(item);
      });
      active = -1;
      const open = suggestions.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      const template = input.dataset.suggestStatus || "{n}";
      status.textContent = open ? template.replace("{n}", String(suggestions.length)) : "";
    }

    async function fetchSuggestions() {
      const q = input.value.trim();
      if (!q) { close(); return; }
      if (q === asked && !list.hidden) return;
      asked = q;
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const response = await fetch(`${url}?q=${encodeURIComponent(q)}`, {
          signal: controller.signal, headers: { Accept: "application/json" },
        });
        if (!response.ok) { close(); return; }
        const body = await response.json();
        if (input.value.trim() === q) show(body.suggestions || []);
      } catch (error) {
        if (error.name !== "AbortError") close();
      }
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY_MS);
    });
    input.addEventListener("keydown", (event) => {
      const items = options();
      if (event.key === "ArrowDown" && !list.hidden && items.length) {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp" && !list.hidden && items.length) {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        choose(items[active].textContent);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  document.querySelectorAll("input[data-suggest]").forEach(enhance);
})();
