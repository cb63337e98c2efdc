// Event mode: one tablet, many people. Each response gets an id made here, is queued in localStorage, and is sent
// with fetch; the page then clears itself for the next person. If the connection drops, the queue keeps the
// answers and is sent when the browser is back online (and every few seconds). The server stores each id once,
// so sending the same response twice is harmless.
//
// A queued response that the server refuses once the connection is back (the survey closed meanwhile, say) is
// never dropped: it moves to a second store, kept until the person running the stall removes it, and the page
// says so ("1 response could not be saved: …") with a button to download the answers as a text file to type in
// with paper entry. The answers are not shown on the page itself: the next person at the stall would see them.
//
// Someone aged 14 to 17 (by the "Are you aged 14 to 17?" answer or the demographics age band) sees the young
// people's information and must tick that they are happy to take part, as on the public form; the server checks
// the same.
// survey-conditions.js (loaded beside this) re-applies the display conditions when the form is reset.

const root = document.querySelector("[data-kiosk]");
const form = root ? root.querySelector("form[data-kiosk-form]") : null;
const statusBox = document.querySelector("[data-kiosk-status]");
const errorsBox = document.querySelector("[data-kiosk-errors]");
const queueCounts = [...document.querySelectorAll("[data-kiosk-queue]")];
const queueNote = document.querySelector("[data-kiosk-queue-note]");
const rejectedBox = document.querySelector("[data-kiosk-rejected]");
const young = form ? form.querySelector("[data-young-consent]") : null;
const UNDER_18 = "14-17";
const KEY = `survey-kiosk-queue-${root ? root.dataset.survey : ""}`;
const REJECTED_KEY = `survey-kiosk-refused-${root ? root.dataset.survey : ""}`;

function newId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// --- The two stores: waiting to be sent, and refused by the server ------------------------------

function read(key) {
  try {
    const value = JSON.parse(localStorage.getItem(key) || "[]");
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

function readQueue() {
  return read(KEY);
}

function writeQueue(queue) {
  localStorage.setItem(KEY, JSON.stringify(queue));
  for (const count of queueCounts) count.textContent = String(queue.length);
  if (queueNote) queueNote.hidden = queue.length === 0;
}

function readRejected() {
  return read(REJECTED_KEY);
}

function writeRejected(items) {
  if (items.length) localStorage.setItem(REJECTED_KEY, JSON.stringify(items));
  else localStorage.removeItem(REJECTED_KEY);
  showRejected();
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function showRejected() {
  if (!rejectedBox) return;
  const items = readRejected();
  rejectedBox.hidden = items.length === 0;
  const reasons = new Map();
  for (const item of items) reasons.set(item.reason, (reasons.get(item.reason) || 0) + 1);
  const box = rejectedBox.querySelector("[data-kiosk-rejected-reasons]");
  box.replaceChildren();
  for (const [reason, count] of reasons) {
    const line = document.createElement("p");
    line.className = "govuk-notification-banner__heading";
    line.textContent = `${plural(count, "response", "responses")} could not be saved: ${reason}`; // text, never markup
    box.append(line);
  }
}

// --- Reading the form --------------------------------------------------------------------------

function answersOf(formElement) {
  const answers = {};
  for (const [name, value] of new FormData(formElement)) {
    if (!/^q\d/.test(name) || value === "") continue;
    (answers[name] = answers[name] || []).push(String(value));
  }
  return answers;
}

function text(element) {
  return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
}

// "3. The police in my area treat young people fairly. (optional)" and "Tend to agree", as the form shows them,
// so that a refused response can be typed in again by paper entry.
function describe(name, value) {
  const base = (name.match(/^q\d+/) || [name])[0];
  const group = document.getElementById(`${base}-group`);
  let question = text(group && group.querySelector("legend, label")) || name;
  const field = [...form.elements].find((e) => e.name === name);
  if (field && name !== base) {
    const row = field.type === "radio" || field.type === "checkbox"
      ? text(field.closest("fieldset") && field.closest("fieldset").querySelector("legend"))
      : text(form.querySelector(`label[for="${field.id}"]`));
    if (row && row !== question) question = `${question} – ${row}`;
  }
  let answer = value;
  const choice = [...form.elements].find((e) => e.name === name && e.value === value && e.id);
  if (choice && (choice.type === "radio" || choice.type === "checkbox")) {
    answer = text(form.querySelector(`label[for="${choice.id}"]`)) || value;
  } else if (field && field.tagName === "SELECT") {
    answer = text([...field.options].find((o) => o.value === value)) || value;
  }
  return [question, answer];
}

function labelsOf(answers) {
  return Object.entries(answers).flatMap(([name, values]) => values.map((v) => describe(name, v)));
}

// --- Young respondents -------------------------------------------------------------------------

function isYoung() {
  if (!form) return false;
  const trigger = young ? young.dataset.youngTrigger : "";
  return [...form.elements].some(
    (e) =>
      (e.name === "age" || (trigger && e.name === trigger)) &&
      !e.disabled &&
      e.value === UNDER_18 &&
      (e.type === "radio" || e.type === "checkbox" ? e.checked : true),
  );
}

function consentError(message) {
  const error = young.querySelector("#young_consent-error");
  error.hidden = !message;
  error.querySelector("[data-message]").textContent = message || "";
  young.classList.toggle("govuk-form-group--error", Boolean(message));
}

function applyYoung() {
  if (!young) return;
  const show = isYoung();
  young.hidden = !show;
  young.querySelector("#young_consent").disabled = !show;
  if (!show) consentError("");
}

// --- Talking to the server ---------------------------------------------------------------------

function say(message) {
  if (statusBox) statusBox.textContent = message;
}

function showErrors(errors) {
  errorsBox.replaceChildren();
  const entries = Object.entries(errors || {});
  if (!entries.length) return;
  const summary = document.createElement("div");
  summary.className = "govuk-error-summary";
  summary.tabIndex = -1;
  const role = document.createElement("div");
  role.setAttribute("role", "alert");
  const title = document.createElement("h2");
  title.className = "govuk-error-summary__title";
  title.textContent = "There is a problem";
  const list = document.createElement("ul");
  list.className = "govuk-list govuk-error-summary__list";
  for (const [name, message] of entries) {
    const item = document.createElement("li");
    if (name) {
      const link = document.createElement("a");
      link.href = `#${name}-group`;
      link.textContent = message; // text, never markup
      item.append(link);
    } else {
      item.textContent = message;
    }
    list.append(item);
  }
  role.append(title, list);
  summary.append(role);
  errorsBox.append(summary);
  summary.focus();
}

// What the server is sent: the labels kept for a refused response stay on the tablet.
function sendable(item) {
  return { client_id: item.client_id, answers: item.answers, age: item.age, young_consent: item.young_consent };
}

async function send(item) {
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  const response = await fetch(root.dataset.submitUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(sendable(item)),
    credentials: "same-origin",
  });
  const body = await response.json().catch(() => ({}));
  return { status: response.status, redirected: response.redirected, body };
}

// The server's answer, as one of: "stored"; "refused" (it read the response and will never take it: the survey
// closed, an answer is invalid); or "retry" (busy, in trouble, or not the kiosk's JSON at all, e.g. the sign-in
// page after the session ran out: the response stays queued).
function outcome(result) {
  if (result.body.ok === true || result.body.reason === "duplicate") return "stored";
  if (!result.redirected && (result.status === 400 || result.status === 409) && result.body.errors) return "refused";
  return "retry";
}

function reasonOf(result) {
  return Object.values(result.body.errors || {}).join(" ") || `The server answered ${result.status}.`;
}

let flushing = false;
async function flush() {
  if (flushing) return;
  flushing = true;
  try {
    for (const item of readQueue()) {
      let result;
      try {
        result = await send(item);
      } catch {
        say(`No connection. ${readQueue().length} response(s) saved on this tablet, to be sent when it is back.`);
        return;
      }
      const done = outcome(result);
      if (done === "retry") return; // keep it and try later
      if (done === "refused") {
        writeRejected([...readRejected(), { ...item, reason: reasonOf(result) }]);
      }
      writeQueue(readQueue().filter((q) => q.client_id !== item.client_id));
    }
  } finally {
    flushing = false;
  }
}

// --- The refused responses, for the person running the stall -----------------------------------

function download() {
  const items = readRejected();
  const lines = [
    `Responses that event mode could not save: ${root.dataset.surveyTitle}`,
    "Type them in with paper entry (“Type in paper forms” on the survey's page).",
    "",
  ];
  items.forEach((item, i) => {
    lines.push(`Response ${i + 1} of ${items.length}, answered on ${item.answered_on || "this tablet"}`);
    lines.push(`Not saved because: ${item.reason}`);
    if (item.age === UNDER_18) lines.push("Aged 14 to 17, and ticked that they are happy to take part.");
    for (const [question, answer] of item.labels || labelsOf(item.answers)) lines.push(`${question}: ${answer}`);
    lines.push(`(tablet id ${item.client_id}; exact answers ${JSON.stringify(item.answers)})`, "");
  });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([lines.join("\r\n")], { type: "text/plain;charset=utf-8" }));
  link.download = `event-responses-not-saved-survey-${root.dataset.survey}.txt`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function dismiss() {
  const count = readRejected().length;
  const sure = window.confirm(
    `Remove ${plural(count, "response", "responses")} from this tablet for good? Download them first if they are not typed in yet.`,
  );
  if (sure) writeRejected([]);
}

// --- Taking responses --------------------------------------------------------------------------

function resetForNext(message) {
  form.reset();
  errorsBox.replaceChildren();
  say(message);
  window.scrollTo(0, 0);
  document.getElementById("kiosk-heading").focus();
}

function itemOf(formElement) {
  const answers = answersOf(formElement);
  const age = formElement.querySelector("input[name=age]:checked");
  return {
    client_id: newId(),
    answers,
    age: age ? age.value : "",
    young_consent: isYoung() && formElement.querySelector("#young_consent").checked,
    labels: labelsOf(answers),
    // The day only, as the server keeps: at a small event a time of day could point at one person.
    answered_on: new Date().toLocaleDateString("en-GB"),
  };
}

if (root) {
  writeQueue(readQueue());
  showRejected();
  rejectedBox.querySelector("[data-kiosk-rejected-download]").addEventListener("click", download);
  rejectedBox.querySelector("[data-kiosk-rejected-dismiss]").addEventListener("click", dismiss);
  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  flush();
}

if (form) {
  applyYoung();
  form.addEventListener("change", applyYoung);
  form.addEventListener("reset", () => setTimeout(applyYoung, 0));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isYoung() && !form.querySelector("#young_consent").checked) {
      consentError(young.dataset.error);
      showErrors({ young_consent: young.dataset.error });
      return;
    }
    consentError("");
    const item = itemOf(form);
    let result;
    try {
      result = await send(item);
    } catch {
      writeQueue([...readQueue(), item]);
      resetForNext("Thank you. Your answers are saved on this tablet and will be sent when the connection is back. Ready for the next person.");
      return;
    }
    const done = outcome(result);
    if (done === "refused") {
      // The person is still here: show what is wrong and keep their answers in the form.
      if (result.body.errors && result.body.errors.young_consent) consentError(result.body.errors.young_consent);
      showErrors(result.body.errors);
      return;
    }
    if (done === "retry" && (result.status === 429 || result.status >= 500)) {
      writeQueue([...readQueue(), item]); // busy or in trouble: keep it and send it later
      resetForNext("Thank you. Your answers are saved on this tablet and will be sent in a moment. Ready for the next person.");
      return;
    }
    if (done === "retry") {
      // Not the kiosk's answer at all (the sign-in page after the session ran out): keep the answers in the form.
      showErrors({ "": "The answers could not be sent: this tablet may no longer be signed in. Ask the person running the stall." });
      return;
    }
    resetForNext("Thank you, your answers have been sent. Ready for the next person.");
  });
}
