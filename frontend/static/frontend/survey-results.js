// Live results: a WebSocket to /ws/surveys/<id>/results/ says when a response has arrived (counts only); the page
// then fetches its own figures again over HTTP, with the same permission check, and swaps them in. Without it the
// page shows the results as they were when it loaded.
const box = document.getElementById("survey-results");

async function reload() {
  const url = new URL(window.location.href);
  url.searchParams.set("fragment", "1");
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (response.ok) {
    box.innerHTML = await response.text();
    box.dataset.updated = String(Date.now());
  }
}

let pending = null;

function connect(delay) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${window.location.host}/ws/surveys/${box.dataset.survey}/results/`);
  socket.addEventListener("open", () => {
    box.dataset.liveConnected = "true";
    delay = 1000;
  });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.event !== "response.added") return;
    const count = document.getElementById("results-responses");
    if (count) count.textContent = String(message.responses);
    // Announce the new total, not the whole table: a screen reader would otherwise read every figure again.
    const announce = document.getElementById("results-announce");
    if (announce) announce.textContent = `A new response: ${message.responses} in all.`;
    // At a busy event many arrive at once: reload at most once a second.
    if (pending === null) {
      pending = setTimeout(() => {
        pending = null;
        reload().catch(() => {});
      }, 1000);
    }
  });
  socket.addEventListener("close", (event) => {
    box.dataset.liveConnected = "false";
    if (event.code === 4403) return; // refused: no point trying again
    setTimeout(() => connect(Math.min(delay * 2, 30000)), delay);
  });
}

if (box && box.dataset.live === "true") connect(1000);
