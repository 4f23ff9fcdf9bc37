// Checks as you type on the intake form; the server checks everything again.
(function () {
  const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const CODES = "10X98765432";

  function residentIdProblem(raw) {
    const s = raw.replace(/\s+/g, "").toUpperCase();
    if (!s) return "请填写身份证号码";
    if (!/^\d{17}[\dX]$/.test(s)) return "身份证号码应为 18 位（末位可为 X）";
    const y = +s.slice(6, 10), m = +s.slice(10, 12), d = +s.slice(12, 14);
    const date = new Date(y, m - 1, d);
    if (y < 1900 || date.getFullYear() !== y || date.getMonth() !== m - 1 || date.getDate() !== d) {
      return "身份证号码中的出生日期无效";
    }
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += (+s[i]) * WEIGHTS[i];
    if (CODES[sum % 11] !== s[17]) return "身份证号码校验位不正确，请核对";
    return "";
  }

  function phoneProblem(raw) {
    const s = raw.replace(/[\s()（）]/g, "");
    if (!s) return "";
    if (/^1[3-9]\d{9}$/.test(s) || /^0\d{2,3}-?\d{7,8}$/.test(s)) return "";
    return "联系电话格式不正确（手机 11 位或带区号的座机）";
  }

  function amountProblem(raw) {
    const s = raw.trim().replace(/,/g, "");
    if (!s) return "请填写金额";
    if (!/^\d+(\.\d{1,2})?$/.test(s)) return "金额应为不小于零的数字，最多两位小数";
    if (+s > 10000000) return "金额过大，请核对";
    return "";
  }

  function feedbackFor(input) {
    let box = input.parentElement.querySelector(".js-feedback");
    if (!box) {
      box = document.createElement("div");
      box.className = "invalid-feedback js-feedback";
      input.insertAdjacentElement("afterend", box);
    }
    return box;
  }

  function attach(input, check) {
    if (!input) return;
    const run = () => {
      const problem = check(input.value);
      feedbackFor(input).textContent = problem;
      input.classList.toggle("is-invalid", Boolean(problem) && input.value !== "");
      input.classList.toggle("is-valid", !problem && input.value !== "");
      input.setCustomValidity(problem);
    };
    input.addEventListener("input", run);
    input.addEventListener("blur", run);
  }

  attach(document.getElementById("id_number"), residentIdProblem);
  attach(document.getElementById("phone"), phoneProblem);
  attach(document.getElementById("amount_needed"), amountProblem);
  document.querySelectorAll(".js-amount").forEach((el) => attach(el, (v) => v.trim() ? amountProblem(v) : ""));
})();
