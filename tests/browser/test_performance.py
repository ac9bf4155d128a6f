"""The Performance page and GET /api/metrics on the suite's real network, with transactions flowing."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_api import define_product
from tests.browser.test_journey import new_page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
EXTRA_SHOTS = Path("/tmp/poc-tools-shots")


class Load:
    """Harvests through the REST API from a few threads until stopped (what a storyboard's load does)."""

    def __init__(self, api: Any, threads: int = 3) -> None:
        self.api = api
        self.stop_event = threading.Event()
        self.committed = 0
        self.errors: list[str] = []
        define_product(api, "PRD-PERF", "Perf lettuce")
        # The form's defaults (farm name, date, ...), as the UI sends them; only the id and product change.
        self.defaults = api.get("/api/operations/harvest/defaults", params={"org": "farm"}).json()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self) -> None:
        while not self.stop_event.is_set():
            lot = f"PERF-{uuid.uuid4().hex[:10]}"
            response = self.api.post(
                "/api/operations/harvest",
                json={"org": "farm", "args": {**self.defaults, "lotId": lot, "productId": "PRD-PERF"}},
            )
            if response.status_code == 200:
                self.committed += 1
            else:
                self.errors.append(response.text[:300])

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=30)


def test_metrics_api_reports_throughput_while_transactions_commit(api) -> None:
    first = api.get("/api/metrics").json()
    assert first["channel"] and first["interval_s"] > 0
    with Load(api) as load:
        deadline = time.monotonic() + 30
        moving = None
        while time.monotonic() < deadline and moving is None:
            time.sleep(1.2)
            points = api.get("/api/metrics").json()["points"]
            moving = next((p for p in reversed(points) if (p["tps"] or 0) > 0), None)
    assert load.committed > 0, load.errors[:3]
    assert moving is not None, points[-3:]
    assert moving["block_rate"] > 0 and moving["height"] > 1
    assert moving["commit_ms"] is not None and moving["commit_ms"] > 0
    nodes = {n["name"]: n for n in moving["nodes"]}
    kinds = {n["kind"] for n in nodes.values()}
    assert {"peer", "orderer", "chaincode"} <= kinds
    assert all(n["up"] and n["rss_mb"] > 1 for n in nodes.values())
    assert any((n["cpu_pct"] or 0) > 0 for n in nodes.values() if n["kind"] == "peer")


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def test_performance_page_shows_live_throughput(browser, app_url, api, shots) -> None:
    EXTRA_SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_page(browser, app_url)
    page.goto("/performance")
    page.get_by_test_id("nav-performance").wait_for()
    with Load(api):
        page.wait_for_function(
            "() => parseFloat(document.querySelector('[data-kpi=tps]').textContent) > 0", timeout=30_000
        )
        page.wait_for_selector("#perf-node-rows tr[data-node]")
        page.wait_for_selector("[data-chart=tps] polyline")
        assert _number(page.get_by_test_id("kpi-tps").inner_text()) > 0
        assert page.locator("#perf-cpu polyline").count() >= 6
        for name in ("performance-en-desktop.png",):
            page.screenshot(path=str(shots / name), full_page=True)
            page.screenshot(path=str(EXTRA_SHOTS / name), full_page=True)
        for lang, viewport, name in (
            ("zh", None, "performance-zh-desktop.png"),
            ("en", PHONE, "performance-en-phone.png"),
            ("zh", PHONE, "performance-zh-phone.png"),
        ):
            other = new_page(browser, app_url, lang=lang, viewport=viewport)
            other.goto("/performance")
            other.wait_for_function(
                "() => parseFloat(document.querySelector('[data-kpi=tps]').textContent) > 0", timeout=30_000
            )
            other.screenshot(path=str(shots / name), full_page=True)
            other.screenshot(path=str(EXTRA_SHOTS / name), full_page=True)
            assert other.locator("h1").inner_text() == ("实时性能" if lang == "zh" else "Performance, live")
            assert other.js_errors == []
            other.context.close()
    assert page.js_errors == []
