"""The report page and its charts, from report data built by the real report code (no network)."""

from __future__ import annotations

import re

from fabdemo.poc import charts, criteria, report, report_html

SPEC = criteria.parse(
    """
title: {en: Unit POC, zh: 单元 POC}
criteria:
  - id: peak
    kind: throughput
    label: {en: Peak, zh: 高峰}
    operation: harvest
    args: {lotId: "P-{uid}"}
    duration_s: 5
    rate_control: {type: fixed-rate, opts: {tps: 10}}
    target: {min_tps: 10000}
  - id: boot
    kind: cold-start
    label: {en: Boot, zh: 启动}
    target: {max_s: 60}
"""
)
MACHINE = {"cores": 2, "cpu_model": "x", "kernel": "6", "fabric_version": "3.1.1", "runtime": "native"}


def build(**overrides) -> dict:
    series = [
        {"t_s": t, "throughput": 9.0, "send_rate": 10.0, "fail": 0, "p50_ms": 120, "p95_ms": 200, "p99_ms": 250}
        for t in range(5)
    ]
    results = {
        "peak": {
            "measured": {"succ": 45, "fail": 0, "throughput": 9.1, "p95_ms": 200.0, "series": series},
            "error": None,
        },
        "boot": {"measured": None, "error": "RuntimeError: port in use"},
    }
    args = {
        "machine": MACHINE,
        "network_mode": "own",
        "resources": {"rows": [], "marks": []},
        "capacity": None,
        "sweep": [],
        "blocks": [{"number": 5, "transactions": 3, "bytes": 9000}],
        "caliper": None,
        "seconds": 12.0,
        "criteria_file": "c.yaml",
    } | overrides
    return report.build(SPEC, results, **args)


def test_verdicts_and_headlines_come_from_the_figures() -> None:
    data = build()
    peak, boot = data["criteria"]
    assert peak["verdict"] == "FAIL" and peak["headline"] == {"value": 9.1, "unit": "TPS", "unit_zh": "TPS"}
    assert boot["verdict"] == "FAIL" and boot["error"] == "RuntimeError: port in use"
    assert data["summary"] == {"criteria": 2, "passed": 0, "failed": 2}


def test_the_page_is_self_contained_and_bilingual() -> None:
    html = report_html.render(build())
    assert "<script src" not in html and "<link" not in html and "@import" not in html
    assert set(re.findall(r"https?://[^\"' )]+", html)) <= {"http://www.w3.org/2000/svg"}
    assert '<span class="en">Unit POC</span><span class="zh">单元 POC</span>' in html
    assert "Caliper was not run" in html and "未运行 Caliper" in html
    assert html.count("<svg") == 2  # latency over time, blocks (no sweep, no samples)
    assert "@media print" in html and "port in use" in html


def test_caliper_rounds_show_beside_the_kit_s() -> None:
    rounds = [{"name": "harvest", "succ": 10, "fail": 1, "send_rate": 5.0, "max_latency": 1.2, "min_latency": 0.2,
               "avg_latency": 0.5, "throughput": 4.4}]  # fmt: skip
    html = report_html.render(build(caliper=rounds))
    assert "Caliper was not run" not in html and "<td>harvest</td>" in html and "4.4" in html


def test_ticks_cover_the_data_and_empty_charts_are_left_out() -> None:
    for lo, hi in ((0, 148), (5, 15), (0, 0.3), (0, 12345)):
        ticks = charts.nice_ticks(lo, hi)
        assert ticks[0] <= lo and ticks[-1] >= hi and len(ticks) <= 8
    empty = {"name": ("a", "甲"), "points": [(0, None)]}
    assert charts.line_chart([empty], x_label=("x", "x"), y_label=("y", "y"), title=("t", "t")) is None
    assert charts.bar_chart([], x_label=("x", "x"), y_label=("y", "y"), title=("t", "t")) is None
