// Matching run page: poll the run's status while it is queued, reload when it finished.
(() => {
  const badge = document.getElementById("run-status");
  if (!badge || badge.dataset.status !== "queued") return;
  const url = badge.dataset.url;
  let tries = 0;
  const poll = () => {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null))
      .then((data) => {
        if (data && data.status !== "queued") { window.location.reload(); return; }
        if (tries < 150) window.setTimeout(poll, 2000);
      })
      .catch(() => { if (tries < 150) window.setTimeout(poll, 4000); });
  };
  window.setTimeout(poll, 1500);
})();
