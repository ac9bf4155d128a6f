"""``make poc`` (``python -m fabdemo.poc [--criteria FILE] [--out DIR] [--caliper FILE]``): see docs/poc.md.

Exit status: 0 when every criterion passed, 1 when one failed, 2 when the criteria file is refused
(nothing ran). Progress goes to stderr; the summary table to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from fabdemo.poc import criteria, session

DEFAULT_CRITERIA = Path("poc/criteria.yaml")
DEFAULT_OUT = Path("poc-report")


def log(message: str) -> None:
    print(f"[poc] {message}", file=sys.stderr, flush=True)


def caliper_rounds(path: Path | None) -> list[dict[str, Any]] | None:
    """Caliper's rounds (a list, or ``{"rounds": [...]}``) written by ``make caliper``, when there are any."""
    if path is None or not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    rounds = data.get("rounds") if isinstance(data, dict) else data
    return rounds if isinstance(rounds, list) and rounds else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fabdemo.poc", description=__doc__)
    parser.add_argument("--criteria", type=Path, default=DEFAULT_CRITERIA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--caliper", type=Path, help="Caliper rounds as JSON (default: <out>/caliper.json if present)")
    parser.add_argument("--check", action="store_true", help="only check the criteria file")
    args = parser.parse_args(argv)
    try:
        spec = criteria.load(args.criteria)
    except criteria.CriteriaError as err:
        print(err.text(), file=sys.stderr)
        return 2
    if args.check:
        print(f"{args.criteria}: {len(spec.criteria)} criteria, OK / 标准文件有效")
        return 0
    rounds = caliper_rounds(args.caliper or args.out / "caliper.json")
    data = session.run(spec, args.out, log, caliper=rounds, criteria_file=str(args.criteria))
    for entry in data["criteria"]:
        h = entry["headline"]
        value = "-" if h["value"] is None else h["value"]
        print(f"{entry['verdict']:4}  {entry['id']:28} {value} {h['unit']}")
    s = data["summary"]
    print(f"\n{s['passed']}/{s['criteria']} passed in {data['seconds']}s; report: {args.out / 'report.html'}")
    return 0 if s["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
