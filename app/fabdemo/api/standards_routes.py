"""GS1 and FSMA 204 endpoints: EPCIS 2.0 out and in (the standard's capture binding), the FSMA 204
sortable spreadsheet, and the GS1 Digital Link resolver. The mapping lives in ``fabdemo.epcis``; every
read and write goes through the service layer."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from typing import Annotated, Any

import biip
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from fabdemo.api.deps import ServiceDep
from fabdemo.api.schemas import ERROR_RESPONSES
from fabdemo.epcis import export, fsma204, journey
from fabdemo.epcis.capture import CaptureJobs
from fabdemo.service import ServiceError

api = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
epcis = APIRouter(responses=ERROR_RESPONSES)
EPCIS_MEDIA = "application/ld+json"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ID = r"^[A-Za-z0-9._-]{1,64}$"  # the contract's identifiers (validate.go)
LotId = Annotated[str, Path(pattern=ID, description="a lot id")]
ProductId = Annotated[str, Path(pattern=ID, description="a product id")]
ProductQuery = Annotated[str | None, Query(pattern=ID, description="a product id")]
FromQuery = Annotated[str | None, Query(alias="from", pattern=DATE.pattern, description="YYYY-MM-DD, inclusive")]
ToQuery = Annotated[str | None, Query(alias="to", pattern=DATE.pattern, description="YYYY-MM-DD, inclusive")]
EPCIS_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "an EPCIS 2.0 EPCISDocument (JSON-LD)",
        "content": {EPCIS_MEDIA: {"schema": {"type": "object"}}},
    }
}
SPREADSHEET: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the FSMA 204 sortable spreadsheet",
        "content": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


def _dates(date_from: str | None, date_to: str | None) -> None:
    for name, value in (("from", date_from), ("to", date_to)):
        if value and not DATE.match(value):
            raise ServiceError(
                "INVALID_ARGUMENT",
                f"{name} must be a date YYYY-MM-DD",
                422,
                message_zh=f"参数无效：{name} 必须是日期 YYYY-MM-DD",
                field=name,
            )


def _document(steps: list[journey.Step]) -> Response:
    return JSONResponse(export.document(steps), media_type=EPCIS_MEDIA)


@api.get(
    "/lots/{lot_id}/epcis",
    response_class=Response,
    responses=EPCIS_DOC,
    tags=["standards"],
    summary="The lot's journey (with its ancestors) as an EPCIS 2.0 document",
)
async def lot_epcis(service: ServiceDep, lot_id: LotId) -> Response:
    return _document(await journey.journey(service, lot_id))


@api.get(
    "/epcis/events",
    response_class=Response,
    responses=EPCIS_DOC,
    tags=["standards"],
    summary="EPCIS 2.0 document of every lot, by product and/or date range",
)
async def epcis_events(
    service: ServiceDep,
    product: ProductQuery = None,
    date_from: FromQuery = None,
    date_to: ToQuery = None,
) -> Response:
    _dates(date_from, date_to)
    return _document(await journey.journeys(service, product_id=product, date_from=date_from, date_to=date_to))


@api.get(
    "/products/{product_id}/epcis",
    response_class=Response,
    responses=EPCIS_DOC,
    tags=["standards"],
    summary="EPCIS 2.0 document of every lot of a product",
)
async def product_epcis(service: ServiceDep, product_id: ProductId) -> Response:
    await service.query(None, "get_product", {"productId": product_id})  # 404 for an unknown product
    return _document(await journey.journeys(service, product_id=product_id))


@api.get(
    "/reports/fsma204",
    response_class=Response,
    responses=SPREADSHEET,
    tags=["standards"],
    summary="FSMA 204 sortable spreadsheet: one row per CTE (xlsx or csv)",
)
async def fsma_report(
    service: ServiceDep,
    product: ProductQuery = None,
    date_from: FromQuery = None,
    date_to: ToQuery = None,
    format: str = Query("xlsx", pattern="^(xlsx|csv)$"),
) -> Response:
    _dates(date_from, date_to)
    if product:
        await service.query(None, "get_product", {"productId": product})
    started = time.perf_counter()
    steps = await journey.journeys(service, product_id=product, date_from=date_from, date_to=date_to)
    table = fsma204.rows(steps)
    name = f"fsma204-{product or 'all'}-{dt.date.today().isoformat()}"
    if format == "csv":
        body, media = fsma204.to_csv(table), "text/csv; charset=utf-8"
    else:
        body, media = fsma204.to_xlsx(table), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        media_type=media,
        headers={
            "content-disposition": f'attachment; filename="{name}.{format}"',
            "x-fsma-rows": str(len(table)),
            "x-fsma-elapsed-ms": f"{(time.perf_counter() - started) * 1000:.0f}",
        },
    )


# -- EPCIS capture interface (EPCIS 2.0 REST binding: POST /capture, GET /capture/{captureID}) ------
def _jobs(request: Request) -> CaptureJobs:
    if getattr(request.app.state, "epcis_captures", None) is None:
        request.app.state.epcis_captures = CaptureJobs()
    return request.app.state.epcis_captures


@epcis.post(
    "/epcis/capture",
    tags=["standards"],
    status_code=202,
    summary="Capture an EPCISDocument: 202 with a capture id; each event through the service layer",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {m: {"schema": {"type": "object"}} for m in ("application/json", EPCIS_MEDIA)},
        }
    },
)
async def capture(request: Request, service: ServiceDep) -> Response:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("application/json", EPCIS_MEDIA):
        # a cross-site <form> cannot send these types, so a page elsewhere cannot capture events here
        raise ServiceError(
            "EPCIS_MALFORMED",
            "send the EPCISDocument as application/json or application/ld+json",
            415,
            message_zh="请以 application/json 或 application/ld+json 发送 EPCISDocument",
        )
    body = await request.body()
    job = await _jobs(request).submit(service, body)
    location = f"/epcis/capture/{job.capture_id}"
    return JSONResponse({"captureID": job.capture_id, "location": location}, 202, headers={"location": location})


@epcis.get(
    "/epcis/capture/{capture_id}", tags=["standards"], summary="State of a capture job, with the outcome per event"
)
async def capture_status(request: Request, capture_id: str) -> Any:
    job = _jobs(request).get(capture_id)
    if job is None:
        raise ServiceError(
            "NOT_FOUND", f"no capture job {capture_id}", 404, message_zh=f"未找到：没有采集任务 {capture_id}"
        )
    return job.to_dict()


@api.get("/webhooks", tags=["standards"], summary="Webhook endpoints, deliveries, retries and given-up deliveries")
async def webhooks_status(request: Request) -> Any:
    return request.app.state.webhooks.status()


# -- GS1 Digital Link resolver --------------------------------------------------------------------
NOT_FOUND_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Not found · 未找到</title>
<link rel="stylesheet" href="/static/app.css"></head><body><main class="container">
<h1>This code does not lead to a product <span lang="zh">此二维码没有对应的产品</span></h1>
<p>{en}</p><p lang="zh">{zh}</p>
<p><code>{uri}</code></p></main></body></html>"""


def _not_found(uri: str, en: str, zh: str) -> HTMLResponse:
    page = NOT_FOUND_PAGE.format(en=html.escape(en), zh=html.escape(zh), uri=html.escape(uri))
    return HTMLResponse(page, status_code=404)


def parse_digital_link(uri: str) -> tuple[str, str] | tuple[None, tuple[str, str]]:
    """(gtin14, lot) of a GS1 Digital Link URI, or (None, (reason_en, reason_zh))."""
    link = biip.parse(uri).gs1_digital_link_uri
    strings = {e.ai.ai: e for e in link.element_strings} if link else {}
    if "01" not in strings:
        return None, (
            "it is not a GS1 Digital Link with a GTIN (/01/...).",
            "它不是含 GTIN（/01/...）的 GS1 数字链接。",
        )
    gtin = strings["01"]
    if gtin.gtin is None:
        return None, (
            f"the GTIN {gtin.value} is not valid ({gtin.gtin_error}).",
            f"GTIN {gtin.value} 无效（校验位错误）。",
        )
    if "10" not in strings:
        return None, ("it names no lot (/10/...).", "它没有指明批号（/10/...）。")
    return gtin.gtin.value.zfill(14), strings["10"].value


@epcis.get("/01/{gtin}/10/{lot}", response_class=HTMLResponse, include_in_schema=False)
async def digital_link(request: Request, service: ServiceDep, gtin: str, lot: str) -> Response:
    uri = str(request.url)
    gtin14, lot_id = parse_digital_link(f"https://id.gs1.org/01/{gtin}/10/{lot}")
    if gtin14 is None:
        return _not_found(uri, f"This link is not valid: {lot_id[0]}", f"此链接无效：{lot_id[1]}")
    try:
        found = await service.query(None, "get_lot", {"lotId": lot_id})
        product = await service.query(None, "get_product", {"productId": found["productId"]})
    except ServiceError as err:
        if err.http_status in (404, 422):
            return _not_found(uri, f"Lot {lot_id} is not on the ledger.", f"账本上没有批次 {lot_id}。")
        raise
    if product.get("gtin") != gtin14:
        return _not_found(uri, f"Lot {lot_id} is not a lot of GTIN {gtin14}.", f"批次 {lot_id} 不属于 GTIN {gtin14}。")
    return RedirectResponse(f"/c/{lot_id}", status_code=307)


@epcis.get("/01/{path:path}", response_class=HTMLResponse, include_in_schema=False)
async def digital_link_other(request: Request, path: str) -> Response:
    return _not_found(
        str(request.url),
        "This link is not a GS1 Digital Link of a lot (/01/{GTIN}/10/{lot}).",
        "此链接不是批次的 GS1 数字链接（/01/{GTIN}/10/{批号}）。",
    )


async def digital_link_uri(service: Any, base: str, lot_id: str) -> str | None:
    """The lot's Digital Link on this app's host, when its product has a GTIN."""
    try:
        lot = await service.query(None, "get_lot", {"lotId": lot_id})
        product = await service.query(None, "get_product", {"productId": lot["productId"]})
    except ServiceError:
        return None
    return f"{base}/01/{product['gtin']}/10/{lot_id}" if product.get("gtin") else None
