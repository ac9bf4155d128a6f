"""Hostile text typed into a lot's fields, in a real browser: it shows literally and nothing of it runs,
in the server-rendered pages, the trace graph and the live ledger view that Server-Sent Events update."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.test_api import new_lot_id
from tests.browser.test_journey import new_page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_ATTR = '" onmouseover="alert(2)'
HOSTILE_URL = "javascript:alert(3)"


def watch(page: Any) -> list[str]:
    """Everything that would show that hostile text ran: dialogs and blocked or failed scripts."""
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on(
        "console", lambda msg: seen.append(f"console: {msg.text}") if "Content Security Policy" in msg.text else None
    )
    return seen


def test_hostile_lot_fields_show_literally_and_never_run(browser, app_url: str, api: httpx.Client) -> None:
    product = f"PRD-XSS-{new_lot_id()[-8:]}"
    body = {"org": "farm", "args": {"productId": product, "name": HOSTILE_URL, "minTempC": 1, "maxTempC": 4}}
    assert api.post("/api/operations/define_product", json=body).status_code == 200, body

    ledger = new_page(browser, app_url)
    ledger_seen = watch(ledger)
    ledger.goto("/ledger")
    ledger.locator("#live-state.on").wait_for()

    form_page = new_page(browser, app_url)
    seen = watch(form_page)
    lot_id = new_lot_id()
    form_page.goto("/operations/harvest")
    form = form_page.get_by_test_id("form-harvest")
    for name, value in {
        "lotId": lot_id, "productId": product, "farmName": HOSTILE_SCRIPT, "unit": HOSTILE_ATTR,
        "farmLocation": HOSTILE_URL, "quantity": "5",
    }.items():  # fmt: skip
        form.locator(f'[name="{name}"]').fill(value)
    form.get_by_test_id("submit-harvest").click()
    form_page.get_by_test_id("outcome-ok").wait_for()

    # The live ledger (SSE) shows the new block with the lot's id; nothing from its fields ran there.
    ledger.locator(".evname", has_text=lot_id).first.wait_for()

    form_page.goto(f"/lots/{lot_id}")
    timeline = form_page.locator("main")
    timeline.get_by_text(HOSTILE_SCRIPT).first.wait_for()
    form_page.get_by_text(HOSTILE_ATTR, exact=False).first.hover()  # an injected handler would fire now
    assert form_page.locator("main script").count() == 0
    assert HOSTILE_URL not in (form_page.locator("a").evaluate_all("(as) => as.map((a) => a.href).join(' ')"))

    form_page.goto(f"/lots/{lot_id}/trace")
    form_page.locator("svg").first.wait_for()
    form_page.goto(f"/c/{lot_id}")
    form_page.get_by_text(HOSTILE_URL).first.wait_for()
    assert form_page.locator("main script").count() == 0

    assert seen == [] and ledger_seen == []
    assert form_page.js_errors == [] and ledger.js_errors == []
    for page in (ledger, form_page):
        page.context.close()
