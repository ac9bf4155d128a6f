"""Presenter and audience views in two Chromium pages, and a customer acting from a third one."""

from __future__ import annotations

from typing import Any

import pytest

from fabdemo.settings import get_settings
from fabdemo.storyboard.model import load_storyboard
from tests.api.test_api import define_product
from tests.browser.test_journey import new_page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def strawberries(api) -> None:
    """The executives' storyboard harvests strawberries: the product must exist (seeded in a real demo)."""
    define_product(api, "PRD-STRAWBERRY", "Strawberries", 0, 4)


def _title(page: Any, testid: str) -> str:
    return page.get_by_test_id(testid).inner_text().strip()


def test_audience_follows_presenter_and_customer_step_completes(browser, app_url, api, strawberries, shots) -> None:
    presenter = new_page(browser, app_url)
    presenter.goto("/present")
    audience = new_page(browser, app_url)
    audience.goto("/audience")

    presenter.get_by_test_id("start-executives").click()
    presenter.get_by_test_id("scene-title").filter(has_text="The pain").wait_for()
    audience.get_by_test_id("audience-title").filter(has_text="The pain").wait_for()
    # The audience never sees the talk track.
    assert "Start with their problem" in presenter.get_by_test_id("talk").inner_text()
    assert "Start with their problem" not in audience.content()

    presenter.get_by_test_id("next").click()
    audience.get_by_test_id("audience-title").filter(has_text="The farm records the harvest").wait_for()
    presenter.get_by_test_id("run-scene").click()
    presenter.get_by_test_id("run-result").filter(has_text="harvest emits LotHarvested").wait_for()
    assert "✗" not in presenter.get_by_test_id("run-result").inner_text()

    presenter.get_by_test_id("next").click()
    presenter.get_by_test_id("scene-title").filter(has_text="Handover").wait_for()
    presenter.get_by_test_id("run-scene").click()
    presenter.get_by_test_id("run-result").filter(has_text="split emits LotSplit").wait_for()

    presenter.get_by_test_id("next").click()
    audience.get_by_test_id("audience-title").filter(has_text="The customer scans").wait_for()
    audience.get_by_test_id("audience-customer").wait_for()
    presenter.get_by_test_id("customer-drives").click()
    presenter.get_by_test_id("customer-status").filter(has_text="Waiting").wait_for()
    presenter.screenshot(path=str(shots / "presenter-waiting-en.png"))
    audience.screenshot(path=str(shots / "audience-customer-en.png"))

    # A customer opens the package's page from the QR code, on their own device.
    customer_path = api.get("/api/presenter/public").json()["customer"]["page"]
    assert customer_path.startswith("/c/")
    customer = new_page(browser, app_url, org="retail")
    customer.goto(customer_path)
    customer.get_by_test_id("verdict-ok").wait_for()

    # The customer's block reaches the presenter through the block follower: on a loaded CI machine that
    # can take longer than Playwright's default wait.
    presenter.get_by_test_id("customer-status").filter(has_text="on the ledger").wait_for(timeout=45_000)
    audience.locator("#aud-done").filter(has_text="on the ledger").wait_for()

    presenter.get_by_test_id("back").click()
    audience.get_by_test_id("audience-title").filter(has_text="Handover").wait_for()
    for page in (presenter, audience, customer):
        page.context.close()


def test_presenter_in_chinese_and_value_panel(browser, app_url, shots) -> None:
    presenter = new_page(browser, app_url, lang="zh")
    presenter.goto("/present")
    presenter.get_by_test_id("change-story").or_(presenter.get_by_test_id("start-executives")).first.wait_for()
    if presenter.get_by_test_id("change-story").is_visible():  # a storyboard is running: choose again
        presenter.get_by_test_id("change-story").click()
    presenter.get_by_test_id("start-executives").click()
    presenter.get_by_test_id("scene-title").filter(has_text="痛点").wait_for()
    assert "先讲客户的问题" in presenter.get_by_test_id("talk").inner_text()
    executives = load_storyboard(get_settings().repo_root / "demos" / "executives.story.yaml")
    for _ in range([scene.id for scene in executives.scenes].index("value")):  # scenes may be added before it
        presenter.get_by_test_id("next").click()
    presenter.get_by_test_id("value-panel").wait_for()
    presenter.get_by_test_id("value-recalls").fill("3")
    presenter.get_by_test_id("value-cost").fill("1000000")
    presenter.get_by_test_id("value-share").fill("50")
    presenter.get_by_test_id("value-counterfeit").fill("0")
    assert "1,500,000" in presenter.get_by_test_id("value-saving").inner_text()
    presenter.screenshot(path=str(shots / "presenter-value-zh.png"), full_page=True)
    presenter.context.close()
