"""The cold chain and the route as pictures, and the FSMA 204 page, in a real browser: desktop and
phone, English and Chinese. Screenshots go to tests/artifacts/screenshots/standards-*.png (and to
$FABDEMO_SHOTS when set)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.test_api import define_product, perform
from tests.browser.test_journey import DESKTOP, PHONE, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def travelled(api: httpx.Client) -> str:
    """A lot on the road from the farm to the plant: GPS checkpoints and readings, the last one a breach."""
    define_product(api, "PRD-PICTURE", "Picture lettuce")
    lot = f"PIC-{uuid.uuid4().hex[:6]}"
    perform(api, "farm", "harvest", lotId=lot, productId="PRD-PICTURE", quantity=300, unit="kg",
            farmName="Green Valley Farm Co-op", harvestDate="2026-04-05")  # fmt: skip
    perform(api, "farm", "propose_transfer", lotId=lot, toMsp="ProcessorMSP", carrier="ColdLink", vehicle="LU-B 3321",
            docType="BILL_OF_LADING", docNumber="BOL-77")  # fmt: skip
    for lat, lon, place, celsius in ((36.86, 118.80, "Shouguang ring road", 2.5), (36.80, 118.95, "G20 km 212", 3.1),
                                     (36.74, 119.08, "Weifang east exit", 6.8)):  # fmt: skip
        perform(api, "farm", "checkpoint", lotId=lot, latitude=lat, longitude=lon, location=place, note="")
        perform(api, "farm", "temperature", lotId=lot, celsius=celsius, location="Reefer LU-B 3321")
    return lot


def _shots(shots: Path) -> list[Path]:
    out = [shots]
    if os.environ.get("FABDEMO_SHOTS"):
        out.append(Path(os.environ["FABDEMO_SHOTS"]))
    for folder in out:
        folder.mkdir(parents=True, exist_ok=True)
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_pictures(
    browser: Any, app_url: str, travelled: str, shots: Path, lang: str, device: str, viewport: dict
) -> None:
    lot = travelled
    for name, path in (
        ("lot", f"/lots/{lot}"),
        ("consumer", f"/c/{lot}?at=Pictures"),
        ("fsma", "/reports/fsma204?product=PRD-PICTURE"),
    ):
        page = new_page(browser, app_url, lang=lang, viewport=viewport)
        page.goto(path)
        if name != "fsma":
            route = page.locator("[data-testid=route-svg]")
            assert route.locator("g.stop").count() == 5  # farm, three checkpoints, the plant it goes to
            chart = page.locator("[data-testid=temp-chart]")
            assert chart.locator("circle.pt.bad").count() == 1 and chart.locator("circle.pt.ok").count() == 2
            assert chart.locator("rect.band").count() == 1
            page.locator("[data-testid=route]").scroll_into_view_if_needed()
        else:
            assert page.locator("[data-testid=fsma-table] tbody tr").count() == 2  # harvesting, shipping
            assert ("毫秒" if lang == "zh" else " ms") in page.locator("[data-testid=fsma-elapsed]").inner_text()
        assert page.js_errors == []
        for folder in _shots(shots):
            page.screenshot(path=str(folder / f"standards-{name}-{device}-{lang}.png"), full_page=True)
        page.context.close()
