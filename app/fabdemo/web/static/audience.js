// The audience view (the projector): follows the presenter through /api/presenter/events and shows the
// scene's page. It is only ever sent the public state, so the talk track never reaches this screen.
import { fmt } from "/static/app.js";

const P = JSON.parse(document.getElementById("present-texts").textContent);
const LANG = window.FD.lang;
const $ = (id) => document.getElementById(id);
const tr = (pair) => (pair ? pair[LANG] || pair.en : "");
let shownPage = null;
let lastBusy = null;

function render(state) {
  if (!state.storyboard) {
    $("aud-story").textContent = P.follows_presenter;
    $("aud-title").textContent = P.waiting_for_presenter;
    $("aud-customer").hidden = true;
    return;
  }
  $("aud-story").textContent = tr(state.storyboard.title);
  $("aud-title").textContent = tr(state.scene.title);
  $("aud-progress").textContent = fmt(P.scene_of, { i: state.index + 1, n: state.storyboard.scenes });
  const page = state.scene.page || "/";
  if (page !== shownPage) {
    shownPage = page;
    $("aud-frame").src = page;
  }
  const customer = state.customer;
  $("aud-customer").hidden = !customer;
  if (customer) {
    $("aud-prompt").textContent = tr(customer.prompt);
    const target = customer.page || page;
    $("aud-qr").src = `/api/qr/page.svg?path=${encodeURIComponent(target)}`;
    $("aud-link").textContent = $("aud-link").href = target;
    $("aud-done").hidden = !customer.done;
    $("aud-done").textContent = P.customer_done;
  }
  if (lastBusy && !state.busy && $("aud-frame").contentWindow) {
    // The scene just ran (or the customer acted): show the page with its new data.
    try { $("aud-frame").contentWindow.location.reload(); } catch (_) { /* same origin: never happens */ }
  }
  lastBusy = state.busy;
}

const events = new EventSource("/api/presenter/events");
events.addEventListener("presenter", (event) => render(JSON.parse(event.data)));
