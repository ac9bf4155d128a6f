"""``make chaos --short`` in CI: the same scenarios through the same module, on a network of its own
(port offset 11300), asserting the targets of docs/resilience.md.
"""

from __future__ import annotations

from typing import Any

import pytest

from fabdemo.chaos.scenarios import CATCH_UP_TARGET_S, SHORT, SUCCESS_TARGET, missed_targets, run


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return run(SHORT, print)


def by_key(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["scenario"]: s for s in report["scenarios"]}


def test_every_scenario_ran_with_real_load(report: dict[str, Any]) -> None:
    scenarios = by_key(report)
    assert sorted(scenarios) == list("abcdef")
    assert all(s["submits"] == SHORT.submits and s["acknowledged"] > 0 for s in scenarios.values())


def test_no_acknowledged_submit_is_lost_and_no_failed_one_committed(report: dict[str, Any]) -> None:
    for s in report["scenarios"]:
        assert s["lost"] == 0, s
        assert s["failed_but_on_ledger"] == 0, s


def test_submits_succeed_wherever_a_quorum_remains(report: dict[str, Any]) -> None:
    for s in report["scenarios"]:
        if s["quorum_remains"]:
            assert s["success_ratio"] >= SUCCESS_TARGET, s
    assert by_key(report)["f"]["once_back"]["success_ratio"] >= SUCCESS_TARGET


def test_peers_catch_up_within_ten_seconds_of_a_restart(report: dict[str, Any]) -> None:
    for s in report["scenarios"]:
        assert s["catch_up_s"] <= CATCH_UP_TARGET_S, s


def test_two_orderers_down_fails_fast_and_clearly_and_acknowledges_nothing(report: dict[str, Any]) -> None:
    f = by_key(report)["f"]
    down = f["while_down"]
    assert f["acknowledged_while_down"] == 0 and down["failed"] == down["submits"], f
    assert f["max_failure_s"] < 20, f  # the ordering budget (10 s) plus the lookup, not a hang
    sample = down["error_sample"]
    assert "quorum" in sample["message"] and "排序" in sample["message_zh"]


def test_the_report_names_no_missed_target(report: dict[str, Any]) -> None:
    assert missed_targets(report) == []
