// Live notifications for signed-in people: a WebSocket to /ws/notifications/ whose messages
// appear in the page's polite live region. Pages work without it; it only adds immediacy.
const region = document.getElementById("live-notifications");

function show(payload) {
  const banner = document.createElement("div");
  banner.className = "govuk-notification-banner";
  banner.setAttribute("role", "region");
  banner.setAttribute("aria-label", "Notification");
  const content = document.createElement("div");
  content.className = "govuk-notification-banner__content";
  const p = document.createElement("p");
  p.className = "govuk-notification-banner__heading";
  p.textContent = payload.message + " ";
  if (payload.url) {
    const link = document.createElement("a");
    link.className = "govuk-notification-banner__link";
    link.href = payload.url;
    link.textContent = "Open";
    p.appendChild(link);
  }
  content.appendChild(p);
  banner.appendChild(content);
  region.appendChild(banner);
}

function connect(delay) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${window.location.host}/ws/notifications/`);
  socket.addEventListener("open", () => { document.body.dataset.liveConnected = "true"; delay = 1000; });
  socket.addEventListener("message", (event) => show(JSON.parse(event.data)));
  socket.addEventListener("close", (event) => {
    document.body.dataset.liveConnected = "false";
    if (event.code !== 4401) setTimeout(() => connect(Math.min(delay * 2, 30000)), delay);
  });
}

if (region && "WebSocket" in window) connect(1000);
