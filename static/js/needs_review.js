// 发布审核: re-check the card for personal data as the officer edits it.
(() => {
  const form = document.getElementById("review-form");
  if (!form || !window.fetch) return;
  const title = document.getElementById("preview-title");
  const story = document.getElementById("preview-story");
  const findings = document.getElementById("findings");
  const publish = document.getElementById("publish-button");
  let timer = null;

  function show(data) {
    findings.classList.toggle("alert-danger", !data.publishable);
    findings.classList.toggle("alert-success", data.publishable);
    findings.textContent = data.error ? data.error : (data.publishable
      ? "未检测到个人信息。黄色标记处为已去除的个人信息。"
      : "检测到个人信息，不能发布：" + data.findings.join("、"));
    // The server escapes the text and adds only <mark> elements.
    if (data.title_html !== undefined) title.innerHTML = data.title_html;
    if (data.story_html !== undefined) story.innerHTML = data.story_html;
    if (publish) publish.disabled = !data.publishable;
  }

  function check() {
    fetch(form.dataset.checkUrl, {method: "POST", body: new FormData(form),
                                  credentials: "same-origin"})
      .then((r) => r.json()).then(show).catch(() => {});
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
})();
