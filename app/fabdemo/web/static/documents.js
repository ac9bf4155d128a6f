// Document check: send the dropped file to the service, which hashes it and asks the ledger.
import { el, errorText, fmt } from "/static/app.js";

const T = window.FD.texts;
const form = document.getElementById("doc-form");
const drop = document.getElementById("drop");
const input = document.getElementById("doc-file");
const out = document.getElementById("doc-result");

async function check(file) {
  const data = new FormData();
  data.append("file", file);
  const hashOnly = form.hash_only.checked;
  const lot = form.lot.value.trim();
  let url = "/api/documents/hash";
  if (!hashOnly) {
    data.append("cert_id", form.cert.value.trim());
    url = `/api/lots/${encodeURIComponent(lot)}/certificates/check`;
  }
  out.replaceChildren(el("div", { class: "outcome", text: T.loading }));
  const response = await fetch(url, { method: "POST", body: data, headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) {
    out.replaceChildren(el("div", { class: "outcome bad", "data-testid": "outcome-error" }, el("span", { class: "code", text: body.error.code }), el("span", { text: errorText(body.error) })));
    return;
  }
  if (hashOnly) {
    const anchor = el("a", { class: "btn small", href: `/operations/anchor_certificate?lot=${encodeURIComponent(lot)}&sha256Hex=${body.sha256}`, text: "AnchorCertificate →" });
    out.replaceChildren(el("div", { class: "outcome ok hashes" }, el("div", { text: `${T.your_hash}: ${body.sha256}` }), lot ? anchor : null));
    return;
  }
  const box = el("div", { class: `outcome ${body.match ? "ok" : "bad"} hashes`, "data-testid": body.match ? "doc-match" : "doc-mismatch" },
    el("b", { text: body.match ? `✓ ${T.doc_match}` : `✗ ${T.doc_mismatch}` }),
    el("div", { text: `${T.your_hash}: ${body.sha256}` }),
    el("div", { text: `${T.anchored_hash}: ${body.certificate.sha256} (${fmt(T.anchored_on, { lot: body.anchoredOnLotId })})` }));
  if (body.anchorProof) box.append(el("div", { class: "proof", text: `${T.tx} ${body.anchorProof.txId.slice(0, 12)}… · ${T.block} #${body.anchorProof.blockNumber}` }));
  out.replaceChildren(box);
}
input.addEventListener("change", () => input.files[0] && check(input.files[0]));
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); if (e.dataTransfer.files[0]) check(e.dataTransfer.files[0]); });
form.addEventListener("submit", (e) => e.preventDefault());
