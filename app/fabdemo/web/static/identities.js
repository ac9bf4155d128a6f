// Identities page (IDENTITIES=ca, presenter only): register, re-enroll and revoke users through
// /api/identities, the same service as `make user` / `make revoke`; the page reloads with the result.
import { errorText } from "/static/app.js";

const T = JSON.parse(document.getElementById("id-texts").textContent);
const message = document.getElementById("id-message");

function show(text, ok) {
  if (!message) return;
  message.hidden = false;
  message.textContent = text;
  message.className = `verdict-line ${ok ? "ok" : "bad"}`;
}

async function call(url, body) {
  show(T.working, true);
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body || {}),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    show(errorText(data.error || { message: response.statusText }), false);
    return false;
  }
  show(T.done, true);
  setTimeout(() => window.location.reload(), 400);
  return true;
}

document.getElementById("id-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  call("/api/identities", { org: form.get("org"), name: form.get("name"), attrs: form.get("attrs") || "" });
});

for (const button of document.querySelectorAll("button[data-action]")) {
  button.addEventListener("click", () => {
    const { action, org, name } = button.dataset;
    if (action === "revoke" && !window.confirm(T.confirm_revoke.replace("{name}", name))) return;
    call(`/api/identities/${encodeURIComponent(org)}/${encodeURIComponent(name)}/${action}`);
  });
}
