// Live ledger: prepend each block as the block follower reads it (pushed over Server-Sent Events).
import { el, orgName } from "/static/app.js";

const T = window.FD.texts;
const list = document.getElementById("blocks");
const height = document.getElementById("height");
const live = document.getElementById("live-state");

function card(b) {
  const article = el("article", { class: "block new", "data-block": String(b.number) },
    el("header", {}, el("b", { text: `${T.block} #${b.number}` }),
      el("span", { class: "muted", text: ` ${b.txCount} tx · ` }), el("code", { text: b.dataHash.slice(0, 16) })));
  for (const tx of b.transactions) {
    const row = el("div", { class: `tx ${tx.valid ? "ok" : "bad"}` },
      el("code", { text: tx.txId.slice(0, 10), title: tx.txId }),
      el("b", { text: tx.function || tx.type }),
      el("span", { text: `${T.creator}: ${orgName(tx.creator)}` },
        // who signed (a guest's own name with Fabric CA identities)
        ...(tx.creatorName ? [" · ", el("span", { class: "muted", "data-testid": "tx-signer", text: tx.creatorName })] : [])),
      el("span", { text: `${T.endorsed_by}: ${tx.endorsers.map(orgName).join(", ") || "–"}` }),
      el("span", { class: `valid ${tx.valid ? "ok" : "bad"}`, text: tx.validation }));
    for (const ev of tx.events) {
      row.append(el("span", { class: "evname", text: (T.events[ev.name] || ev.name) + (ev.payload.lotId ? ` · ${ev.payload.lotId}` : "") }));
    }
    article.append(row);
  }
  return article;
}
window.addEventListener("fd:block", (e) => {
  const b = e.detail;
  if (list.querySelector(`[data-block="${b.number}"]`)) return;
  list.prepend(card(b));
  while (list.children.length > 50) list.lastElementChild.remove();
  height.textContent = String(b.number + 1);
});
window.addEventListener("fd:hello", () => { live.classList.add("on"); });
window.addEventListener("fd:offline", () => { live.classList.remove("on"); });
