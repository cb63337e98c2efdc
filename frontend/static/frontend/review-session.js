// The live review session page: a WebSocket to /ws/sessions/<id>/ whose events update the page in place.
// Events carry counts, never who scored what. For a new current record, a reveal or an agreed view the page fetches
// itself again and swaps in the parts that changed, so what each person sees is always what the server lets them
// see (their own score, and others' only after the reveal). Without JavaScript the page works by reloading.
const box = document.getElementById("review-session");
const HEARTBEAT_MS = 30000;

function announce(text) {
  const region = box.querySelector("[data-announce]");
  if (region) region.textContent = text;
}

function setPresent(names) {
  const list = box.querySelector("[data-present]");
  if (!list) return;
  list.replaceChildren(
    ...(names.length ? names : ["Nobody"]).map((name) => {
      const li = document.createElement("li");
      li.textContent = name;
      return li;
    }),
  );
}

function setProgress(e) {
  const cell = box.querySelector(`[data-item-scored="${e.item}"]`);
  if (cell) cell.textContent = String(e.scored);
  const current = box.querySelector("#current");
  if (current && current.dataset.current === String(e.item)) {
    const scored = current.querySelector("[data-scored]");
    const scorers = current.querySelector("[data-scorers]");
    if (scored) scored.textContent = String(e.scored);
    if (scorers) scorers.textContent = String(e.scorers);
  }
}

let refreshing = null;
function refresh(message) {
  // One fetch at a time; events that arrive meanwhile are covered by the next one.
  if (refreshing) {
    refreshing.again = true;
    return;
  }
  refreshing = { again: false };
  fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then((r) => (r.ok ? r.text() : null))
    .then((html) => {
      if (!html) return;
      const fresh = new DOMParser().parseFromString(html, "text/html");
      for (const id of ["current", "sample"]) {
        const now = document.getElementById(id);
        const next = fresh.getElementById(id);
        if (now && next) now.replaceWith(document.importNode(next, true));
      }
      if (message) announce(message);
    })
    .catch(() => {})
    .finally(() => {
      const again = refreshing && refreshing.again;
      refreshing = null;
      if (again) refresh();
    });
}

function closed() {
  box.dataset.status = "closed";
  const status = box.querySelector("[data-session-status]");
  if (status) {
    status.textContent = "Closed";
    status.className = "govuk-tag govuk-tag--grey";
  }
  refresh("The chair has closed the session.");
}

function handle(e) {
  switch (e.event) {
    case "presence":
      setPresent(e.present || []);
      break;
    case "progress":
      setProgress(e);
      break;
    case "current":
      refresh(e.position ? `The meeting has moved to record ${e.position}.` : "");
      break;
    case "revealed":
      refresh("The chair has revealed the scores.");
      break;
    case "agreed":
      refresh("The panel's view has been recorded.");
      break;
    case "closed":
      closed();
      break;
  }
}

function connect(delay) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${window.location.host}/ws/sessions/${box.dataset.session}/`);
  let beat = null;
  socket.addEventListener("open", () => {
    box.dataset.liveConnected = "true";
    // Things may have moved on while the page loaded or the connection was down.
    if (delay > 1000) refresh();
    delay = 1000;
    beat = setInterval(() => socket.send(JSON.stringify({ type: "heartbeat" })), HEARTBEAT_MS);
  });
  socket.addEventListener("message", (event) => handle(JSON.parse(event.data)));
  socket.addEventListener("close", (event) => {
    box.dataset.liveConnected = "false";
    if (beat) clearInterval(beat);
    if (event.code === 4403 || box.dataset.status === "closed") return;
    // A dropped connection or a restarting server: try again, waiting longer each time.
    setTimeout(() => connect(Math.min(delay * 2, 30000)), delay);
    delay = Math.min(delay * 2, 30000);
  });
}

if (box && box.dataset.live === "true" && "WebSocket" in window) connect(1000);
