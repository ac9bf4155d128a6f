// Network view: refresh the server-rendered SVG every few seconds (health, heights, Raft leader, pids).
const box = document.getElementById("netmap");
async function refresh() {
  try {
    const response = await fetch(box.dataset.refresh, { headers: { Accept: "text/html" } });
    // The server renders (and escapes) the SVG; DOMParser never runs scripts, and the CSP forbids inline ones.
    if (response.ok) {
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      box.replaceChildren(...doc.body.childNodes);
    }
  } catch (_) { /* keep the last picture */ }
}
setInterval(refresh, 4000);
