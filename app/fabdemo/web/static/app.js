// Shared behaviour of every page: language and acting-org switches, the live event stream (alert banner),
// and the operation forms generated from the catalogue. Business rules live in the service layer; this file
// only sends what the user typed and shows what came back.
// The page's data comes in a JSON block (the CSP allows no inline script); other modules read window.FD.
const FD = JSON.parse(document.getElementById("fd-data").textContent);
window.FD = FD;
const T = FD.texts;
const YEAR = 365 * 24 * 3600;

export function fmt(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, k) => (values[k] ?? ""));
}
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}
export const orgName = (msp) => FD.orgs[msp] || msp || "";
export const errorText = (err) => (FD.lang === "zh" && err.message_zh) ? err.message_zh : err.message;

function setPref(name, value) {
  document.cookie = `${name}=${encodeURIComponent(value)}; path=/; max-age=${YEAR}; samesite=lax`;
  try { localStorage.setItem(`fd-${name}`, value); } catch (_) { /* private mode */ }
}
function cookie(name) {
  const m = document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`));
  return m ? decodeURIComponent(m[1]) : null;
}
// A browser whose cookie expired keeps its choices through localStorage.
for (const name of ["lang", "org"]) {
  let stored = null;
  try { stored = localStorage.getItem(`fd-${name}`); } catch (_) { /* ignore */ }
  if (stored && !cookie(name) && stored !== FD[name]) { setPref(name, stored); location.reload(); }
}
document.querySelectorAll("[data-lang]").forEach((b) => b.addEventListener("click", () => {
  setPref("lang", b.dataset.lang); location.reload();
}));
const picker = document.getElementById("org-picker");
if (picker) picker.addEventListener("change", () => { setPref("org", picker.value); location.reload(); });

// -- live events and alerts --------------------------------------------------------------------------
function showAlert(alert) {
  const p = alert.payload || {};
  let text, cls;
  if (alert.name === "TemperatureAlert") {
    text = fmt(T.alert_temperature, { lot: alert.lotId, c: p.celsius, min: p.minTempC, max: p.maxTempC });
    cls = "temp";
  } else {
    const n = Math.max((p.lotIds || []).length - 1, 0);
    text = fmt(T.alert_recall, { lot: alert.lotId, n, reason: p.reason || "" });
    cls = "recall";
  }
  const link = el("a", { href: `/lots/${encodeURIComponent(alert.lotId)}` , text: alert.lotId });
  const close = el("button", { type: "button", text: T.dismiss });
  const banner = el("div", { class: `alert-banner ${cls}`, role: "alert", "data-testid": "alert-banner",
    "data-alert": alert.name, "data-lot": alert.lotId }, el("span", { text: (cls === "temp" ? "" : "✕ ") + text + " " }), link, close);
  close.addEventListener("click", () => banner.remove());
  document.getElementById("alerts").prepend(banner);
}
if (!document.body.classList.contains("public") && window.EventSource) {
  const source = new EventSource("/api/events");
  source.addEventListener("hello", (e) => window.dispatchEvent(new CustomEvent("fd:hello", { detail: JSON.parse(e.data) })));
  source.addEventListener("block", (e) => window.dispatchEvent(new CustomEvent("fd:block", { detail: JSON.parse(e.data) })));
  source.addEventListener("alert", (e) => showAlert(JSON.parse(e.data)));
  source.addEventListener("error", () => window.dispatchEvent(new CustomEvent("fd:offline")));
  window.addEventListener("beforeunload", () => source.close());
}

// -- operation forms ------------------------------------------------------------------------------------
export function outcomeOk(body) {
  const box = el("div", { class: "outcome ok", "data-testid": "outcome-ok" });
  const p = body.proof;
  box.append(el("b", { text: (body.kind === "submit" ? "✓ " + T.committed : "✓ " + T.result) + " · " + body.function }));
  if (p) {
    const proof = el("div", { class: "proof" },
      el("span", { text: `${T.tx} ${p.txId.slice(0, 12)}…`, title: p.txId }),
      el("span", { text: `${T.block} #${p.blockNumber}` }),
      el("span", { text: `${T.endorsed_by} ${(p.endorsers || []).map(orgName).join(", ") || "…"}` }),
      el("span", { class: "valid ok", text: p.validation }));
    box.append(proof);
  }
  const r = body.result;
  const lotId = r && (r.lotId || (Array.isArray(r) && r[0] && r[0].lotId));
  if (lotId && !location.pathname.startsWith("/lots/")) {
    box.append(el("div", {}, el("a", { href: `/lots/${encodeURIComponent(lotId)}`, class: "btn small", "data-testid": "open-lot", text: `${T.open_lot} ${lotId} →` })));
  }
  if (body.kind === "evaluate") box.append(el("pre", { class: "small mono", text: JSON.stringify(r, null, 2).slice(0, 4000) }));
  return box;
}
export function outcomeError(err) {
  return el("div", { class: "outcome bad", "data-testid": "outcome-error", "data-code": err.code },
    el("span", { class: "code", text: err.code }), el("span", { text: errorText(err) }));
}
export async function callJson(url, options = {}) {
  let response;
  try {
    response = await fetch(url, { headers: { "Content-Type": "application/json", Accept: "application/json" }, ...options });
  } catch (e) {
    return { ok: false, body: { error: { code: "NETWORK_UNAVAILABLE", message: String(e), message_zh: "网络不可用" } } };
  }
  let body = null;
  try { body = await response.json(); } catch (_) { body = { error: { code: `HTTP_${response.status}`, message: response.statusText } }; }
  return { ok: response.ok, body };
}

document.querySelectorAll("form.op-form").forEach((form) => form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const out = form.querySelector(".op-result");
  const button = form.querySelector("button[type=submit]");
  const args = {};
  for (const [name, value] of new FormData(form).entries()) args[name] = value;
  button.disabled = true;
  out.replaceChildren(el("div", { class: "outcome", text: T.sending }));
  const { ok, body } = await callJson(`/api/operations/${form.dataset.op}`, {
    method: "POST", body: JSON.stringify({ org: FD.org, args }) });
  button.disabled = false;
  if (!ok) { out.replaceChildren(outcomeError(body.error || {})); return; }
  const box = outcomeOk(body);
  out.replaceChildren(box);
  if (form.dataset.reload && body.kind === "submit") {
    // The outcome is rebuilt from its data after the reload (text only, never parsed as HTML).
    try { sessionStorage.setItem("fd-flash", JSON.stringify(body)); } catch (_) { /* ignore */ }
    setTimeout(() => location.reload(), 500);
  }
}));

// The outcome of the last action survives the reload that shows its effect.
try {
  const flash = sessionStorage.getItem("fd-flash");
  if (flash) {
    sessionStorage.removeItem("fd-flash");
    const holder = document.getElementById("flash");
    holder.replaceChildren(outcomeOk(JSON.parse(flash)));
    setTimeout(() => holder.replaceChildren(), 8000);
  }
} catch (_) { /* ignore */ }

// Filters that apply as soon as they change (no inline handlers: the CSP forbids them).
document.querySelectorAll("select[data-autosubmit]").forEach((s) => s.addEventListener("change", () => s.form.submit()));
