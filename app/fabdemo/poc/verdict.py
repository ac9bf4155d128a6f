"""PASS or FAIL, computed from a criterion's measured figures against its targets (never written by hand).

Each target becomes one check ``{name, measured, op, target, ok}``; the criterion passes when every
check does. A figure that could not be measured (no successful transaction, say) fails its check: a
POC verdict must not pass for want of data.
"""

from __future__ import annotations

import operator
from typing import Any

from fabdemo.poc import criteria as c

OPS = {"<=": operator.le, ">=": operator.ge}


def check(name: str, measured: float | int | None, op: str, target: float | int | None) -> dict[str, Any] | None:
    if target is None:
        return None
    ok = measured is not None and bool(OPS[op](measured, target))
    return {"name": name, "measured": measured, "op": op, "target": target, "ok": ok}


def checks_for(criterion: c.Criterion, measured: dict[str, Any]) -> list[dict[str, Any]]:
    t = criterion.target
    found: list[dict[str, Any] | None]
    if isinstance(criterion, c.Load):
        assert isinstance(t, c.LoadTarget)
        found = [
            check("throughput_tps", measured.get("throughput"), ">=", t.min_tps),
            check("p95_ms", measured.get("p95_ms"), "<=", t.max_p95_ms),
            check("failure_rate", measured.get("failure_rate"), "<=", t.max_failure_rate),
        ]
    elif isinstance(criterion, c.Latency | c.Trace):
        assert isinstance(t, c.LatencyTarget)
        found = [
            check("p50_ms", measured.get("p50_ms"), "<=", t.max_p50_ms),
            check("p95_ms", measured.get("p95_ms"), "<=", t.max_p95_ms),
        ]
    elif isinstance(criterion, c.Resilience):
        assert isinstance(t, c.ResilienceTarget)
        found = [
            check("lost", measured.get("lost"), "<=", t.max_lost),
            check("failed_but_on_ledger", measured.get("failed_but_on_ledger"), "<=", 0),
            check("success_rate", measured.get("success_ratio"), ">=", t.min_success_rate),
        ]
    elif isinstance(criterion, c.Privacy):
        assert isinstance(t, c.PrivacyTarget)
        found = [
            check("leaks", measured.get("leaks"), "<=", t.max_leaks),
            # The positive controls: a privacy check that looked at the wrong thing must not pass.
            check("controls_failed", measured.get("controls_failed"), "<=", 0),
        ]
    else:
        assert isinstance(t, c.SecondsTarget)
        found = [check("seconds", measured.get("seconds"), "<=", t.max_s)]
    return [f for f in found if f is not None]


def judge(criterion: c.Criterion, measured: dict[str, Any] | None, error: str | None = None) -> dict[str, Any]:
    """The verdict of one criterion; an error while measuring is a FAIL with its reason."""
    if measured is None:
        return {"verdict": "FAIL", "checks": [], "error": error or "not measured"}
    checks = checks_for(criterion, measured)
    ok = bool(checks) and all(item["ok"] for item in checks) and error is None
    return {"verdict": "PASS" if ok else "FAIL", "checks": checks, "error": error}
