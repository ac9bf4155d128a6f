"""Server-rendered pages. Each handler asks the service layer for one read model and renders a template."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from fabdemo.service import GROUPS, OPERATIONS, LedgerService, ServiceError, get_operation
from fabdemo.service.catalogue import STATUSES, lot_actions
from fabdemo.web import TEMPLATES_DIR
from fabdemo.web.i18n import event_label, js_texts, pick_lang, present_js_texts, status_label, translator
from fabdemo.web.svg import network_diagram, temperature_chart, trace_graph

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
ORG_COLOURS = {"grower": "#2f855a", "processor": "#2b6cb0", "retailer": "#c05621", "carrier": "#6b46c1"}


def _service(request: Request) -> LedgerService:
    return request.app.state.service


def _context(request: Request, **extra: Any) -> dict[str, Any]:
    service = _service(request)
    lang = pick_lang(request.cookies.get("lang"), request.headers.get("accept-language"))
    orgs = service.orgs()
    keys = [o["key"] for o in orgs]
    org_key = request.cookies.get("org")
    if org_key not in keys:
        org_key = keys[0]
    org = next(o for o in orgs if o["key"] == org_key)
    by_msp = {o["msp"]: o for o in orgs}
    zh = lang == "zh"

    def org_name(msp: str | None) -> str:
        found = by_msp.get(msp or "")
        if not found:
            return msp or ""
        return found["name_zh"] if zh else found["name"]

    def org_colour(msp: str | None) -> str:
        found = by_msp.get(msp or "")
        return ORG_COLOURS.get(found["roles"][0], "#4a5568") if found and found["roles"] else "#4a5568"

    def label(item: Any) -> str:
        return item.label_zh if zh else item.label_en

    t = translator(lang)
    config = request.app.state.config
    return {
        "request": request,
        "lang": lang,
        "t": t,
        "org": org,
        "orgs": orgs,
        "org_name": org_name,
        "org_colour": org_colour,
        "label": label,
        "desc": lambda op: op.description_zh if zh else op.description_en,
        "hint": lambda p: p.hint_zh if zh else p.hint_en,
        "status_label": lambda s: status_label(s, lang),
        "event_label": lambda n: event_label(n, lang),
        "role_label": lambda r: t(f"role_{r}"),
        "roles_text": lambda roles, sep=", ": sep.join(t(f"role_{r}") for r in roles or ()),
        "orgs_text": lambda msps, sep=", ": sep.join(org_name(m) for m in msps or ()),
        "short": lambda h, n=10: (h or "")[:n],
        "fmt_time": lambda ts: (ts or "")[:19].replace("T", " "),
        "groups": GROUPS,
        "room_mode": config.room_mode,
        "fd_json": json.dumps(
            {
                "lang": lang,
                "org": org_key,
                "texts": js_texts(lang),
                "orgs": {o["msp"]: org_name(o["msp"]) for o in orgs},
            },
            ensure_ascii=False,
        ),
        **extra,
    }


def _render(request: Request, template: str, status_code: int = 200, **extra: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, _context(request, **extra), status_code=status_code)


def render_error(request: Request, error: ServiceError) -> Response:
    try:
        return _render(request, "error.html", status_code=error.http_status, error=error)
    except Exception:  # the error page must never fail itself
        return HTMLResponse(f"<h1>{error.code}</h1><p>{error.message}</p>", status_code=error.http_status)


def _for_role(op: Any, roles: list[str]) -> bool:
    return not op.roles or bool(set(op.roles) & set(roles))


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, status: str | None = None, custodian: str | None = None) -> Response:
    ctx = _context(request)
    status = status if status in STATUSES else None
    custodian = custodian or None
    data = await _service(request).dashboard(ctx["org"]["key"], status=status, custodian=custodian)
    return _render(request, "dashboard.html", data=data, statuses=STATUSES, status=status, custodian=custodian)


@router.get("/operations", response_class=HTMLResponse)
async def operations(request: Request) -> Response:
    return _render(request, "operations.html", operations=OPERATIONS, for_role=_for_role)


@router.get("/operations/{op_id}", response_class=HTMLResponse)
async def operation(request: Request, op_id: str, lot: str | None = None) -> Response:
    op = get_operation(op_id)
    ctx = _context(request)
    service = _service(request)
    lot_data = await service.query(ctx["org"]["key"], "get_lot", {"lotId": lot}) if lot else None
    values = service.defaults(op.id, ctx["org"]["key"], lot_data)
    for param in op.params:  # explicit values in the URL (e.g. a hash from the document page) win
        if param.name in request.query_params:
            values[param.name] = request.query_params[param.name]
    return _render(request, "operation.html", op=op, values=values, lot=lot_data, for_role=_for_role)


@router.get("/lots/{lot_id}", response_class=HTMLResponse)
async def lot_page(request: Request, lot_id: str) -> Response:
    ctx = _context(request)
    service = _service(request)
    view = await service.lot_view(lot_id, ctx["org"]["key"])
    lot = view["lot"]
    actions = lot_actions(lot["status"])
    roles = ctx["org"]["roles"]
    mine = [op for op in actions if _for_role(op, roles)]
    others = [op for op in actions if not _for_role(op, roles)]
    forms = {op.id: service.defaults(op.id, ctx["org"]["key"], lot) for op in actions}
    chart = temperature_chart(lot.get("temperatures", []), view["product"])
    return _render(
        request,
        "lot.html",
        view=view,
        lot=lot,
        chart=chart,
        mine=mine,
        others=others,
        forms=forms,
        for_role=_for_role,
        consumer_url=f"{request.app.state.public_base(request)}/c/{lot_id}",
    )


@router.get("/lots/{lot_id}/trace", response_class=HTMLResponse)
async def trace_page(request: Request, lot_id: str) -> Response:
    ctx = _context(request)
    service = _service(request)
    trace = await service.trace(lot_id, ctx["org"]["key"])
    retailers = {o["msp"] for o in service.orgs() if "retailer" in o["roles"]}
    return _render(request, "trace.html", trace=trace, graph=trace_graph(trace, retailers), lot_id=lot_id)


@router.get("/c/{lot_id}", response_class=HTMLResponse)
async def consumer_page(request: Request, lot_id: str, at: str = "Online") -> Response:
    result = await _service(request).authenticity(lot_id, at.strip()[:128] or "Online")
    temps = result["lot"].get("temperatures", [])
    return _render(
        request,
        "consumer.html",
        result=result,
        lot=result["lot"],
        product=result.get("product") or {},
        location=at,
        cold_chain_ok=all(r.get("inRange", True) for r in temps),
        public=True,
    )


@router.get("/documents", response_class=HTMLResponse)
async def documents_page(request: Request, lot: str | None = None) -> Response:
    ctx = _context(request)
    lot_data = await _service(request).query(ctx["org"]["key"], "get_lot", {"lotId": lot}) if lot else None
    return _render(request, "documents.html", lot=lot_data, lot_id=lot or "")


@router.get("/prices", response_class=HTMLResponse)
async def prices_page(request: Request, lot: str | None = None) -> Response:
    ctx = _context(request)
    service = _service(request)
    lots = await service.list_lots(ctx["org"]["key"])
    priced = [item for item in lots if item.get("priceHash")]
    chosen = lot or (priced[0]["lotId"] if priced else None)
    views = await service.price_views(chosen) if chosen else []
    disclosed = next((v["price"]["rawJson"] for v in views if "price" in v), "")
    lot_data = next((item for item in lots if item["lotId"] == chosen), None)
    set_price = get_operation("set_price")
    values = service.defaults("set_price", ctx["org"]["key"], lot_data) if chosen else {}
    return _render(
        request,
        "prices.html",
        priced=priced,
        chosen=chosen,
        views=views,
        disclosed=disclosed,
        lot=lot_data,
        set_price=set_price,
        values=values,
        for_role=_for_role,
    )


@router.get("/ledger", response_class=HTMLResponse)
async def ledger_page(request: Request) -> Response:
    service = _service(request)
    return _render(request, "ledger.html", blocks=service.recent_blocks(20), follower=service.follower.status())


@router.get("/network", response_class=HTMLResponse)
async def network_page(request: Request, fragment: bool = False) -> Response:
    status = await _service(request).network_status()
    template = "_network_svg.html" if fragment else "network.html"
    return _render(request, template, status=status, diagram=network_diagram(status))


@router.get("/invite", response_class=HTMLResponse)
async def invite_page(request: Request) -> Response:
    config = request.app.state.config
    return _render(request, "invite.html", join_url=config.join_url or request.app.state.public_base(request))


# -- storyboards: presenter and audience views ----------------------------------------------------------


@router.get("/present", response_class=HTMLResponse)
async def present(request: Request) -> Response:
    """The presenter view: talk track, timers, run / customer / skip / back (the presenter's laptop)."""
    return _render(request, "present.html", present_texts=_present_texts(request))


@router.get("/audience", response_class=HTMLResponse)
async def audience(request: Request) -> Response:
    """The audience view for the projector: follows the presenter, never shows the talk track."""
    return _render(request, "audience.html", public=True, present_texts=_present_texts(request))


def _present_texts(request: Request) -> str:
    lang = pick_lang(request.cookies.get("lang"), request.headers.get("accept-language"))
    return json.dumps(present_js_texts(lang), ensure_ascii=False)
