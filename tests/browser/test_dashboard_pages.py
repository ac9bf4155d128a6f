"""The dashboard pages through its lots in a real browser: 50 per page, changed last first, from the lot index.

A split into 60 packages puts more than a page of lots on the ledger in five transactions. The first page
starts with the newest of them and says it comes from the block follower's lot index; "Older" shows the
next page; a filter keeps its page links; both languages, desktop and phone."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.test_api import define_product, perform
from tests.browser.test_journey import DESKTOP, PHONE, new_page

pytestmark = pytest.mark.e2e

PRODUCT = "PRD-PAGES"


@pytest.fixture(scope="module")
def packages(api: httpx.Client) -> list[str]:
    define_product(api, PRODUCT, "Paged lettuce")
    lot = f"LOT-PG-{uuid.uuid4().hex[:6].upper()}"
    perform(api, "farm", "harvest", lotId=lot, productId=PRODUCT, quantity=600, unit="kg",
             farmName="Paged Farm", harvestDate="2026-06-01")  # fmt: skip
    perform(api, "farm", "propose_transfer", lotId=lot, toMsp="ProcessorMSP")
    perform(api, "processor", "accept_transfer", lotId=lot)
    perform(api, "processor", "process", lotId=lot, step="PACKING")
    children = [f"{lot}-{i:02d}" for i in range(60)]
    perform(api, "processor", "split", parentId=lot, childrenJSON=", ".join(f"{c}:10" for c in children))
    return children


def test_the_dashboard_pages_through_the_lots(browser: Any, app_url: str, shots: Path, packages: list[str]) -> None:
    page = new_page(browser, app_url, org="processor", viewport=DESKTOP)
    page.goto("/")
    table = page.locator("[data-testid=lots-table]")
    assert table.get_attribute("data-read-model") == "index"
    first = page.locator("[data-testid=lots-table] tbody tr").evaluate_all("rows => rows.map(r => r.dataset.lot)")
    assert len(first) == 50
    assert set(first[:10]) <= set(packages) | {packages[0].rsplit("-", 1)[0]}  # the split's lots are the newest
    assert "of" in page.inner_text("[data-testid=pager]")
    page.screenshot(path=str(shots / "dashboard-pages-en-desktop.png"), full_page=False)
    page.click("[data-testid=pager] a[rel=next]")
    page.wait_for_url("**/?p=2*")
    second = page.locator("[data-testid=lots-table] tbody tr").evaluate_all("rows => rows.map(r => r.dataset.lot)")
    assert second and not set(second) & set(first)  # the next lots, none shown twice
    assert page.locator("[data-testid=pager] a[rel=prev]").count() == 1
    # A status filter keeps its page links.
    page.goto("/?status=PACKAGED")
    older = page.locator("[data-testid=pager] a[rel=next]")
    assert older.count() == 1 and "status=PACKAGED" in (older.get_attribute("href") or "")
    assert not page.js_errors

    zh = new_page(browser, app_url, lang="zh", org="processor", viewport=PHONE)
    zh.goto("/")
    assert "最近变更的在前" in zh.inner_text("[data-testid=pager]")
    zh.screenshot(path=str(shots / "dashboard-pages-zh-phone.png"))
    zh.locator("[data-testid=pager]").scroll_into_view_if_needed()
    zh.screenshot(path=str(shots / "dashboard-pager-zh-phone.png"))
    assert not zh.js_errors
