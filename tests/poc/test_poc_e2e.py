"""A short ``make poc`` on the suite's real network: every criterion measured, verdicts computed, report readable.

``python -m fabdemo.poc`` (what ``make poc`` runs) is started as a user would, pointed at the suite's
network through the environment, with tests/poc/tiny_criteria.yaml: every criterion kind once, short
rounds, one criterion that cannot be met (10,000 TPS) and one that is trivially met. Then the HTML report
is opened in Chromium with every non-file request refused, and screenshotted in both languages.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fabdemo.poc import report_html
from tests.browser.conftest import SCREENSHOTS, browser  # noqa: F401  (the browser suite's Chromium fixture)

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "poc" / "tiny_criteria.yaml"


@pytest.fixture(scope="module")
def poc_run(network, e2e_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("poc-report")
    done = subprocess.run(
        [sys.executable, "-m", "fabdemo.poc", "--criteria", str(TINY), "--out", str(out)],
        env=e2e_env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(done.stderr[-4000:])
    assert (out / "report.json").exists(), done.stderr[-4000:]
    return {
        "code": done.returncode,
        "stdout": done.stdout,
        "stderr": done.stderr,
        "out": out,
        "data": json.loads((out / "report.json").read_text(encoding="utf-8")),
    }


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in data["criteria"]}


def test_it_ran_on_the_running_network_with_progress_and_a_failing_exit(poc_run) -> None:
    assert poc_run["data"]["network"] == "running"
    assert "[poc] harvest-easy (throughput)" in poc_run["stderr"]
    assert poc_run["code"] == 1  # one criterion failed, so the command fails
    assert "FAIL  harvest-impossible" in poc_run["stdout"]


def test_every_criterion_has_a_measured_value(poc_run) -> None:
    entries = poc_run["data"]["criteria"]
    assert len(entries) == 10
    for e in entries:
        assert e["error"] is None, e
        assert e["measured"] is not None and e["headline"]["value"] is not None, e
        assert e["checks"], e
        assert e["method"]["en"] and e["method"]["zh"]


def test_verdicts_are_computed_from_the_measured_values(poc_run) -> None:
    entries = by_id(poc_run["data"])
    impossible = entries["harvest-impossible"]
    assert impossible["verdict"] == "FAIL"
    [check] = impossible["checks"]
    assert check["name"] == "throughput_tps" and check["target"] == 10000 and not check["ok"]
    assert 0 < check["measured"] == impossible["measured"]["throughput"] < 10000
    assert entries["harvest-easy"]["verdict"] == "PASS"
    for e in entries.values():
        assert (e["verdict"] == "PASS") == all(c["ok"] for c in e["checks"]), e
    summary = poc_run["data"]["summary"]
    assert summary["failed"] == sum(e["verdict"] == "FAIL" for e in entries.values()) >= 1


def test_load_rounds_report_caliper_s_fields_and_a_series(poc_run) -> None:
    for key in ("harvest-easy", "harvest-impossible", "mix", "reads", "lone"):
        m = by_id(poc_run["data"])[key]["measured"]
        for field in ("succ", "fail", "send_rate", "max_latency", "min_latency", "avg_latency", "throughput", "p99_ms"):
            assert m[field] is not None, (key, field)
        assert m["succ"] > 0 and m["series"], key
    assert by_id(poc_run["data"])["lone"]["measured"]["succ"] == 5
    assert len(poc_run["data"]["sweep"]) == 2


def test_resilience_and_privacy_checked_what_they_claim(poc_run) -> None:
    entries = by_id(poc_run["data"])
    leader = entries["leader"]["measured"]
    assert leader["submits"] == 40 and leader["killed"].startswith("orderer") and leader["lost"] == 0
    privacy = entries["privacy"]["measured"]
    assert privacy["paths_checked"] >= 8 and privacy["leaks"] == 0 and privacy["controls_failed"] == 0
    assert entries["cold"]["measured"]["seconds"] > 0 and entries["reset"]["measured"]["runs"]


def test_capacity_resources_blocks_and_machine(poc_run) -> None:
    data = poc_run["data"]
    capacity = data["capacity"]
    assert capacity["criterion"] == "harvest-easy" and capacity["transactions"] > 0
    assert {"peer", "orderer", "chaincode", "client"} <= set(capacity["cpu_ms_per_tx_by_kind"])
    assert capacity["cpu_ms_per_tx_by_kind"]["peer"] > 0
    assert [p["cores_per_node"] for p in capacity["projection"]] == [2, 8]
    assert capacity["projection"][1]["tps"] == pytest.approx(4 * capacity["projection"][0]["tps"], rel=0.01)
    kinds = {row["kind"] for row in data["resources"]["rows"]}
    assert {"peer", "orderer", "chaincode", "client"} <= kinds
    assert data["blocks"] and all(b["transactions"] >= 1 for b in data["blocks"])
    machine = data["machine"]
    assert machine["cores"] >= 1 and machine["fabric_version"] and machine["kernel"] and machine["runtime"]


def test_caliper_rounds_are_rendered_beside_the_kit_s_when_given(poc_run) -> None:
    data = dict(poc_run["data"])
    html = (poc_run["out"] / "report.html").read_text(encoding="utf-8")
    assert "Caliper was not run" in html
    data["caliper"] = [
        {"name": "harvest-caliper", "succ": 300, "fail": 0, "send_rate": 37.2, "max_latency": 1.9,
         "min_latency": 0.3, "avg_latency": 0.8, "throughput": 36.5},
    ]  # fmt: skip
    rendered = report_html.render(data)
    assert "harvest-caliper" in rendered and "36.5" in rendered and "Caliper was not run" not in rendered


@pytest.fixture(scope="module")
def page(browser: Any) -> Any:  # noqa: F811  (the imported fixture, by name)
    return browser.new_page(viewport={"width": 1280, "height": 800})


@pytest.mark.browser
def test_the_html_report_is_offline_has_svg_charts_and_both_languages(poc_run, page) -> None:
    requested: list[str] = []

    def refuse_the_network(route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            requested.append(route.request.url)
            route.abort()

    page.route("**/*", refuse_the_network)
    page.goto((poc_run["out"] / "report.html").as_uri())
    assert page.locator("svg.chart").count() >= 5  # sweep, latency, CPU, memory, blocks
    assert page.locator("h1 .en").is_visible() and not page.locator("h1 .zh").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "poc-report-en.png"), full_page=True)
    page.click("button[data-lang=zh]")
    assert page.locator("h1 .zh").is_visible() and page.locator("h1").inner_text() == "小型 POC"
    assert page.get_by_text("推算（非实测）").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "poc-report-zh.png"), full_page=True)
    assert requested == []
