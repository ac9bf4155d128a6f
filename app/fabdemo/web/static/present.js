// The presenter view: drives the PresenterSession on the server (/api/presenter/*) and renders its state.
// Timers are computed here from the server's start times, so they keep ticking between server updates.
import { el, fmt } from "/static/app.js";

const P = JSON.parse(document.getElementById("present-texts").textContent);
const LANG = window.FD.lang;
const $ = (id) => document.getElementById(id);
const tr = (pair) => (pair ? pair[LANG] || pair.en : "");
let state = null;

// Every POST is JSON (even without arguments: "{}"), which no cross-site form can send.
async function call(method, path, body) {
  const post = method !== "GET";
  const response = await fetch(`/api/presenter/${path}`, {
    method,
    headers: post ? { "content-type": "application/json" } : {},
    body: post ? JSON.stringify(body || {}) : undefined,
  });
  const data = await response.json();
  if (!response.ok) {
    const err = data.error || {};
    throw new Error(`${err.code}: ${LANG === "zh" && err.message_zh ? err.message_zh : err.message}`);
  }
  return data;
}

async function act(path, body) {
  try {
    render(await call("POST", path, body));
  } catch (err) {
    $("run-result").replaceChildren(el("p", { class: "error-msg", text: err.message }));
  }
}

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function tick() {
  if (!state || !state.startedAt) return;
  const now = Date.now() / 1000;
  const sceneUsed = now - state.sceneStartedAt;
  const sceneBudget = state.sceneMinutes * 60;
  const totalUsed = now - state.startedAt;
  const totalBudget = state.budgetMinutes * 60;
  const planned = (state.minutesBefore + state.sceneMinutes) * 60;
  const sceneTimer = $("scene-timer");
  sceneTimer.textContent = `${P.this_scene} ${clock(sceneUsed)} / ${clock(sceneBudget)}`;
  sceneTimer.className = "timer " + (sceneUsed > sceneBudget ? "over" : sceneUsed > 0.8 * sceneBudget ? "warn" : "");
  const totalTimer = $("total-timer");
  totalTimer.textContent = `${P.total} ${clock(totalUsed)} / ${clock(totalBudget)}`;
  totalTimer.className = "timer " + (totalUsed > totalBudget ? "over" : totalUsed > planned ? "warn" : "");
  totalTimer.title = totalUsed > totalBudget ? P.over_budget : "";
}

function renderChooser(stories) {
  $("chooser").hidden = false;
  $("stage").hidden = true;
  $("story-list").replaceChildren(...stories.map((s) => {
    const button = el("button", { class: "btn primary", type: "button", "data-testid": `start-${s.id}`, text: P.start });
    button.addEventListener("click", () => act("select", { storyboard: s.id }));
    return el("article", { class: "story card" },
      el("h2", { text: tr(s.title) }),
      el("p", { class: "muted small", text: `${s.audience} · ${fmt(P.minutes, { n: s.budgetMinutes })} · ${fmt(P.scenes, { n: s.scenes })}` }),
      el("p", { text: tr(s.summary) }), button);
  }));
}

function renderActions() {
  const list = $("action-list");
  if (!state.actions.length) {
    list.replaceChildren(el("li", { class: "muted", text: P.no_actions }));
  } else {
    list.replaceChildren(...state.actions.map((a) => el("li", {},
      el("code", { text: a.op || a.control }), " ", el("span", { class: "muted", text: a.org || "" }),
      a.user ? el("span", { class: "muted", text: ` · ${a.user}` }) : null,
      a.expectError ? el("span", { class: "badge", text: ` → ${a.expectError}` }) : null)));
  }
  // A scene for another kind of network (only_on): say why before the presenter runs it.
  if (state.skipped) list.append(el("li", { class: "muted", "data-testid": "scene-skipped", text: tr(state.skipped) }));
  $("run-btn").hidden = !state.actions.length;
  $("run-btn").disabled = Boolean(state.busy);
  $("run-btn").textContent = state.busy === "running" ? P.running : P.run;
}

function renderReport(target, report) {
  if (!report) { target.replaceChildren(); return; }
  const summary = (a) => (LANG === "zh" && a.summary_zh ? a.summary_zh : a.summary);
  const items = report.actions.map((a) => el("li", { class: a.ok ? "ok" : "bad" },
    el("strong", { text: `${a.ok ? "✓" : "✗"} ${a.label}` }), " ",
    el("span", { class: "small", text: a.error && a.ok ? `${P.expected_refusal}: ${summary(a)}` : summary(a) })));
  if (report.skipped) items.push(el("li", { class: "muted", text: tr(report.skipped) }));
  const checks = report.expectations.map((e) => el("li", { class: e.ok ? "ok" : "bad" },
    el("span", { text: `${e.ok ? "✓" : "✗"} ${e.description}` }), e.ok ? null : el("span", { class: "small muted", text: ` (${e.detail})` })));
  target.replaceChildren(
    el("ul", { class: "report" }, ...items),
    checks.length ? el("h3", { text: P.expectations }) : null,
    checks.length ? el("ul", { class: "report" }, ...checks) : null);
}

function renderCustomer() {
  const box = $("customer-box");
  const customer = state.customer;
  box.hidden = !customer;
  if (!customer) return;
  $("customer-prompt").textContent = tr(customer.prompt);
  if (customer.page) $("customer-qr").src = `/api/qr/page.svg?path=${encodeURIComponent(customer.page)}`;
  $("customer-qr").hidden = !customer.page;
  const status = $("customer-status");
  if (customer.done) { status.textContent = P.customer_done; status.className = "verdict-line ok"; }
  else if (state.busy === "waiting") { status.textContent = P.waiting; status.className = "verdict-line"; }
  else { status.textContent = ""; }
  $("customer-btn").disabled = Boolean(state.busy) || customer.done;
  $("simulate-btn").disabled = state.busy === "running" || customer.done;
  renderReport($("run-result"), state.report || state.customerReport);
}

function renderValuePanel() {
  const panel = $("value-panel");
  panel.hidden = state.scene.panel !== "value";
  if (panel.hidden || panel.dataset.ready) return;
  panel.dataset.ready = "1";
  const fields = [
    ["recalls", P.value_recalls, 2], ["cost", P.value_cost, 500000], ["days", P.value_days, 4],
    ["share", P.value_share, 70], ["counterfeit", P.value_counterfeit, 300000], ["cut", P.value_counterfeit_cut, 50],
  ];
  const inputs = {};
  const grid = el("div", { class: "value-grid" }, ...fields.map(([key, label, value]) => {
    inputs[key] = el("input", { type: "number", min: "0", step: "any", value: String(value), "data-testid": `value-${key}` });
    return el("label", {}, el("span", { text: label }), inputs[key]);
  }));
  const out = el("p", { class: "value-out", "data-testid": "value-saving" });
  const trace = el("p", { class: "muted" });
  const update = () => {
    const v = Object.fromEntries(Object.entries(inputs).map(([k, i]) => [k, Number(i.value) || 0]));
    const saving = v.recalls * v.cost * (v.share / 100) + v.counterfeit * (v.cut / 100);
    out.textContent = `${P.value_saving}: ${Math.round(saving).toLocaleString(LANG === "zh" ? "zh-CN" : "en-US")}`;
    trace.textContent = fmt(P.value_trace, { days: v.days, secs: "< 1" });
  };
  // The customer's own figures are kept on the server for the debrief (a second after the last key).
  let saveTimer = null;
  const save = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      const v = Object.fromEntries(Object.entries(inputs).map(([k, i]) => [k, Math.max(0, Number(i.value) || 0)]));
      call("POST", "value", v).catch((err) => { out.title = err.message; });
    }, 800);
  };
  Object.values(inputs).forEach((i) => { i.addEventListener("input", update); i.addEventListener("input", save); });
  update();
  panel.replaceChildren(el("h2", { text: P.value_title }), grid, out, trace, el("p", { class: "small muted", text: P.value_formula }));
}

function render(next) {
  state = next;
  if (!state.storyboard) { renderChooser(state.storyboards || []); return; }
  $("chooser").hidden = true;
  $("stage").hidden = false;
  $("story-title").textContent = tr(state.storyboard.title);
  $("scene-count").textContent = fmt(P.scene_of || "{i}/{n}", { i: state.index + 1, n: state.storyboard.scenes });
  $("scene-title").textContent = tr(state.scene.title);
  const page = $("scene-page");
  page.textContent = page.href = state.scene.page;
  $("talk").replaceChildren(...tr(state.talk).split("\n").filter(Boolean).map((line) => el("p", { text: line })));
  $("code").replaceChildren(...Object.entries(state.code || {}).map(([kind, text]) =>
    el("details", {}, el("summary", { text: kind }), el("pre", {}, el("code", { text })))));
  $("scene-list").replaceChildren(...state.sceneList.map((s, i) => {
    const item = el("li", { class: i === state.index ? "on" : "" },
      el("button", { type: "button", class: "linklike", text: `${tr(s.title)} · ${fmt(P.minutes, { n: s.minutes })}` }));
    item.querySelector("button").addEventListener("click", () => act("go", { index: i }));
    return item;
  }));
  $("next-up").textContent = state.next ? fmt(P.next_up, { title: tr(state.next.title), n: state.next.minutes }) : P.last_scene;
  $("next-btn").disabled = !state.next;
  $("back-btn").disabled = state.index === 0;
  renderActions();
  renderReport($("run-result"), state.report);
  renderCustomer();
  renderValuePanel();
  tick();
}

$("run-btn").addEventListener("click", () => act("run"));
$("next-btn").addEventListener("click", () => { $("value-panel").dataset.ready = ""; act("next"); });
$("back-btn").addEventListener("click", () => { $("value-panel").dataset.ready = ""; act("back"); });
$("customer-btn").addEventListener("click", () => act("customer"));
$("simulate-btn").addEventListener("click", () => act("customer/simulate"));
$("change-story").addEventListener("click", () => renderChooser(state.storyboards || []));
$("reset-btn").addEventListener("click", async () => {
  if (!window.confirm(P.reset_confirm)) return;
  $("reset-btn").disabled = true;
  try {
    const data = await call("POST", "reset");
    render(data);
    $("run-result").replaceChildren(el("p", { class: "verdict-line ok", text: fmt(P.reset_done, { s: data.resetSeconds }) }));
  } catch (err) {
    $("run-result").replaceChildren(el("p", { class: "error-msg", text: err.message }));
  } finally {
    $("reset-btn").disabled = false;
  }
});

// The customer acts in their own browser: pick up the change (waiting -> done) as it happens.
const events = new EventSource("/api/presenter/events");
events.addEventListener("presenter", async () => {
  if (state && state.storyboard) render(await call("GET", "state"));
});
setInterval(tick, 1000);
call("GET", "state").then(render);

// While the room's customer is expected to act, also ask every two seconds: a presenter laptop on the
// venue's Wi-Fi can miss an event while its stream reconnects, and this step must never look stuck.
setInterval(async () => {
  if (state && state.busy === "waiting") render(await call("GET", "state"));
}, 2000);
