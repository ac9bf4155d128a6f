// The console of any deployed contract (/contracts/<name>): sends a form as POST /api/contracts/<name>/<tx>
// (typed values, transient JSON, the chosen org) and shows the result with its ledger proof; polls the
// contract's events. Argument rules live in the service (service/anycontract.py); this file only converts
// what the inputs hold to JSON values.
import { el, orgName, outcomeError } from "./app.js";

const T = window.FD.texts;
const consoleEl = document.querySelector("[data-chaincode]");
const chaincode = consoleEl.dataset.chaincode;

function value(input) {
  const type = input.dataset.type;
  if (type === "boolean") return input.checked;
  if (input.value === "") return undefined;
  if (type === "integer" || type === "number") {
    const n = Number(input.value);
    return Number.isFinite(n) ? n : input.value;  // the service names what is wrong
  }
  if (type === "object" || type === "array") {
    try { return JSON.parse(input.value); } catch (_) { return input.value; }
  }
  return input.value;
}

function proofView(proof) {
  if (!proof) return null;
  return el("div", { class: "proof", "data-testid": "cc-proof" },
    el("span", { text: `${T.tx} ${(proof.txId || "").slice(0, 12)}…`, title: proof.txId || "" }),
    el("span", { text: `${T.block} #${proof.blockNumber ?? ""}` }),
    el("span", { text: `${T.endorsed_by} ${(proof.endorsers || []).map(orgName).join(", ") || "…"}` }),
    el("span", { class: "valid ok", text: proof.validation || "" }));
}

async function send(form) {
  const out = form.querySelector(".op-result");
  const args = {};
  form.querySelectorAll("[data-type]").forEach((input) => {
    const v = value(input);
    if (v !== undefined) args[input.name] = v;
  });
  let transient = {};
  const raw = form.querySelector("[name=__transient]").value.trim();
  if (raw) {
    try { transient = JSON.parse(raw); } catch (_) {
      out.replaceChildren(el("div", { class: "outcome bad", text: T.cc_bad_transient })); return;
    }
  }
  out.replaceChildren(el("div", { class: "outcome", text: T.sending }));
  const response = await fetch(`/api/contracts/${encodeURIComponent(chaincode)}/${encodeURIComponent(form.dataset.tx)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ org: form.querySelector("[name=__org]").value, args, transient }),
  });
  const body = await response.json();
  if (!response.ok) {
    const err = body.error || body;
    out.replaceChildren(el("div", { "data-testid": "cc-error" }, outcomeError(err)));
    return;
  }
  const text = typeof body.result === "string" ? body.result : JSON.stringify(body.result, null, 2);
  out.replaceChildren(el("div", { class: "outcome ok" },
    el("b", { text: `✓ ${body.kind === "submit" ? T.committed : T.cc_evaluated} · ${body.elapsedMs} ms` }),
    el("pre", { class: "cc-json", "data-testid": "cc-json", text: text ?? "null" }),
    proofView(body.proof)));
  if (body.kind === "submit") pollEvents();
}

document.querySelectorAll("form.cc-form").forEach((form) => form.addEventListener("submit", (e) => {
  e.preventDefault();
  send(form).catch((err) => form.querySelector(".op-result").replaceChildren(
    outcomeError({ code: "NETWORK_UNAVAILABLE", message: String(err), message_zh: String(err) })));
}));

// -- the contract's events -------------------------------------------------------------------------------
const list = document.querySelector("[data-testid=cc-events]");
let nextBlock = 0;
const seen = new Set();
async function pollEvents() {
  const response = await fetch(`/api/contracts/${encodeURIComponent(chaincode)}/events?from=${nextBlock}&limit=100`);
  if (!response.ok) return;
  for (const ev of await response.json()) {
    const key = `${ev.txId}/${ev.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    nextBlock = Math.max(nextBlock, ev.block);
    list.prepend(el("li", { "data-testid": "cc-event" },
      el("strong", { text: ev.name }), el("span", { class: "muted small", text: ` · ${T.block} ${ev.block}` }),
      el("pre", { class: "cc-json small", text: JSON.stringify(ev.payload) })));
  }
}
pollEvents();
setInterval(pollEvents, 3000);
