"""The FSMA 204 records page: the regulator's request answered on screen, with the time it took, and
the sortable spreadsheet (XLSX, CSV) to send. Built by the same code as ``GET /api/reports/fsma204``."""

from __future__ import annotations

import time

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from fabdemo.epcis import fsma204, journey
from fabdemo.service import ServiceError
from fabdemo.web.pages import PageDep

router = APIRouter(include_in_schema=False)
HEADERS_ZH = {
    "Critical tracking event": "关键追溯事件",
    "Event date": "事件日期",
    "Traceability lot code": "追溯批次码",
    "GTIN": "GTIN",
    "Quantity": "数量",
    "Unit of measure": "单位",
    "Location name": "地点",
    "Immediate previous source name": "直接上游来源",
    "Immediate subsequent recipient name": "直接下游接收方",
    "Reference document type": "参考单据类型",
    "Reference document number": "参考单据编号",
    "Ledger block": "账本区块",
}
SHOWN = ["Critical tracking event", "Event date", "Traceability lot code", "GTIN", "Quantity", "Unit of measure",
         "Location name", "Immediate previous source name", "Immediate subsequent recipient name",
         "Reference document type", "Reference document number", "Ledger block"]  # fmt: skip


@router.get("/reports/fsma204", response_class=HTMLResponse)
async def fsma_page(
    page: PageDep,
    product: str | None = Query(None),
    date_from: str | None = Query(None, alias="from"),
    date_to: str | None = Query(None, alias="to"),
) -> Response:
    service = page.service
    products = await journey.products_by_id(service, page.org_key)
    if product and product not in products:
        raise ServiceError(
            "NOT_FOUND", f"product {product} does not exist", 404, message_zh=f"未找到：产品 {product} 不存在"
        )
    started = time.perf_counter()
    steps = await journey.journeys(service, product_id=product, date_from=date_from, date_to=date_to,
                                   org_key=page.org_key)  # fmt: skip
    table = fsma204.rows(steps)
    elapsed_ms = (time.perf_counter() - started) * 1000
    index = [fsma204.COLUMNS.index(c) for c in SHOWN]
    query = "&".join(f"{k}={v}" for k, v in (("product", product), ("from", date_from), ("to", date_to)) if v)
    return page.render(
        "fsma204.html",
        products=sorted(products.values(), key=lambda p: p["productId"]),
        product=product or "",
        columns=[HEADERS_ZH[c] if page.context.get("lang") == "zh" else c for c in SHOWN],
        rows=[[row[i] for i in index] for row in table],
        lots=len({s.lot_id for s in steps}),
        elapsed_ms=elapsed_ms,
        query=query,
    )
