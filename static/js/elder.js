// 长辈模式 (elderly-friendly mode): applied before the page is drawn, remembered per browser.
(function () {
  var KEY = "jiujinan-elder-mode";
  var on = false;
  try { on = window.localStorage.getItem(KEY) === "1"; } catch (e) { /* storage disabled */ }
  if (on) { document.documentElement.classList.add("elder"); }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("elder-toggle");
    if (!button) { return; }
    button.hidden = false;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.addEventListener("click", function () {
      on = !document.documentElement.classList.contains("elder");
      document.documentElement.classList.toggle("elder", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* storage disabled */ }
    });
  });
})();
