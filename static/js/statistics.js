// Statistics page: draw each figure's chart (data in its canvas's data-chart attribute) and let
// the reader switch between the chart and its table; monthly reports: poll a report's stage.
(function () {
  const labels = document.getElementById("toggle-labels");

  function setView(name, showTable) {
    const box = document.getElementById(name + "-chart-box");
    const table = document.getElementById(name + "-table-wrap");
    const button = document.getElementById(name + "-toggle");
    if (!box || !table || !button) { return; }
    box.classList.toggle("d-none", showTable);
    table.classList.toggle("d-none", !showTable);
    button.setAttribute("aria-pressed", showTable ? "true" : "false");
    button.textContent = showTable ? labels.dataset.chart : labels.dataset.table;
  }

  if (typeof window.Chart !== "undefined" && labels) {
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      let data;
      try { data = JSON.parse(canvas.getAttribute("data-chart")); } catch (e) { return; }
      const name = canvas.id.replace(/-chart$/, "");
      const percent = canvas.dataset.percent === "1";
      new window.Chart(canvas, {
        type: "bar",
        data: { labels: data.labels,
                datasets: [{ label: data.label, data: data.values, backgroundColor: "#b3261e" }] },
        options: {
          responsive: true, maintainAspectRatio: false, indexAxis: "y",
          animation: { onComplete: () => { canvas.dataset.rendered = "1"; } },
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, max: percent ? 100 : undefined,
                         ticks: { precision: 0 } } },
        },
      });
      const button = document.getElementById(name + "-toggle");
      if (button) {
        button.classList.remove("d-none");
        button.addEventListener("click", () => {
          setView(name, button.getAttribute("aria-pressed") !== "true");
        });
      }
      setView(name, false);
    });
  }

  document.querySelectorAll(".report-item[data-done='0']").forEach((item) => {
    const stage = item.querySelector(".report-stage");
    const bar = item.querySelector(".report-progress");
    const files = item.querySelector(".report-files");
    const poll = () => {
      fetch(item.dataset.statusUrl, { headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : null))
        .then((data) => {
          if (!data) { return; }
          stage.textContent = data.label;
          bar.value = data.progress;
          bar.textContent = data.progress + "%";
          if (data.done) { files.classList.remove("d-none"); return; }
          if (!data.failed) { window.setTimeout(poll, 1000); }
        })
        .catch(() => window.setTimeout(poll, 3000));
    };
    window.setTimeout(poll, 500);
  });
})();
