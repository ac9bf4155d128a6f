// The Performance page: live figures pushed by GET /api/metrics/events (Server-Sent Events), one
// sample every two seconds, drawn as small SVG line charts. No chart library: a polyline per series.
import { el } from "/static/app.js";

const DATA = JSON.parse(document.getElementById("perf-data").textContent);
const T = DATA.texts;
const SVG = "http://www.w3.org/2000/svg";
const KIND_COLOURS = { orderer: ["#2b6cb0", "#3182ce", "#63b3ed"], peer: ["#2f855a", "#38a169", "#68d391"],
  chaincode: ["#b7791f", "#d69e2e", "#f6ad55"], ca: ["#6b46c1", "#805ad5", "#b794f4"] };
let points = DATA.snapshot.points || [];
const maxPoints = 90;

function svgEl(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function fmt(value, digits = 1) {
  return value == null ? "–" : Number(value).toFixed(digits);
}

// One chart: each series is [{t, v}], drawn on a shared time axis (the last maxPoints samples).
function drawChart(svg, series, width, height, unit) {
  svg.replaceChildren();
  const all = series.flatMap((s) => s.values.filter((p) => p.v != null));
  const top = Math.max(1, ...all.map((p) => p.v)) * 1.15;
  const t0 = points.length ? points[0].t : 0;
  const span = Math.max(1, (points.length ? points[points.length - 1].t : 1) - t0);
  const x = (t) => ((t - t0) / span) * (width - 4) + 2;
  const y = (v) => height - 4 - (v / top) * (height - 18);
  svg.append(svgEl("line", { x1: 0, x2: width, y1: y(0), y2: y(0), class: "perf-axis" }));
  const size = width > 400 ? 14 : 12; // viewBox units: the wide CPU chart is drawn at a smaller scale on phones
  const label = svgEl("text", { x: 4, y: size + 1, class: "perf-scale", "font-size": size });
  label.textContent = `${fmt(top / 1.15, top < 10 ? 1 : 0)} ${unit || ""}`;
  svg.append(label);
  for (const s of series) {
    const pts = s.values.filter((p) => p.v != null).map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`);
    if (pts.length === 0) continue;
    if (pts.length === 1) pts.push(pts[0]);
    if (series.length === 1) { // one series: shade the area under it
      const first = pts[0].split(",")[0];
      const last = pts[pts.length - 1].split(",")[0];
      svg.append(svgEl("polygon", { points: `${first},${y(0)} ${pts.join(" ")} ${last},${y(0)}`, fill: s.colour, opacity: 0.12 }));
    }
    svg.append(svgEl("polyline", { points: pts.join(" "), fill: "none", stroke: s.colour, "stroke-width": 2,
      "vector-effect": "non-scaling-stroke", "data-series": s.name }));
  }
}

function colours(nodes) {
  const used = {};
  const out = {};
  for (const n of nodes) {
    const palette = KIND_COLOURS[n.kind] || ["#4a5568"];
    const i = (used[n.kind] = (used[n.kind] ?? -1) + 1);
    out[n.name] = palette[i % palette.length];
  }
  return out;
}

function render() {
  const last = points[points.length - 1];
  for (const key of ["tps", "block_rate", "commit_ms", "batch_fill_ms"]) {
    const cell = document.querySelector(`[data-kpi="${key}"]`);
    const latest = [...points].reverse().find((p) => p[key] != null);
    cell.textContent = latest ? fmt(latest[key], key === "block_rate" ? 2 : 1) : "–";
    const svg = document.querySelector(`[data-chart="${key}"]`);
    drawChart(svg, [{ name: key, colour: key === "tps" ? "#2f855a" : "#2b6cb0", values: points.map((p) => ({ t: p.t, v: p[key] })) }], 320, 90);
  }
  if (!last) return;
  document.getElementById("perf-height").textContent = last.height ?? "–";
  document.getElementById("perf-live").classList.add("on");
  const colour = colours(last.nodes);
  drawChart(document.getElementById("perf-cpu"), last.nodes.map((n) => ({
    name: n.name, colour: colour[n.name],
    values: points.map((p) => ({ t: p.t, v: (p.nodes.find((m) => m.name === n.name) || {}).cpu_pct })),
  })), 640, 120, "%");
  const rows = document.getElementById("perf-node-rows");
  const top = Math.max(100, ...last.nodes.map((n) => n.cpu_pct || 0));
  rows.replaceChildren(...last.nodes.map((n) => {
    const bar = el("span", { class: "perf-bar" });
    bar.style.width = `${Math.min(100, ((n.cpu_pct || 0) / top) * 100)}%`;
    bar.style.background = colour[n.name];
    const swatch = el("span", { class: "perf-swatch" });
    swatch.style.background = colour[n.name];
    return el("tr", { "data-node": n.name },
      el("td", { title: n.name }, swatch, el("span", { text: n.name.replace(/\.example\.com$/, "") })),
      el("td", { text: n.kind }),
      el("td", { class: "perf-cpu-cell" }, el("span", { class: "perf-bar-wrap" }, bar),
        el("b", { text: n.up ? (n.cpu_pct == null ? T.perf_waiting : `${fmt(n.cpu_pct)} %`) : T.perf_down })),
      el("td", { text: n.rss_mb == null ? "–" : `${fmt(n.rss_mb, 0)} MB` }));
  }));
}

const source = new EventSource("/api/metrics/events");
source.addEventListener("hello", (e) => { points = JSON.parse(e.data).points || []; render(); });
source.addEventListener("sample", (e) => {
  const point = JSON.parse(e.data);
  if (points.length && points[points.length - 1].t >= point.t) return;
  points.push(point);
  while (points.length > maxPoints) points.shift();
  render();
});
source.addEventListener("error", () => document.getElementById("perf-live").classList.remove("on"));
render();
