"""bench/baseline.py: the ratios printed against the committed figures of the previous release."""

from __future__ import annotations

import json

from fabdemo.bench import baseline


def test_committed_baseline_has_every_compared_figure() -> None:
    """A renamed key in the bench output would silently drop a figure from the comparison."""
    figures = json.loads(baseline.BASELINE_FILE.read_text())
    missing = [f.label for f in baseline.FIGURES if baseline.lookup(figures, f.path) is None]
    assert missing == []
    assert len(baseline.compare(figures, figures)) == len(baseline.FIGURES)


def test_ratio_above_one_means_better_whichever_way_the_figure_points() -> None:
    old = {"throughput": {"at_64_in_flight": {"tps": 100.0, "p95_ms": 900.0}}}
    new = {"throughput": {"at_64_in_flight": {"tps": 150.0, "p95_ms": 450.0}}}
    rows = {row["figure"]: row["better_ratio"] for row in baseline.compare(new, old)}
    assert rows == {"TPS @64 in flight": 1.5, "p95 ms @64 in flight": 2.0}
    worse = {row["figure"]: row["better_ratio"] for row in baseline.compare(old, new)}
    assert worse["TPS @64 in flight"] < 1 and "regression?" in baseline.render(baseline.compare(old, new))


def test_lookup_indexes_lists_and_ignores_missing_or_non_numbers() -> None:
    figures = {"growth": {"trace": [{"p50_ms": 3}, {"p50_ms": 12.5}]}, "flag": True}
    assert baseline.lookup(figures, ("growth", "trace", 1, "p50_ms")) == 12.5
    assert baseline.lookup(figures, ("growth", "trace", 5, "p50_ms")) is None
    assert baseline.lookup(figures, ("flag",)) is None
