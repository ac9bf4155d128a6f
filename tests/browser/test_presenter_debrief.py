"""The presenter's debrief after a (short) executives presentation on the real network: scene times,
the customer's step and its transaction, the value figures, and a draft criteria.yaml that the POC
model accepts. Screenshots in both languages, desktop and phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabdemo.poc import criteria
from tests.api.test_api import define_product
from tests.browser.test_journey import new_page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
EXTRA_SHOTS = Path("/tmp/poc-tools-shots")
VALUE = {"recalls": 3, "cost": 1_000_000, "days": 4, "share": 50, "counterfeit": 200_000, "cut": 25}


def _ok(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def test_debrief_after_a_presentation(browser, app_url, api, shots) -> None:
    define_product(api, "PRD-STRAWBERRY", "Strawberries", 0, 4)
    _ok(api.post("/api/presenter/select", json={"storyboard": "executives"}))
    for _ in range(3):  # harvest, journey, consumer: each run on the ledger
        state = _ok(api.post("/api/presenter/next", json={}))
        assert _ok(api.post("/api/presenter/run", json={}))["report"]["passed"]
    assert state["scene"]["id"] == "consumer"
    assert _ok(api.post("/api/presenter/customer/simulate", json={}))["customer"]["done"]
    value_index = next(i for i, s in enumerate(state["sceneList"]) if s["id"] == "value")
    _ok(api.post("/api/presenter/go", json={"index": value_index}))  # cold-chain and recall are skipped
    saved = _ok(api.post("/api/presenter/value", json=VALUE))
    assert saved["saving"] == 3 * 1_000_000 * 0.5 + 200_000 * 0.25
    bad = api.post("/api/presenter/value", json={**VALUE, "share": 150})
    assert bad.status_code == 422
    assert api.post("/api/presenter/value", json={**VALUE, "extra": 1}).status_code == 422

    found = _ok(api.get("/api/presenter/debrief"))
    scenes = {s["id"]: s for s in found["scenes"]}
    assert [s for s in scenes if scenes[s]["shown"]] == ["pain", "harvest", "journey", "consumer", "value"]
    assert not scenes["recall"]["shown"] and scenes["recall"]["seconds"] == 0
    assert all(scenes[s]["seconds"] > 0 for s in ("harvest", "consumer"))  # each ran on the ledger
    assert found["seconds"] == pytest.approx(sum(s["seconds"] for s in found["scenes"]), abs=0.5)
    assert scenes["harvest"]["ran"] and scenes["harvest"]["passed"]
    harvest_tx = scenes["harvest"]["transactions"][0]
    assert harvest_tx["op"] == "harvest" and len(harvest_tx["txId"]) == 64 and harvest_tx["block"] > 0
    (step,) = found["customerSteps"]
    assert step["scene"] == "consumer" and step["how"] == "presenter" and step["event"] == "AuthenticityChecked"
    assert len(step["txId"]) == 64
    # The refused inputs changed nothing.
    assert found["value"] == {"inputs": {k: float(v) for k, v in VALUE.items()}, "saving": 1_550_000.0}

    # The draft criteria parse with the POC model; what was not shown is not in them.
    text = found["criteriaYaml"]
    draft = criteria.parse(text, "debrief")
    ids = {c.id for c in draft.criteria}
    assert {"harvest-throughput", "lot-lookup-latency"} <= ids
    assert "recall-trace" not in ids  # the recall scene was skipped
    assert "3 recalls/year" in text and "4 days to trace" in text
    download = api.get("/api/presenter/debrief/criteria.yaml")
    assert download.status_code == 200 and download.text == text
    assert download.headers["content-disposition"] == 'attachment; filename="criteria-executives.yaml"'

    EXTRA_SHOTS.mkdir(parents=True, exist_ok=True)
    for lang, viewport, name in (
        ("en", None, "debrief-en-desktop.png"),
        ("zh", None, "debrief-zh-desktop.png"),
        ("en", PHONE, "debrief-en-phone.png"),
        ("zh", PHONE, "debrief-zh-phone.png"),
    ):
        page = new_page(browser, app_url, lang=lang, viewport=viewport)
        page.goto("/present")
        page.get_by_test_id("open-debrief").click()
        page.get_by_test_id("debrief-scenes").wait_for()
        assert page.locator("[data-testid=debrief-scenes] tbody tr").count() == len(found["scenes"])
        assert "1,550,000" in page.get_by_test_id("debrief-saving").inner_text()
        assert "harvest-throughput" in page.get_by_test_id("criteria-yaml").inner_text()
        title = page.get_by_test_id("debrief-title").inner_text()
        assert title.startswith("复盘" if lang == "zh" else "Debrief")
        page.screenshot(path=str(shots / name), full_page=True)
        page.screenshot(path=str(EXTRA_SHOTS / name), full_page=True)
        assert page.js_errors == []
        page.context.close()
