"""Server-rendered pages. Each handler asks the service layer for one read model and renders a template.

A handler is handed a :class:`Page` (``PageDep``): the request with the app's service, configuration
and public URL, as dependencies (:mod:`fabdemo.api.deps`), and the visitor's language and acting org.
"""

from __future__ import annotations

import hmac
import html
from functools import cached_property
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from fabdemo.api.config import AppConfig
from fabdemo.api.deps import (
    ConfigDep,
    PresenterDep,
    PublicBaseDep,
    ServiceDep,
    get_config,
    get_service,
    public_base,
)
from fabdemo.api.presenter_routes import PRESENTER_COOKIE, from_presenter_machine, presenter_only
from fabdemo.service import GROUPS, OPERATIONS, LedgerService, ServiceError, get_operation
from fabdemo.service.catalogue import STATUSES, lot_actions
from fabdemo.web import TEMPLATES_DIR
from fabdemo.web.i18n import event_label, js_texts, pick_lang, present_js_texts, status_label, translator
from fabdemo.web.route_svg import route_map
from fabdemo.web.svg import network_diagram, temperature_chart, trace_graph

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
ORG_COLOURS = {"grower": "#2f855a", "processor": "#2b6cb0", "retailer": "#c05621", "carrier": "#6b46c1"}


class Page:
    """One page request: what it renders with, and the language and acting org of the visitor."""

    def __init__(self, request: Request, service: LedgerService, config: AppConfig, base: str) -> None:
        self.request = request
        self.service = service
        self.config = config
        self.base = base  # the app's public URL (the LAN address in room mode)

    @cached_property
    def context(self) -> dict[str, Any]:
        return _context(self.request, self.service, self.config)

    @property
    def org_key(self) -> str:
        return self.context["org"]["key"]

    def render(self, template: str, status_code: int = 200, **extra: Any) -> HTMLResponse:
        return templates.TemplateResponse(self.request, template, {**self.context, **extra}, status_code=status_code)


def page_of(request: Request, service: ServiceDep, config: ConfigDep, base: PublicBaseDep) -> Page:
    return Page(request, service, config, base)


PageDep = Annotated[Page, Depends(page_of)]


def _context(request: Request, service: LedgerService, config: AppConfig) -> dict[str, Any]:
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
        # Read by app.js from a JSON block (tojson escapes <, > and &): no inline script under the CSP.
        "fd": {
            "lang": lang,
            "org": org_key,
            "texts": js_texts(lang),
            "orgs": {o["msp"]: org_name(o["msp"]) for o in orgs},
        },
    }


def render_error(request: Request, error: ServiceError) -> Response:
    """The error page, for the app's exception handlers (outside any route, so no dependencies here)."""
    try:
        config = get_config(request)
        page = Page(request, get_service(request), config, public_base(request, config))
        return page.render("error.html", status_code=error.http_status, error=error)
    except Exception:  # the error page must never fail itself
        text = f"<h1>{html.escape(error.code)}</h1><p>{html.escape(error.message)}</p>"
        return HTMLResponse(text, status_code=error.http_status)


def _for_role(op: Any, roles: list[str]) -> bool:
    return not op.roles or bool(set(op.roles) & set(roles))


@router.get("/", response_class=HTMLResponse)
async def dashboard(
    page: PageDep, status: str | None = None, custodian: str | None = None, p: str = "1", read_model: str = ""
) -> Response:
    status = status if status in STATUSES else None
    custodian = custodian or None
    number = int(p) if p.isdigit() else 1  # a hand-edited ?p= shows the first page, not an error page
    # ?read_model=contract asks the contract (one ListLots) instead of the lot index: to check one against
    # the other, and for the benchmark's before/after.
    data = await page.service.reads.dashboard(
        page.org_key, status=status, custodian=custodian, page=number, use_index=read_model != "contract"
    )
    return page.render("dashboard.html", data=data, statuses=STATUSES, status=status, custodian=custodian)


@router.get("/operations", response_class=HTMLResponse)
async def operations(page: PageDep) -> Response:
    return page.render("operations.html", operations=OPERATIONS, for_role=_for_role)


@router.get("/operations/{op_id}", response_class=HTMLResponse)
async def operation(page: PageDep, op_id: str, lot: str | None = None) -> Response:
    op = get_operation(op_id)
    service = page.service
    lot_data = await service.query(page.org_key, "get_lot", {"lotId": lot}) if lot else None
    values = service.defaults(op.id, page.org_key, lot_data)
    query = page.request.query_params
    for param in op.params:  # explicit values in the URL (e.g. a hash from the document page) win
        if param.name in query:
            values[param.name] = query[param.name]
    return page.render("operation.html", op=op, values=values, lot=lot_data, for_role=_for_role)


@router.get("/lots/{lot_id}", response_class=HTMLResponse)
async def lot_page(page: PageDep, lot_id: str) -> Response:
    service = page.service
    view = await service.reads.lot_view(lot_id, page.org_key)
    lot = view["lot"]
    actions = lot_actions(lot["status"])
    roles = page.context["org"]["roles"]
    mine = [op for op in actions if _for_role(op, roles)]
    others = [op for op in actions if not _for_role(op, roles)]
    forms = {op.id: service.defaults(op.id, page.org_key, lot) for op in actions}
    chart = temperature_chart(lot.get("temperatures", []), view["product"])
    return page.render(
        "lot.html",
        view=view,
        lot=lot,
        chart=chart,
        route=route_map(lot, _org_names(page)),
        mine=mine,
        others=others,
        forms=forms,
        for_role=_for_role,
        consumer_url=f"{page.base}/c/{lot_id}",
    )


@router.get("/lots/{lot_id}/trace", response_class=HTMLResponse)
async def trace_page(page: PageDep, lot_id: str) -> Response:
    trace = await page.service.reads.trace(lot_id, page.org_key)
    retailers = {o["msp"] for o in page.context["orgs"] if "retailer" in o["roles"]}
    return page.render("trace.html", trace=trace, graph=trace_graph(trace, retailers), lot_id=lot_id)


def _org_names(page: Page) -> dict[str, str]:
    """MSP id -> the org's name in the page's language, for the route drawing's labels."""
    zh = page.context.get("lang") == "zh"
    return {o["msp"]: (o.get("name_zh") if zh else None) or o["name"] for o in page.context.get("orgs", [])}


@router.get("/c/{lot_id}", response_class=HTMLResponse)
async def consumer_page(page: PageDep, lot_id: str, at: str = "Online") -> Response:
    result = await page.service.reads.authenticity(lot_id, at.strip()[:128] or "Online")
    temps = result["lot"].get("temperatures", [])
    return page.render(
        "consumer.html",
        result=result,
        lot=result["lot"],
        product=result.get("product") or {},
        chart=temperature_chart(temps, result.get("product")),
        route=route_map(result["lot"], _org_names(page)),
        location=at,
        cold_chain_ok=all(r.get("inRange", True) for r in temps),
        public=True,
    )


@router.get("/documents", response_class=HTMLResponse)
async def documents_page(page: PageDep, lot: str | None = None) -> Response:
    lot_data = await page.service.query(page.org_key, "get_lot", {"lotId": lot}) if lot else None
    return page.render("documents.html", lot=lot_data, lot_id=lot or "")


@router.get("/prices", response_class=HTMLResponse)
async def prices_page(page: PageDep, lot: str | None = None) -> Response:
    service = page.service
    lots = await service.reads.list_lots(page.org_key)
    priced = [item for item in lots if item.get("priceHash")]
    chosen = lot or (priced[0]["lotId"] if priced else None)
    views = await service.reads.price_views(chosen) if chosen else []
    disclosed = next((v["price"]["rawJson"] for v in views if "price" in v), "")
    lot_data = next((item for item in lots if item["lotId"] == chosen), None)
    set_price = get_operation("set_price")
    values = service.defaults("set_price", page.org_key, lot_data) if chosen else {}
    return page.render(
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
async def ledger_page(page: PageDep) -> Response:
    follower = page.service.follower
    return page.render("ledger.html", blocks=follower.recent_blocks(20), follower=follower.status())


@router.get("/network", response_class=HTMLResponse)
async def network_page(page: PageDep, fragment: bool = False) -> Response:
    status = await page.service.network_status()
    template = "_network_svg.html" if fragment else "network.html"
    return page.render(template, status=status, diagram=network_diagram(status))


@router.get("/performance", response_class=HTMLResponse)
async def performance_page(page: PageDep) -> Response:
    """Live throughput, block rate, commit time, CPU and memory per node (service/metrics.py, pushed by SSE)."""
    t = page.context["t"]
    texts = {key: t(key) for key in ("perf_waiting", "perf_down")}
    return page.render("performance.html", perf={"snapshot": page.service.metrics.snapshot(), "texts": texts})


@router.get("/identities", response_class=HTMLResponse)
async def identities_page(page: PageDep) -> Response:
    """Users of the orgs' Fabric CAs, with register / re-enroll / revoke (presenter only; IDENTITIES=ca)."""
    import asyncio

    from fabdemo.service.identities import IdentityService

    presenter_only(page.request)
    t = page.context["t"]
    service = IdentityService(page.request.app.state.network)
    users = [u.to_dict() for u in await asyncio.to_thread(service.users)] if service.enabled else []
    texts = {key: t(f"id_{key}") for key in ("working", "done", "confirm_revoke")}
    data = {"enabled": service.enabled, "users": users, "orgs": page.service.orgs(), "texts": texts}
    return page.render("identities.html", identities=data)


@router.get("/invite", response_class=HTMLResponse)
async def invite_page(page: PageDep) -> Response:
    return page.render("invite.html", join_url=page.config.join_url or page.base)


# -- storyboards: presenter and audience views ----------------------------------------------------------


@router.get("/present", response_class=HTMLResponse)
async def present(page: PageDep, presenter: str | None = None) -> Response:
    """The presenter view: talk track, timers, run / customer / skip / back (the presenter's laptop).

    Opened from the presenter's machine, or with ``?presenter=<token>`` (``.state/app/presenter.token``),
    it hands the browser the presenter cookie that the driving endpoints check (see presenter_routes).
    """
    request = page.request
    token: str = request.app.state.presenter_token
    offered = presenter is not None and hmac.compare_digest(presenter.encode(), token.encode())
    if offered:  # keep the token out of the address bar and the history
        response: Response = RedirectResponse("/present", status_code=303)
    else:
        response = page.render("present.html", present_texts=_present_texts(page))
    if offered or from_presenter_machine(request):
        response.set_cookie(PRESENTER_COOKIE, token, max_age=12 * 3600, httponly=True, samesite="strict")
    return response


@router.get("/present/debrief", response_class=HTMLResponse)
async def debrief_page(page: PageDep, session: PresenterDep, previous: bool = False) -> Response:
    """After the presentation (presenter only): scene times, the customer's steps, their figures, draft criteria."""
    presenter_only(page.request)
    found = session.debrief()
    data = found["previous"] if previous and found.get("previous") else found
    return page.render("debrief.html", debrief=data, has_previous=bool(found.get("previous")) and not previous)


@router.get("/audience", response_class=HTMLResponse)
async def audience(page: PageDep) -> Response:
    """The audience view for the projector: follows the presenter, never shows the talk track."""
    return page.render("audience.html", public=True, present_texts=_present_texts(page))


def _present_texts(page: Page) -> dict[str, Any]:
    return present_js_texts(page.context["lang"])
