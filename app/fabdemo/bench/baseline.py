"""The previous release's figures (bench/baseline.json) and the ratios of a new run against them.

A benchmark prints points; a regression only shows against something. Each compared figure says which
way is better, and the ratio is printed so that > 1 always means better than the baseline. Compare
ratios from runs in one sitting where you can: the CPU-per-transaction figures hold across machines and
hours, the wall-clock ones (TPS, latency) move 20-30% on a shared VM.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASELINE_FILE = Path(__file__).with_name("baseline.json")


@dataclass(frozen=True)
class Figure:
    label: str
    path: tuple[str | int, ...]  # keys into the figures (ints index lists)
    higher_is_better: bool


FIGURES = (
    Figure("tx per Fabric CPU-second @64", ("throughput", "at_64_in_flight", "resources", "tx_per_fabric_cpu_s"), True),
    Figure("Fabric CPU ms per tx @64", ("throughput", "at_64_in_flight", "resources", "fabric_cpu_ms_per_tx"), False),
    Figure(
        "peer CPU ms per tx", ("throughput", "at_64_in_flight", "resources", "cpu_ms_per_tx_by_kind", "peer"), False
    ),
    Figure(
        "orderer CPU ms per tx",
        ("throughput", "at_64_in_flight", "resources", "cpu_ms_per_tx_by_kind", "orderer"),
        False,
    ),
    Figure(
        "chaincode CPU ms per tx",
        ("throughput", "at_64_in_flight", "resources", "cpu_ms_per_tx_by_kind", "chaincode"),
        False,
    ),
    Figure("TPS @64 in flight", ("throughput", "at_64_in_flight", "tps"), True),
    Figure("p95 ms @64 in flight", ("throughput", "at_64_in_flight", "p95_ms"), False),
    Figure("saturation TPS (sweep)", ("throughput", "saturation_tps"), True),
    Figure("commit latency p50 ms", ("commit_latency", "p50_ms"), False),
    Figure("reading p50 ms after 1", ("growth", "readings_on_one_lot", 0, "p50_ms"), False),
    Figure("reading p50 ms after 1,000", ("growth", "readings_on_one_lot", 2, "p50_ms"), False),
    Figure("first lot page p50 ms (2,000 lots)", ("growth", "lots_first_page", 1, "first_page", "p50_ms"), False),
    Figure("TraceLot p50 ms (500 descendants)", ("growth", "trace", 1, "p50_ms"), False),
    Figure("dashboard warm median ms (200 lots)", ("dashboard", "warm_median_ms"), False),
)


def lookup(figures: Any, path: tuple[str | int, ...]) -> float | None:
    node = figures
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return float(node) if isinstance(node, int | float) and not isinstance(node, bool) else None


def compare(figures: dict, baseline: dict) -> list[dict]:
    """One row per figure present in both: the two values and the ratio (> 1 = better than the baseline)."""
    rows = []
    for fig in FIGURES:
        new, old = lookup(figures, fig.path), lookup(baseline, fig.path)
        if new is None or old is None or new == 0 or old == 0:
            continue
        ratio = new / old if fig.higher_is_better else old / new
        rows.append({"figure": fig.label, "baseline": old, "now": new, "better_ratio": round(ratio, 2)})
    return rows


def render(rows: list[dict], warn_below: float = 0.8) -> str:
    lines = ["", "Against bench/baseline.json (ratio > 1 = better than the baseline):"]
    for row in rows:
        flag = "  <-- regression?" if row["better_ratio"] < warn_below else ""
        lines.append(
            f"  {row['figure']:<38} {row['baseline']:>10g} -> {row['now']:>10g}   x{row['better_ratio']:.2f}{flag}"
        )
    return "\n".join(lines)
