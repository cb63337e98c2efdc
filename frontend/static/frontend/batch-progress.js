// Live progress of an import on its batch page: a WebSocket to /ws/batches/<id>/ whose messages move the
// progress bar and the counts. Without it the page shows the state when it loaded and a Refresh link.
const box = document.getElementById("batch-progress");

function update(p) {
  const bar = document.getElementById("batch-progress-bar");
  const done = p.status === "finished" || p.status === "failed";
  if (done) {
    bar.max = 1;
    bar.value = 1;
    bar.textContent = "Done";
  } else if (p.rows_total) {
    bar.max = p.rows_total;
    bar.value = Math.min(p.rows_done, p.rows_total);
    bar.textContent = `${p.rows_done} of ${p.rows_total}`;
  }
  const rows = box.querySelector("[data-batch-rows]");
  if (rows) {
    rows.textContent = done
      ? "All rows processed."
      : `${p.rows_done} of ${p.rows_total ?? "an unknown number of"} rows processed.`;
  }
  for (const key of ["read", "imported", "duplicates", "rejected"]) {
    const cell = box.querySelector(`[data-count="${key}"]`);
    if (cell) cell.textContent = String(p[key]);
  }
  const status = box.querySelector("[data-batch-status]");
  const labels = { pending: "Waiting to start", running: "Importing", finished: "Finished", failed: "Failed" };
  if (status && labels[p.status]) {
    status.textContent = labels[p.status];
    status.className = "govuk-tag " + ({ finished: "govuk-tag--green", failed: "govuk-tag--red", running: "govuk-tag--blue" }[p.status] || "govuk-tag--grey");
  }
  box.dataset.status = p.status;
  if (done) {
    const announce = box.querySelector("[data-batch-announce]");
    if (announce) {
      announce.textContent = p.status === "failed"
        ? `The import failed: ${p.error}`
        : `Import finished: ${p.imported} imported, ${p.duplicates} duplicates, ${p.rejected} rejected.`;
    }
    const refresh = box.querySelector("[data-batch-refresh]");
    if (refresh) refresh.innerHTML = '<a class="govuk-link" href="">Reload the page</a> to see the rejected rows.';
  }
}

function connect(delay) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${window.location.host}/ws/batches/${box.dataset.batch}/`);
  socket.addEventListener("open", () => {
    box.dataset.liveConnected = "true";
    delay = 1000;
    // The import may have moved on (or finished) between the page loading and the socket opening.
    fetch(`/api/batches/${box.dataset.batch}/`, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null))
      .then((p) => { if (p) update(p); })
      .catch(() => {});
  });
  socket.addEventListener("message", (event) => {
    const p = JSON.parse(event.data);
    update(p);
    if (p.status === "finished" || p.status === "failed") socket.close(1000);
  });
  socket.addEventListener("close", (event) => {
    box.dataset.liveConnected = "false";
    const done = box.dataset.status === "finished" || box.dataset.status === "failed";
    if (!done && event.code !== 4403 && event.code !== 1000) setTimeout(() => connect(Math.min(delay * 2, 30000)), delay);
  });
}

if (box && box.dataset.live === "true" && "WebSocket" in window) connect(1000);
