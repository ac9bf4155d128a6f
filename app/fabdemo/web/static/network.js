// Network view: refresh the server-rendered SVG every few seconds (health, heights, Raft leader, pids).
const box = document.getElementById("netmap");
async function refresh() {
  try {
    const response = await fetch(box.dataset.refresh, { headers: { Accept: "text/html" } });
    if (response.ok) box.innerHTML = await response.text();
  } catch (_) { /* keep the last picture */ }
}
setInterval(refresh, 4000);
