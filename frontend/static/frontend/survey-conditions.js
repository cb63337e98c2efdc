// Display conditions, progressively: a question whose data-show-if-name answer is not one of data-show-if-values
// is hidden (and its inputs disabled, so nothing hidden is sent). The server evaluates the same conditions, so
// without this script every question shows, with a note saying when to answer it.
// A form with data-focus-first puts the keyboard on its first question (paper entry).

function applyConditions(form) {
  const groups = [...form.querySelectorAll("[data-show-if-name]")];
  for (const group of groups) {
    const wanted = JSON.parse(group.dataset.showIfValues || "[]");
    const controller = form.querySelector(`[id="${group.dataset.showIfName}-group"]`);
    const controllerShown = !controller || !controller.hidden;
    const given = [...form.elements]
      .filter((e) => e.name === group.dataset.showIfName && !e.disabled)
      .filter((e) => ((e.type === "radio" || e.type === "checkbox") ? e.checked : e.value !== ""))
      .map((e) => e.value);
    const show = controllerShown && given.some((v) => wanted.includes(v));
    group.hidden = !show;
    for (const input of group.querySelectorAll("input, select, textarea")) input.disabled = !show;
  }
}

function init(form) {
  applyConditions(form);
  form.addEventListener("change", () => applyConditions(form));
  form.addEventListener("input", () => applyConditions(form));
  form.addEventListener("reset", () => setTimeout(() => applyConditions(form), 0));
  for (const group of form.querySelectorAll("[data-show-if-name] .govuk-hint")) {
    if (group.textContent.startsWith("Answer this only if")) group.classList.add("govuk-visually-hidden");
  }
}

const form = document.getElementById("survey-form");
if (form) {
  init(form);
  if (form.hasAttribute("data-focus-first") && !document.querySelector(".govuk-error-summary")) {
    const first = form.querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
    if (first) first.focus();
  }
}
