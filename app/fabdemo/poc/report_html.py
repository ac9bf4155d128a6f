"""``report.html``: the POC report as one self-contained page (inline CSS, inline SVG, one tiny script).

No external asset of any kind: it opens from a USB stick in a meeting room and prints to PDF as it is.
Every text is written in both languages (``<span class="en">`` / ``<span class="zh">``); the switch at
the top (or ``#zh`` in the address) shows one. Printing keeps the shown language.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fabdemo.poc import charts

T: dict[str, tuple[str, str]] = {
    "report": ("POC report", "POC 报告"),
    "summary": ("Summary", "概要"),
    "passed": ("{p} of {n} criteria passed", "{n} 项标准中通过 {p} 项"),
    "criterion": ("Criterion", "标准"),
    "target": ("Target", "目标"),
    "measured": ("Measured", "实测"),
    "verdict": ("Verdict", "结论"),
    "method": ("How it was measured", "测量方法"),
    "checks": ("Checks", "检查项"),
    "machine": ("Machine", "运行环境"),
    "details": ("Criteria in detail", "各项标准详情"),
    "caliper": ("Hyperledger Caliper", "Hyperledger Caliper"),
    "caliper_none": (
        "Caliper was not run for this report (make caliper puts its rounds here).",
        "本报告未运行 Caliper（运行 make caliper 后其结果会显示在此）。",
    ),
    "kit_rounds": ("The kit's own generator, same fields", "本工具自带负载生成器（相同字段）"),
    "charts": ("Charts", "图表"),
    "sweep": ("Throughput against offered load (fixed-rate sweep)", "吞吐量与施加负载（固定速率扫描）"),
    "sweep_none": ("No rate sweep in the criteria file.", "标准文件中未定义速率扫描。"),
    "latency_time": ("Latency percentiles over time", "延迟百分位随时间变化"),
    "cpu_time": ("CPU per node over time", "各节点 CPU 随时间变化"),
    "rss_time": ("Memory (RSS) per node over time", "各节点内存（RSS）随时间变化"),
    "blocks": ("Block sizes", "区块大小"),
    "capacity": ("Capacity", "容量"),
    "capacity_none": (
        "No throughput criterion ran, so there is no steady-state window.",
        "未运行吞吐量标准，因此没有稳态窗口。",
    ),
    "projection": ("Projection (not a measurement)", "推算（非实测）"),
    "error": ("Error while measuring", "测量出错"),
    "reproduce": ("Reproduce", "复现"),
    "network_mode": ("Network", "网络"),
    "seconds_taken": ("Run time", "运行用时"),
}
MODES = {
    "running": ("the user's running network", "用户正在运行的网络"),
    "own": ("a fresh network of the POC's own, stopped afterwards", "POC 自建的全新网络（结束后已停止）"),
    "given": ("a network given by the caller (test suite)", "调用方提供的网络（测试）"),
}
CHECK_NAMES = {
    "throughput_tps": ("throughput (TPS)", "吞吐量（TPS）"),
    "p50_ms": ("p50 latency (ms)", "p50 延迟（毫秒）"),
    "p95_ms": ("p95 latency (ms)", "p95 延迟（毫秒）"),
    "failure_rate": ("failure rate", "失败率"),
    "lost": ("acknowledged but lost", "已确认但丢失"),
    "failed_but_on_ledger": ("reported failed but on the ledger", "报告失败却已上链"),
    "success_rate": ("success rate", "成功率"),
    "leaks": ("paths that leaked the price", "泄露价格的路径数"),
    "controls_failed": ("positive controls that failed", "失败的正向对照"),
    "seconds": ("seconds", "秒"),
}
CALIPER_FIELDS = [
    ("succ", "Succ"),
    ("fail", "Fail"),
    ("send_rate", "Send Rate (TPS)"),
    ("max_latency", "Max Latency (s)"),
    ("min_latency", "Min Latency (s)"),
    ("avg_latency", "Avg Latency (s)"),
    ("throughput", "Throughput (TPS)"),
]

CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --pass:#1a7f37; --fail:#d1242f; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "PingFang SC",
  "Microsoft YaHei", sans-serif; color: var(--fg); margin: 0 auto; max-width: 1000px; padding: 24px; }
html.lang-en .zh, html.lang-zh .en { display: none; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 10px; border-radius: 10px; color: #fff; font-weight: 700; }
.PASS { background: var(--pass); } .FAIL { background: var(--fail); }
.ok { color: var(--pass); font-weight: 600; } .bad { color: var(--fail); font-weight: 600; }
.switch { float: right; } .switch button { font: inherit; padding: 4px 12px; border: 1px solid var(--line);
  background: #fff; cursor: pointer; }
html.lang-en .switch .b-en, html.lang-zh .switch .b-zh { background: var(--fg); color: #fff; }
.chart { width: 100%; height: auto; margin: 4px 0 14px; font: 11px system-ui, sans-serif; }
.chart .plot { fill: #fff; stroke: var(--line); } .chart .grid { stroke: #eaeef2; }
.chart .axis { stroke: var(--muted); }
.chart .tick { fill: var(--muted); } .chart .label { fill: var(--fg); font-weight: 600; }
.criterion { break-inside: avoid; page-break-inside: avoid; border: 1px solid var(--line); border-radius: 6px;
  padding: 4px 14px 8px; margin: 12px 0; }
.projection { border-left: 4px solid #9a6700; background: #fff8c5; padding: 6px 12px; }
code { background: var(--bg); padding: 0 4px; border-radius: 3px; }
@media (max-width: 700px) {
  body { padding: 12px; }
  table { display: block; overflow-x: auto; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .switch { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .chart, table { break-inside: avoid; page-break-inside: avoid; }
  .badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { size: A4; margin: 14mm; }
}
"""

SCRIPT = """
(function () {
  function set(lang) { document.documentElement.className = 'lang-' + lang;
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'; }
  set(location.hash === '#zh' ? 'zh' : 'en');
  document.querySelectorAll('[data-lang]').forEach(function (b) {
    b.addEventListener('click', function () {
      set(b.dataset.lang); history.replaceState(null, '', '#' + b.dataset.lang);
    });
  });
})();
"""


LEAKED = '<span class=bad>✘ <span class="en">leaked</span><span class="zh">泄露</span></span>'
CLEAN = "<span class=ok>✔</span>"


def b(en: str, zh: str) -> str:
    """Both languages of one text, escaped."""
    return f'<span class="en">{escape(en)}</span><span class="zh">{escape(zh)}</span>'


def t(key: str, **values: object) -> str:
    en, zh = T[key]
    return b(en.format(**values), zh.format(**values))


def _num(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.1f}"
    return escape(str(value))


def _target(entry: dict[str, Any]) -> str:
    parts = []
    for check in entry["checks"]:
        en, zh = CHECK_NAMES.get(check["name"], (check["name"], check["name"]))
        op = "≤" if check["op"] == "<=" else "≥"
        parts.append(b(f"{en} {op} {check['target']:g}", f"{zh} {op} {check['target']:g}"))
    if not parts:  # not measured, so no checks: the targets as the file states them
        parts = [escape(f"{key}: {value}") for key, value in entry["target"].items()]
    return "<br>".join(parts) or "–"


def _summary_table(data: dict[str, Any]) -> str:
    rows = []
    for e in data["criteria"]:
        h = e["headline"]
        shown = b(h["unit"], h.get("unit_zh", h["unit"])) if h["value"] is not None else b("not measured", "未测得")
        rows.append(
            f"<tr><td>{b(e['label']['en'], e['label']['zh'])}<div class=muted><code>{escape(e['id'])}</code></div></td>"
            f"<td>{_target(e)}</td><td class=num>{_num(h['value']) if h['value'] is not None else ''} {shown}</td>"
            f'<td><span class="badge {e["verdict"]}">{e["verdict"]}</span></td></tr>'
        )
    head = f"<tr><th>{t('criterion')}</th><th>{t('target')}</th><th>{t('measured')}</th><th>{t('verdict')}</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def with_gaps(points: list[tuple[float, float]], gap_s: float = 2.5) -> list[tuple[float, float | None]]:
    """A break in the line where a node had no sample (killed and restarted) instead of a straight bridge."""
    out: list[tuple[float, float | None]] = []
    for point in points:
        if out and point[0] - out[-1][0] > gap_s:
            out.append((out[-1][0], None))
        out.append(point)
    return out


def _caliper_row(name: str, r: dict[str, Any]) -> str:
    return (
        f"<tr><td>{escape(name)}</td>"
        + "".join(f"<td class=num>{_num(r.get(k))}</td>" for k, _ in CALIPER_FIELDS)
        + "</tr>"
    )


def _caliper_head(first: tuple[str, str]) -> str:
    return f"<tr><th>{b(*first)}</th>" + "".join(f"<th>{escape(label)}</th>" for _, label in CALIPER_FIELDS) + "</tr>"


def _detail(e: dict[str, Any]) -> str:
    m = e["measured"] or {}
    parts = [
        f'<div class="criterion"><h3><span class="badge {e["verdict"]}">{e["verdict"]}</span> '
        f"{b(e['label']['en'], e['label']['zh'])} <code>{escape(e['id'])}</code></h3>",
        f"<p><b>{t('method')}:</b> {b(e['method']['en'], e['method']['zh'])}</p>",
    ]
    if e["checks"]:
        rows = []
        for c in e["checks"]:
            en, zh = CHECK_NAMES.get(c["name"], (c["name"], c["name"]))
            op = "≤" if c["op"] == "<=" else "≥"
            mark = '<span class="ok">✔</span>' if c["ok"] else '<span class="bad">✘</span>'
            rows.append(
                f"<tr><td>{b(en, zh)}</td><td class=num>{_num(c['measured'])}</td>"
                f"<td>{op} {c['target']:g}</td><td>{mark}</td></tr>"
            )
        head = f"<tr><th>{t('checks')}</th><th>{t('measured')}</th><th>{t('target')}</th><th></th></tr>"
        parts.append(f"<table>{head}{''.join(rows)}</table>")
    if "succ" in m:
        extra = "".join(f"<td class=num>{_num(m.get(k))}</td>" for k in ("p50_ms", "p95_ms", "p99_ms"))
        row = _caliper_row(e["id"], m).removesuffix("</tr>") + extra + "</tr>"
        head = (
            _caliper_head(("Round", "轮次")).removesuffix("</tr>")
            + "<th>p50 (ms)</th><th>p95 (ms)</th><th>p99 (ms)</th></tr>"
        )
        parts.append(f"<table>{head}{row}</table>")
        if m.get("errors"):
            parts.append(f"<p class=muted>{escape(', '.join(f'{k}: {v}' for k, v in m['errors'].items()))}</p>")
    if e["kind"] == "privacy" and m.get("paths"):
        items = "".join(
            f"<li>{LEAKED if p['leaked'] else CLEAN} {b(p['path'], p.get('path_zh', p['path']))}</li>"
            for p in m["paths"]
        )
        parts.append(f"<ul>{items}</ul>")
    if e["kind"] == "resilience" and m:
        keys = ("killed", "submits", "acknowledged", "failed", "unknown", "unanswered", "lost", "catch_up_s")
        parts.append("<p class=muted>" + escape(", ".join(f"{k}: {m.get(k)}" for k in keys if k in m)) + "</p>")
    if e.get("error"):
        parts.append(f"<p class=bad>{t('error')}: {escape(e['error'])}</p>")
    parts.append("</div>")
    return "".join(parts)


def _caliper(data: dict[str, Any]) -> str:
    kit = [e for e in data["criteria"] if e["measured"] and "succ" in e["measured"]]
    kit_rows = "".join(_caliper_row(e["id"], e["measured"]) for e in kit)
    kit_rows += "".join(_caliper_row(f"sweep {r['offered_tps']:g} TPS", r) for r in data.get("sweep") or [])
    kit_table = (
        f"<h3>{t('kit_rounds')}</h3><table>{_caliper_head(('Round', '轮次'))}{kit_rows}</table>" if kit_rows else ""
    )
    rounds = data.get("caliper")
    if not rounds:
        return f"<p class=muted>{t('caliper_none')}</p>{kit_table}"
    rows = "".join(_caliper_row(str(r.get("name", "?")), r) for r in rounds)
    return f"<h3>Caliper</h3><table>{_caliper_head(('Round', '轮次'))}{rows}</table>{kit_table}"


def _charts(data: dict[str, Any]) -> str:
    parts = [f"<h3>{t('sweep')}</h3>"]
    sweep = data.get("sweep") or []
    chart = (
        charts.line_chart(
            [
                {
                    "name": ("offered (send rate)", "施加（发送速率）"),
                    "points": [(r["offered_tps"], r.get("send_rate")) for r in sweep],
                    "dashed": True,
                },
                {"name": ("throughput", "吞吐量"), "points": [(r["offered_tps"], r.get("throughput")) for r in sweep]},
            ],
            x_label=("offered load (TPS)", "施加负载（TPS）"),
            y_label=("TPS", "TPS"),
            title=("Throughput against offered load", "吞吐量与施加负载"),
            markers=True,
        )
        if sweep
        else None
    )
    parts.append(chart or f"<p class=muted>{t('sweep_none')}</p>")
    for e in data["criteria"]:
        series = (e["measured"] or {}).get("series")
        if not series or e["kind"] == "latency":
            continue
        lines = [
            {"name": (p, p), "points": [(r["t_s"], r.get(f"{p}_ms")) for r in series]} for p in ("p50", "p95", "p99")
        ]
        svg = charts.line_chart(
            lines,
            x_label=("seconds into the round", "本轮已进行秒数"),
            y_label=("latency (ms)", "延迟（毫秒）"),
            title=(f"Latency over time: {e['id']}", f"延迟随时间：{e['id']}"),
        )
        if svg:
            parts.append(f"<h3>{t('latency_time')}: {b(e['label']['en'], e['label']['zh'])}</h3>{svg}")
    rows = (data.get("resources") or {}).get("rows") or []
    names = sorted({r["name"] for r in rows})
    for key, title, unit in (
        ("cpu_pct", "cpu_time", ("CPU (% of one core)", "CPU（单核百分比）")),
        ("rss_mb", "rss_time", ("RSS (MB)", "RSS（MB）")),
    ):
        lines = [
            {"name": (n, n), "points": with_gaps([(r["t_s"], r[key]) for r in rows if r["name"] == n])} for n in names
        ]
        svg = charts.line_chart(
            lines,
            x_label=("seconds into the POC run", "POC 运行已进行秒数"),
            y_label=unit,
            title=T[title],
            height=340,
        )
        if svg:
            marks = (data.get("resources") or {}).get("marks") or []
            legend = " · ".join(f"{m['t_s']:g}s {escape(m['label'])}" for m in marks)
            parts.append(f"<h3>{t(title)}</h3>{svg}<p class=muted>{legend}</p>")
    blocks = data.get("blocks") or []
    svg = charts.bar_chart(
        [(blk["number"], blk["transactions"]) for blk in blocks],
        x_label=("block number", "区块号"),
        y_label=("transactions per block", "每块交易数"),
        title=T["blocks"],
    )
    if svg:
        sizes = [blk["bytes"] for blk in blocks]
        avg, big = _num(sum(sizes) / len(sizes) / 1024), _num(max(sizes) / 1024)
        parts.append(
            f"<h3>{t('blocks')}</h3>{svg}<p class=muted>"
            + b(
                f"{len(blocks)} blocks from the load criteria and the sweep; {avg} KiB on average, {big} KiB at most",
                f"负载类标准与速率扫描共写入 {len(blocks)} 个区块；平均 {avg} KiB，最大 {big} KiB",
            )
            + "</p>"
        )
    return "".join(parts)


def _capacity(data: dict[str, Any]) -> str:
    cap = data.get("capacity")
    if not cap:
        return f"<p class=muted>{t('capacity_none')}</p>"
    kinds = cap["cpu_ms_per_tx_by_kind"]
    head = (
        "<tr><th>"
        + b("node kind", "节点类型")
        + "</th><th>"
        + b("CPU ms per transaction", "每笔交易 CPU 毫秒")
        + "</th></tr>"
    )
    rows = "".join(f"<tr><td>{escape(k)}</td><td class=num>{_num(v)}</td></tr>" for k, v in sorted(kinds.items()))
    per = cap["cpu_ms_per_tx_by_process"]
    util = cap.get("cpu_utilisation_pct_by_process", {})
    prow = "".join(
        f"<tr><td>{escape(n)}</td><td>{escape(cap['kind_by_process'].get(n, ''))}</td>"
        f"<td class=num>{_num(v)}</td><td class=num>{_num(util.get(n))}</td></tr>"
        for n, v in per.items()
    )
    phead = (
        f"<tr><th>{b('process', '进程')}</th><th>{b('kind', '类型')}</th><th>{b('CPU ms / tx', 'CPU 毫秒/笔')}</th>"
        f"<th>{b('CPU % of one core', '单核 CPU %')}</th></tr>"
    )
    proj = "".join(
        f"<tr><td class=num>{p['cores_per_node']}</td><td class=num>{_num(p['tps'])}</td>"
        f"<td>{escape(p['bottleneck'])}</td></tr>"
        for p in cap["projection"]
    )
    jhead = (
        f"<tr><th>{b('cores per node', '每节点核数')}</th><th>{b('projected TPS', '推算 TPS')}</th>"
        f"<th>{b('bottleneck', '瓶颈')}</th></tr>"
    )
    intro = b(
        f"Steady-state window of {cap['criterion']}: {cap['window_s']:g}s, {cap['transactions']} transactions "
        f"({_num(cap['measured_tps'])} TPS). CPU time from /proc of every process (the time it was scheduled, "
        "not the time it waited for a core).",
        f"{cap['criterion']} 的稳态窗口：{cap['window_s']:g} 秒，"
        f"{cap['transactions']} 笔交易（{_num(cap['measured_tps'])} TPS）。"
        "CPU 时间取自每个进程的 /proc（实际调度时间，不含等待 CPU 的时间）。",
    )
    return (
        f"<p>{intro}</p><table>{head}{rows}</table><table>{phead}{prow}</table>"
        f"<div class=projection><h3>{t('projection')}</h3><p><code>{escape(cap['formula'])}</code></p>"
        f"<p>{b(cap['assumptions_en'], cap['assumptions_zh'])}</p><table>{jhead}{proj}</table></div>"
    )


def _machine(data: dict[str, Any]) -> str:
    m = data["machine"]
    mode = MODES.get(data["network"], (data["network"], data["network"]))
    rows = [
        (("cores", "CPU 核数"), m.get("cores")),
        (("CPU model", "CPU 型号"), m.get("cpu_model")),
        (("memory (GB)", "内存（GB）"), m.get("memory_gb")),
        (("kernel", "内核"), m.get("kernel")),
        (("Fabric version", "Fabric 版本"), m.get("fabric_version")),
        (("runtime", "运行方式"), m.get("runtime")),
        (("nodes", "节点数"), m.get("nodes")),
        (("orgs", "组织"), ", ".join(m.get("orgs") or [])),
        (("Python", "Python"), m.get("python")),
    ]
    body = "".join(f"<tr><th>{b(*k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    body += f"<tr><th>{t('network_mode')}</th><td>{b(*mode)}</td></tr>"
    return f"<table>{body}</table>"


def render(data: dict[str, Any]) -> str:
    s = data["summary"]
    title = data["title"]
    customer = f" · {escape(data['customer'])}" if data.get("customer") else ""
    verdict = "PASS" if s["failed"] == 0 else "FAIL"
    criteria_file = data.get("criteria_file") or "poc/criteria.yaml"
    return f"""<!doctype html>
<html lang="en" class="lang-en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title["en"])} / {escape(title["zh"])}</title><style>{CSS}</style></head>
<body>
<div class="switch"><button class="b-en" data-lang="en">English</button>
<button class="b-zh" data-lang="zh">中文</button></div>
<h1>{b(title["en"], title["zh"])}</h1>
<p class="muted">{t("report")}{customer} · {escape(data["when"])} · {t("seconds_taken")} {data["seconds"]:g}s ·
<code>{escape(data.get("criteria_file") or "")}</code></p>
<h2>{t("summary")}</h2>
<p><span class="badge {verdict}">{verdict}</span> {t("passed", p=s["passed"], n=s["criteria"])}</p>
{_summary_table(data)}
<h2>{t("machine")}</h2>{_machine(data)}
<h2>{t("details")}</h2>{"".join(_detail(e) for e in data["criteria"])}
<h2>{t("caliper")}</h2>{_caliper(data)}
<h2>{t("capacity")}</h2>{_capacity(data)}
<h2>{t("charts")}</h2>{_charts(data)}
<h2>{t("reproduce")}</h2><p><code>make poc CRITERIA={escape(criteria_file)}</code></p>
<script>{SCRIPT}</script>
</body></html>
"""
