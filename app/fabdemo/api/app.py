"""The FastAPI application: REST API (``/api``, docs at ``/docs``), web pages and static files.

``create_app(settings, config, network=...)`` builds it over the process's one ``FabricNetwork``: the
ledger service, the routes' dependencies (:mod:`fabdemo.api.deps`) and the presenter session all use
that network. The service (gateways and the block follower) starts with the app's lifespan and stops
with it. ``app_from_env`` is the composition root that ``uvicorn --factory`` calls in the background
process started by :mod:`fabdemo.appserver`: it opens the network once and hands it in.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import swagger_ui_bundle
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from fabdemo import context
from fabdemo.api.config import LOOPBACK_HOSTS, TOKEN_COOKIE, AppConfig
from fabdemo.api.contract_routes import router as contract_router
from fabdemo.api.deps import ServiceDep
from fabdemo.api.guests import GUEST_COOKIE, guest_book
from fabdemo.api.identity_routes import router as identity_router
from fabdemo.api.openapi_doc import with_known_orgs
from fabdemo.api.presenter_routes import load_presenter_token
from fabdemo.api.presenter_routes import router as presenter_router
from fabdemo.api.routes import router as api_router
from fabdemo.api.security import (
    SECURITY_HEADERS,
    TOO_LARGE_ZH,
    AttemptLimiter,
    UploadLimit,
    add_security_headers,
    cross_site_refusal,
)
from fabdemo.api.standards_routes import api as standards_api_router
from fabdemo.api.standards_routes import epcis as standards_router
from fabdemo.network.manager import FabricNetwork
from fabdemo.service import LedgerService, ServiceError
from fabdemo.service.webhooks import WebhookForwarder
from fabdemo.settings import Settings, get_settings
from fabdemo.web import (  # a module: pages itself imports fabdemo.api.deps
    STATIC_DIR,
    contract_pages,
    pages,
    standards_pages,
)

log = logging.getLogger("fabdemo.app")

# Reachable without the room token: the consumer pages (reached by a product's QR code) and what they load.
# Swagger UI's own files, from the swagger-ui-bundle package (the developers' /docs page).
DOCS_ASSETS = "/docs-assets"
PUBLIC_PREFIXES = ("/static/", "/c/", "/join", "/healthz", "/favicon.ico", "/api/qr/lot/")


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "text/html")


def _error_response(request: Request, error: ServiceError) -> Response:
    if _wants_html(request):
        return pages.render_error(request, error)
    return JSONResponse(error.to_dict(), status_code=error.http_status)


def create_app(
    settings: Settings | None = None,
    config: AppConfig | None = None,
    *,
    network: FabricNetwork | None = None,
    follow_blocks: bool = True,
) -> FastAPI:
    """The app over ``network`` (opened here from ``settings`` if not given). ``settings`` also names
    the paths the app serves from (repo_root, demos)."""
    settings = settings or get_settings()
    config = config or AppConfig()
    if network is None:
        network = context.open_network(settings)
    service = LedgerService(network, follow_blocks=follow_blocks)
    webhooks = WebhookForwarder(
        service.follower,
        [u.strip() for u in settings.webhook_urls.split(",") if u.strip()],
        settings.webhook_secret,
        settings.state_dir / "webhooks.json",
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await service.start()
        if follow_blocks:
            webhooks.start()  # a no-op without configured endpoints
        try:
            yield
        finally:
            await webhooks.stop()
            await service.close()

    app = FastAPI(
        title="Fabric demo kit: farm-to-table provenance",
        description=(
            "REST API of the demo kit. Every operation of the contract is `POST /api/operations/{id}` with "
            '`{"org": "<acting org>", "args": {...}}`; the schemas come from the operation catalogue. Errors are '
            '`{"error": {"code", "message", "message_zh", "key", "params", "field"?, "source"}}`.'
        ),
        version="1.0",
        lifespan=lifespan,
        docs_url=None,  # served below, with a CSP nonce for Swagger UI's own script
    )
    # Read only through the dependencies of fabdemo.api.deps.
    app.state.network = network
    app.state.service = service
    app.state.webhooks = webhooks
    app.state.config = config
    app.state.settings = settings
    app.state.presenter = None  # built on first use (deps.get_presenter)
    # Proves the presenter where the client address cannot (Compose, room mode): see presenter_routes.
    app.state.presenter_token = load_presenter_token(settings.state_dir)
    join_attempts = AttemptLimiter(limit=10, window=60.0)
    # Set by whoever runs the server (see appserver.InProcessServer) so that event streams end on shutdown.
    app.state.stopping = lambda: False

    # -- errors: always {"error": {...}} with a 4xx for the user's mistakes ---------------------------
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> Response:
        return _error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
        message = f"{where}: {first.get('msg', 'invalid request')}" if where else first.get("msg", "invalid request")
        return _error_response(request, ServiceError("INVALID_ARGUMENT", message, 422, field=where or None))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code, message_zh = HTTP_CODES.get(exc.status_code, ("HTTP_ERROR", None))
        response = _error_response(request, ServiceError(code, str(exc.detail), exc.status_code, message_zh=message_zh))
        for name, value in (exc.headers or {}).items():  # the Allow header of a 405, above all
            response.headers[name] = value
        if exc.status_code == 405:
            # Starlette names the methods of the first route on the path only; a path served by two
            # routes (GET and POST as separate functions) must list both.
            response.headers["Allow"] = ", ".join(_methods_on_path(request))
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return _error_response(request, ServiceError("INTERNAL", f"unexpected error: {type(exc).__name__}", 500))

    # -- room mode: a session token guards everything but the consumer pages --------------------------
    @app.middleware("http")
    async def room_guard(request: Request, call_next: Any) -> Response:
        if not config.room_mode or _allowed(request, config):
            return await call_next(request)
        return _error_response(
            request,
            ServiceError(
                "UNAUTHORIZED",
                "join the session first: scan the join QR code shown by the presenter",
                401,
                message_zh="请先加入会话：扫描演示者展示的加入二维码",
            ),
        )

    # -- hardening (outside the room guard, so its 401 gets the headers too)
    @app.middleware("http")
    async def cross_site_guard(request: Request, call_next: Any) -> Response:
        refusal = cross_site_refusal(request)
        response = _error_response(request, refusal) if refusal else await call_next(request)
        add_security_headers(response.headers)
        return response

    @app.get("/join", include_in_schema=False)
    async def join(
        request: Request, token: str = "", next: str = "/", as_role: str = Query("consumer", alias="as")
    ) -> Response:
        if config.room_mode:
            join_attempts.check(request.client.host if request.client else "")
        if config.room_mode and not hmac.compare_digest(token.encode(), (config.token or "").encode()):
            raise ServiceError(
                "UNAUTHORIZED",
                "this join link is not valid for the current session",
                401,
                message_zh="此加入链接对当前会话无效",
            )
        local = next if next.startswith("/") and not next.startswith("//") else "/"  # never an open redirect
        response = RedirectResponse(local, status_code=303)
        if config.token:
            response.set_cookie(TOKEN_COOKIE, config.token, max_age=12 * 3600, httponly=True, samesite="lax")
        if config.room_mode and guest_book(request).of(request) is None:
            # IDENTITIES=ca: the guest gets an identity of their own (api/guests.py)
            enrolled = await guest_book(request).enroll(request.app.state.network, as_role)
            if enrolled is not None:
                response.set_cookie(GUEST_COOKIE, enrolled[0], max_age=12 * 3600, httponly=True, samesite="lax")
        return response

    @app.get("/healthz", include_in_schema=False)
    async def healthz(service: ServiceDep) -> dict[str, Any]:
        return {"ok": True, "follower": service.follower.status()}

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        """Swagger UI for developers, served from the installed swagger-ui-bundle (no CDN: the kit works
        offline). Its one inline start-up script is allowed by nonce on this page only."""
        nonce = secrets.token_urlsafe(16)
        page = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} - docs",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )
        html = bytes(page.body).decode().replace("<script>", f'<script nonce="{nonce}">')
        csp = SECURITY_HEADERS["content-security-policy"].replace(
            "script-src 'self'", f"script-src 'self' 'nonce-{nonce}'"
        )
        return HTMLResponse(html, headers={"content-security-policy": csp})

    app.include_router(api_router)
    app.include_router(standards_api_router)
    app.include_router(standards_router)  # /epcis/capture and the Digital Link resolver /01/...
    app.include_router(presenter_router)
    app.include_router(identity_router)  # /api/identities (IDENTITIES=ca)
    app.include_router(contract_router)  # /api/contracts: any deployed chaincode, from its metadata
    app.include_router(contract_pages.router)  # /contracts/<name>: the console of any deployed contract
    app.include_router(pages.router)
    app.include_router(standards_pages.router)  # /reports/fsma204
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")
    app.openapi = with_known_orgs(app, service)  # type: ignore[method-assign]
    # Outermost: an oversized upload is refused before anything reads it.
    app.add_middleware(UploadLimit)
    return app


# Status -> (code, Chinese message) of the errors Starlette raises itself.
HTTP_CODES: dict[int, tuple[str, str | None]] = {
    401: ("UNAUTHORIZED", "未授权"),
    404: ("NOT_FOUND", "未找到"),
    405: ("METHOD_NOT_ALLOWED", "不允许此请求方法"),
    413: ("TOO_LARGE", TOO_LARGE_ZH),
    400: ("INVALID_ARGUMENT", "请求无效"),
}


def _methods_on_path(request: Request) -> list[str]:
    """Every method served at the path template the request matched (Starlette names the first route's only).

    Routes are matched in order, as Starlette does; the first one whose template matches the path fixes
    the template (``/api/contracts/{name}/events``), and only routes with that same template count, not
    a broader one that would also match (``/api/contracts/{name}/{tx}``).
    """
    matching: list[Any] = []

    def collect(routes: list[Any]) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)  # an included APIRouter: look inside
            if included is not None:
                collect(included.routes)
            elif getattr(route, "methods", None) and route.matches(request.scope)[0] != Match.NONE:
                matching.append(route)

    collect(request.app.router.routes)
    if not matching:
        return []
    template = matching[0].path
    return sorted({method for route in matching if route.path == template for method in route.methods})


def _allowed(request: Request, config: AppConfig) -> bool:
    path = request.url.path
    if path.startswith(PUBLIC_PREFIXES):
        return True
    client = request.client.host if request.client else ""
    if config.trust_loopback and client in LOOPBACK_HOSTS:  # the presenter's own browser
        return True
    supplied = request.cookies.get(TOKEN_COOKIE) or request.headers.get("x-fabdemo-token") or ""
    return bool(config.token) and hmac.compare_digest(supplied.encode(), config.token.encode())


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory fabdemo.api.app:app_from_env`` (settings and token from the environment).

    The web app's composition root: the one network object of the process is opened here, once.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    return create_app(settings, AppConfig.from_env(), network=context.open_network(settings))
