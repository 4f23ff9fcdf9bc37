// Charts of the transparency page; data comes from each canvas's data-chart attribute.
(function () {
  if (typeof window.Chart === "undefined") { return; }
  const palette = ["#b3261e", "#e8710a", "#f9ab00", "#1e8e3e", "#1a73e8", "#9334e6",
                   "#12b5cb", "#5f6368", "#d01884", "#188038", "#a50e0e", "#185abc", "#e37400"];
  const yuan = (v) => "¥" + Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 0 });
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    let data;
    try { data = JSON.parse(canvas.getAttribute("data-chart")); } catch (e) { return; }
    const type = canvas.getAttribute("data-chart-type") || "bar";
    const horizontal = type === "bar";
    new window.Chart(canvas, {
      type: type,
      data: {
        labels: data.labels,
        datasets: [{ data: data.values,
                     backgroundColor: type === "bar" ? palette[0] : palette.slice(0, data.values.length) }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: { onComplete: () => { canvas.dataset.rendered = "1"; } },
        indexAxis: horizontal ? "y" : "x",
        plugins: {
          legend: { display: type !== "bar", position: "bottom" },
          tooltip: { callbacks: { label: (ctx) => yuan(ctx.parsed.x ?? ctx.parsed) } },
        },
        scales: type === "bar" ? { x: { beginAtZero: true,
                                        ticks: { precision: 0, callback: (v) => yuan(v) } } } : {},
      },
    });
  });
})();
