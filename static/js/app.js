// Progressive enhancements; every page works without them.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
    return;
  }
  // A double click must not submit twice.
  if (form.dataset.submitted === "1") { event.preventDefault(); return; }
  form.dataset.submitted = "1";
  // The clicked button's name/value (e.g. decision=approve) must reach the server.
  // A disabled button is left out of the submission, so mirror it in a hidden input
  // and only disable the buttons once the browser has built the request.
  const submitter = event.submitter;
  if (submitter && submitter.name) {
    const mirror = document.createElement("input");
    mirror.type = "hidden";
    mirror.name = submitter.name;
    mirror.value = submitter.value;
    mirror.dataset.submitter = "1";
    form.appendChild(mirror);
  }
  window.setTimeout(() => {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach((b) => { b.disabled = true; });
  }, 0);
});

// A page restored from the back/forward cache must be usable again.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-submitted='1']").forEach((form) => {
    delete form.dataset.submitted;
    form.querySelectorAll("input[data-submitter='1']").forEach((i) => i.remove());
    form.querySelectorAll("button").forEach((b) => { b.disabled = false; });
  });
});
