// Intake form: more household member rows, and the duplicate check as an ID number is filled
// in. Without JavaScript the form still works: two member rows, and the check on submit.
(function () {
  const form = document.getElementById("intake-form");
  if (!form) return;
  const url = form.dataset.duplicatesUrl;
  const ID = /^\d{17}[\dXx]$/;

  function boxFor(input) {
    const wrap = input.closest(".mb-3");
    const next = wrap && wrap.nextElementSibling;
    return next && next.classList.contains("js-duplicate") ? next : null;
  }

  function check(input) {
    const box = boxFor(input);
    if (!box || !url) return;
    const value = input.value.replace(/\s+/g, "");
    if (!ID.test(value)) {
      box.classList.add("d-none");
      box.textContent = "";
      return;
    }
    const body = new FormData();
    body.append("id_number", value);
    body.append("category", (form.querySelector("[name=category]") || {}).value || "");
    body.append("csrf_token", form.querySelector("[name=csrf_token]").value);
    fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : { message: "" }))
      .then((data) => {
        box.textContent = data.message || "";
        box.classList.toggle("d-none", !data.message);
      })
      .catch(() => box.classList.add("d-none"));
  }

  function watch(input) {
    input.addEventListener("change", () => check(input));
    input.addEventListener("blur", () => check(input));
  }

  function idInputs(root) {
    return root.querySelectorAll("#id_number, input[name$='-id_number']");
  }

  idInputs(form).forEach(watch);

  const add = document.getElementById("add-member");
  const list = document.getElementById("members");
  if (!add || !list) return;
  add.classList.remove("d-none");
  add.addEventListener("click", () => {
    const rows = list.querySelectorAll(".member-row");
    if (rows.length >= 20) return;
    const last = rows[rows.length - 1];
    const index = rows.length;
    const copy = last.cloneNode(true);
    copy.querySelectorAll("[name], [id], [for]").forEach((el) => {
      ["name", "id", "for"].forEach((attr) => {
        const v = el.getAttribute(attr);
        if (v) el.setAttribute(attr, v.replace(/members-\d+-/, "members-" + index + "-"));
      });
    });
    copy.querySelectorAll("input[type=text], input:not([type])").forEach((el) => { el.value = ""; });
    copy.querySelectorAll("input[type=checkbox]").forEach((el) => { el.checked = false; });
    copy.querySelectorAll("select").forEach((el) => { el.selectedIndex = 0; });
    copy.querySelectorAll(".invalid-feedback").forEach((el) => el.remove());
    copy.querySelectorAll(".is-invalid").forEach((el) => el.classList.remove("is-invalid"));
    copy.querySelectorAll(".js-duplicate").forEach((el) => { el.textContent = ""; el.classList.add("d-none"); });
    const title = copy.querySelector(".member-title");
    if (title) title.textContent = title.textContent.replace(/\d+/, String(index + 1));
    list.appendChild(copy);
    idInputs(copy).forEach(watch);
    const name = copy.querySelector("input[name$='-name']");
    if (name) name.focus();
  });
})();
