// Private prices: check a disclosed price JSON against the hash on the shared ledger.
import { callJson, el, errorText } from "/static/app.js";

const T = window.FD.texts;
const form = document.getElementById("verify-form");
if (form) form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const out = document.getElementById("verify-result");
  const { ok, body } = await callJson(`/api/lots/${encodeURIComponent(form.dataset.lot)}/price/verify`, {
    method: "POST", body: JSON.stringify({ disclosed: form.disclosed.value, org: window.FD.org }) });
  if (!ok) { out.replaceChildren(el("div", { class: "outcome bad" }, el("span", { text: errorText(body.error) }))); return; }
  out.replaceChildren(el("div", { class: `outcome ${body.match ? "ok" : "bad"} hashes`, "data-testid": body.match ? "price-match" : "price-mismatch" },
    el("b", { text: body.match ? `✓ ${T.price_match}` : `✗ ${T.price_mismatch}` }),
    el("div", { text: `${T.anchored_hash}: ${body.hash}` }), el("div", { text: `${T.your_hash}: ${body.disclosedHash}` })));
});
