// Event mode: one tablet, many people. Each response gets an id made here, is queued in localStorage, and is sent
// with fetch; the page then clears itself for the next person. If the connection drops, the queue keeps the
// answers and is sent when the browser is back online (and every few seconds). The server stores each id once,
// so sending the same response twice is harmless.
// survey-conditions.js (loaded beside this) re-applies the display conditions when the form is reset.

const form = document.querySelector("form[data-kiosk]");
const statusBox = document.querySelector("[data-kiosk-status]");
const errorsBox = document.querySelector("[data-kiosk-errors]");
const queueCount = document.querySelector("[data-kiosk-queue]");
const KEY = `survey-kiosk-queue-${form ? form.dataset.survey : ""}`;

function newId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function readQueue() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "[]");
  } catch {
    return [];
  }
}

function writeQueue(queue) {
  localStorage.setItem(KEY, JSON.stringify(queue));
  if (queueCount) queueCount.textContent = String(queue.length);
}

function answersOf(formElement) {
  const answers = {};
  for (const [name, value] of new FormData(formElement)) {
    if (!/^q\d/.test(name) || value === "") continue;
    (answers[name] = answers[name] || []).push(String(value));
  }
  return answers;
}

function say(message) {
  statusBox.textContent = message;
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

async function send(item) {
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const response = await fetch(form.dataset.submitUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(item),
    credentials: "same-origin",
  });
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
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
      if (result.status >= 500 || result.status === 429) return; // busy or in trouble: keep it and try later
      // Stored (or refused for good, e.g. the survey closed): either way it leaves the queue.
      writeQueue(readQueue().filter((q) => q.client_id !== item.client_id));
    }
    if (queueCount) queueCount.textContent = "0";
  } finally {
    flushing = false;
  }
}

function resetForNext(message) {
  form.reset();
  errorsBox.replaceChildren();
  say(message);
  window.scrollTo(0, 0);
  document.getElementById("kiosk-heading").focus();
}

if (form) {
  writeQueue(readQueue());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const item = { client_id: newId(), answers: answersOf(form) };
    let result;
    try {
      result = await send(item);
    } catch {
      writeQueue([...readQueue(), item]);
      resetForNext("Thank you. Your answers are saved on this tablet and will be sent when the connection is back. Ready for the next person.");
      return;
    }
    if (result.status === 400) {
      showErrors(result.body.errors);
      return;
    }
    if (result.status >= 500 || result.status === 429) {
      writeQueue([...readQueue(), item]);
    } else if (!result.body.ok) {
      showErrors(result.body.errors);
      return;
    }
    resetForNext("Thank you, your answers have been sent. Ready for the next person.");
  });
  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  flush();
}
