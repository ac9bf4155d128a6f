"""``make chaos`` (``python -m fabdemo.chaos [--short] [--out FILE] [--only abc]``): see docs/resilience.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from fabdemo.chaos.scenarios import FULL, SHORT, STATE_DIR, missed_targets, run

COLUMNS = [
    ("scenario", "", 3),
    ("submits", "submits", 7),
    ("acknowledged", "acked", 6),
    ("failed", "failed", 6),
    ("unknown", "unknown", 7),
    ("unanswered", "no answer", 9),
    ("lost", "lost", 4),
    ("failed_but_on_ledger", "failed+on ledger", 16),
    ("success_ratio", "success", 7),
    ("catch_up_s", "catch-up s", 10),
    ("seconds", "took s", 6),
]


def log(message: str) -> None:
    print(f"[chaos] {message}", file=sys.stderr, flush=True)


def table(report: dict[str, Any]) -> str:
    rows = [" ".join(f"{head:>{width}}" for _key, head, width in COLUMNS)]
    for s in report["scenarios"]:
        rows.append(" ".join(f"{_cell(s.get(key)):>{width}}" for key, _head, width in COLUMNS))
        for phase in ("while_down", "once_back"):
            if phase in s:
                p = {**s[phase], "scenario": "", "catch_up_s": None, "seconds": None}
                rows.append(" ".join(f"{_cell(p.get(key)):>{width}}" for key, _h, width in COLUMNS) + f"  {phase}")
    lines = [*rows, ""]
    for s in report["scenarios"]:
        notes = {k: v for k, v in s.items() if k in ("killed", "stopped", "app_restart_s", "resume_s", "errors")}
        notes |= {k: v for k, v in s.items() if k in ("acknowledged_while_down", "max_failure_s", "leader_back_s")}
        lines.append(f"({s['scenario']}) {s['title']}: {json.dumps(notes, ensure_ascii=False)}")
        if s.get("error_sample"):
            lines.append(f"    error: {s['error_sample']['message']}")
            lines.append(f"    错误: {s['error_sample']['message_zh']}")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value <= 1 and value > 0.0:
        return f"{value:.4f}" if value < 1 else "1"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fabdemo.chaos", description=__doc__)
    parser.add_argument("--short", action="store_true", help="fewer submits per scenario (CI)")
    parser.add_argument("--out", type=Path, help="JSON file (default .bench/chaos-<timestamp>.json)")
    parser.add_argument("--only", help="scenario letters to run, e.g. af (default: all)")
    args = parser.parse_args(argv)
    report = run(SHORT if args.short else FULL, log, set(args.only) if args.only else None)
    report["variant"] = "short" if args.short else "full"
    report["missed_targets"] = missed_targets(report)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out or STATE_DIR.parent / f"chaos-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(table(report))
    print(f"\n{report['variant']} run in {report['seconds']}s ({report['runtime']}); figures in {out}")
    for miss in report["missed_targets"]:
        print(f"MISSED: {miss}")
    return 1 if report["missed_targets"] else 0


if __name__ == "__main__":
    sys.exit(main())
