"""REST endpoints. Each one is a thin call into the service layer; no business logic lives here.

The service, the app's configuration and its public URL reach the endpoints as dependencies
(:mod:`fabdemo.api.deps`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from fabdemo.api.deps import ConfigDep, PublicBaseDep, ServiceDep
from fabdemo.api.guests import acting_user
from fabdemo.api.qr import qr_svg
from fabdemo.api.schemas import ERROR_RESPONSES, media_response
from fabdemo.api.security import MAX_UPLOAD, too_large
from fabdemo.api.sse import sse_response
from fabdemo.api.standards_routes import digital_link_uri
from fabdemo.service import GROUPS, OPERATIONS, Operation, ServiceError
from fabdemo.service.catalogue import ID_PATTERN, STATUSES

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
SVG = media_response("image/svg+xml", "an SVG image")
# Text the contract accepts (chaincode/contract/validate.go: no Unicode control character but tab and
# newlines, not U+10FFFF, not blank where required), as JSON Schema patterns.
_CHAR = "[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\U0010ffff]"
TEXT = f"^{_CHAR}*$"
NON_BLANK_TEXT = f"^{_CHAR}*[^\\s\\x00-\\x1f\\x7f-\\x9f\U0010ffff]{_CHAR}*$"
OrgQuery = Annotated[str | None, Query(min_length=1, description="acting org (key or MSP id); default: the first")]
CHILD_QUANTITY = {"type": "number", "exclusiveMinimum": 0, "maximum": 1e9}  # validate._CHILD_QUANTITY
LotQuery = Annotated[str | None, Query(pattern=ID_PATTERN.pattern, description="a lot id")]
LotStatus = Literal[STATUSES]  # type: ignore[valid-type]
# The contract's own id rule, in the document and checked here (422) before the ledger is asked.
LotId = Annotated[str, Path(pattern=ID_PATTERN.pattern, description="lot id: 1-64 of A-Z a-z 0-9 . _ -")]


class LocationBody(BaseModel):
    location: str = Field(
        "Online", min_length=1, max_length=128, pattern=NON_BLANK_TEXT, description="where the consumer scanned it"
    )


class DisclosedPrice(BaseModel):
    disclosed: str = Field(..., min_length=1, description="the exact price JSON that was disclosed to you")
    org: str | None = Field(None, description="org that evaluates (any member)")


# -- catalogue and operations --------------------------------------------------------------------------


@router.get("/operations", tags=["operations"], summary="The operation catalogue")
async def operations() -> dict[str, Any]:
    return {
        "groups": [{"id": k, "label_en": v[0], "label_zh": v[1]} for k, v in GROUPS.items()],
        "operations": [op.to_dict() for op in OPERATIONS],
    }


@router.get("/operations/{op_id}/defaults", tags=["operations"], summary="Default values of an operation's form")
async def operation_defaults(service: ServiceDep, op_id: str, org: OrgQuery = None, lot: LotQuery = None) -> Any:
    lot_data = await service.query(org, "get_lot", {"lotId": lot}) if lot else None
    return service.defaults(op_id, org, lot_data)


def _param_schema(param: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": param.label_en, "description": f"{param.label_zh}. {param.hint_en}".strip()}
    if param.type in ("id", "msp"):
        schema.update(type="string", pattern=ID_PATTERN.pattern)
    elif param.type == "number":
        schema.update(type="number")
        if param.min is not None or param.positive:
            schema["exclusiveMinimum" if param.positive else "minimum"] = param.min or 0
        if param.max is not None:
            schema["maximum"] = param.max
    elif param.type == "date":
        schema.update(type="string", format="date")
    elif param.type == "enum":
        schema.update(type="string", enum=list(param.choices))
    elif param.type == "sha256":
        schema.update(type="string", pattern="^[0-9a-f]{64}$")
    elif param.type == "currency":
        schema.update(type="string", pattern="^[A-Z]{3}$")
    elif param.type == "children":
        # validate._check_children also takes the form's text "LOT-ID:quantity, ..." (not declared here).
        child = {"lotId": {"type": "string", "pattern": ID_PATTERN.pattern}, "quantity": CHILD_QUANTITY}
        schema.update(
            type="array",
            minItems=1,
            maxItems=100,
            items={
                "type": "object",
                "properties": child,
                "required": ["lotId", "quantity"],
                "additionalProperties": False,
            },
        )
    elif param.type == "json":
        # Any JSON value; a string is taken as the JSON text itself (1-65536 characters).
        schema["anyOf"] = [
            {"type": "string", "minLength": 1, "maxLength": 65536},
            {"type": ["object", "array", "number", "boolean"]},
        ]
    else:
        # validate._check_text: no control characters other than tab and newlines; not blank if required.
        text: dict[str, Any] = {"type": "string", "pattern": NON_BLANK_TEXT if param.min_length else TEXT}
        if param.max_length:
            text["maxLength"] = param.max_length
        if param.min_length:
            text["minLength"] = param.min_length
        if param.min_length <= 1:
            schema["anyOf"] = [text, {"type": "number"}]  # a number is taken as its text
        else:
            schema.update(text)
    if param.default is not None:
        # Omitted or null: the default applies (validate_args), so null is a valid value here.
        typed = {k: v for k, v in schema.items() if k not in ("title", "description")}
        schema = {"title": schema["title"], "description": schema["description"], "default": param.default}
        schema["anyOf"] = [typed, {"type": "null"}]
    return schema


def _request_schema(op: Operation) -> dict[str, Any]:
    args = {
        "type": "object",
        "properties": {p.name: _param_schema(p) for p in op.params},
        # What the catalogue's validation demands (validate_args): a parameter with a fixed default may be
        # omitted; any other required one (and any number) may not.
        "required": [p.name for p in op.params if (p.required or p.type == "number") and p.default is None],
        "additionalProperties": False,
    }
    body = {
        "type": "object",
        "properties": {
            "org": {"type": "string", "description": "acting organisation (key or MSP id)", "example": "farm"},
            "args": args,
        },
        "required": ["org", "args"] if args["required"] else ["org"],
        "additionalProperties": False,
    }
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": body}}}}


def _perform_endpoint(op: Operation) -> Callable[..., Awaitable[Any]]:
    async def endpoint(request: Request, service: ServiceDep) -> Any:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            raise ServiceError("INVALID_ARGUMENT", "the request body must be JSON", 422) from None
        if not isinstance(body, dict):
            raise ServiceError("INVALID_ARGUMENT", "the request body must be a JSON object", 422)
        unknown = sorted(set(body) - {"org", "args"})
        if unknown:
            raise ServiceError("INVALID_ARGUMENT", f"unknown field(s): {', '.join(unknown)}", 422, field=unknown[0])
        org = body.get("org")
        if not isinstance(org, str) or not org:
            raise ServiceError("INVALID_ARGUMENT", "org is required (e.g. farm)", 422, field="org")
        args = body.get("args", {})
        if not isinstance(args, dict):
            raise ServiceError("INVALID_ARGUMENT", "args must be an object of parameter values", 422, field="args")
        # A room-mode guest with an identity of their own signs as themselves (api/guests.py).
        return await service.perform(org, op.id, args, user=acting_user(request, org))

    return endpoint


for _op in OPERATIONS:
    router.add_api_route(
        f"/operations/{_op.id}",
        _perform_endpoint(_op),
        methods=["POST"],
        tags=["operations"],
        summary=f"{_op.label_en} ({_op.function}, {_op.kind})",
        description=(
            f"{_op.description_en}\n\n{_op.label_zh}：{_op.description_zh}\n\n"
            f"Roles: {', '.join(_op.roles) or 'any member'}."
            + (f" Endorsed by: {', '.join(_op.endorse_roles)}." if _op.endorse_roles else "")
        ),
        openapi_extra=_request_schema(_op),
        name=f"perform_{_op.id}",
    )


@router.post("/operations/{op_id}", tags=["operations"], summary="Perform any operation (unknown ids: 404)")
async def perform_unknown(op_id: str) -> Any:
    raise ServiceError("UNKNOWN_OPERATION", f"unknown operation {op_id!r}")


# -- lots -----------------------------------------------------------------------------------------------


@router.get("/lots", tags=["lots"], summary="Lots, optionally by status and/or custodian (one contract call)")
async def lots(
    service: ServiceDep, status: LotStatus | None = None, custodian: OrgQuery = None, org: OrgQuery = None
) -> Any:
    items = await service.reads.list_lots(org, status=status, custodian=custodian)
    return {"lots": items, "count": len(items)}


@router.get("/lots/{lot_id}", tags=["lots"], summary="A lot, its events with ledger proof, and its product")
async def lot_detail(service: ServiceDep, lot_id: LotId, org: OrgQuery = None) -> Any:
    return await service.reads.lot_view(lot_id, org)


@router.get("/lots/{lot_id}/events", tags=["lots"], summary="The lot's timeline, each step with its ledger proof")
async def lot_events(service: ServiceDep, lot_id: LotId, org: OrgQuery = None) -> Any:
    return {"events": await service.reads.lot_events(lot_id, org)}


@router.get("/lots/{lot_id}/trace", tags=["lots"], summary="Ancestors, descendants, holders, affected retailers")
async def lot_trace(service: ServiceDep, lot_id: LotId, org: OrgQuery = None) -> Any:
    return await service.reads.trace(lot_id, org)


@router.post("/lots/{lot_id}/authenticity", tags=["consumer"], summary="Consumer authenticity check (records the scan)")
async def authenticity(service: ServiceDep, lot_id: LotId, body: LocationBody | None = None) -> Any:
    return await service.reads.authenticity(lot_id, (body or LocationBody()).location)


@router.post(
    "/lots/{lot_id}/certificates/check",
    tags=["documents"],
    summary="Upload a document: its SHA-256 is compared with the anchored certificate",
)
async def certificate_check(
    service: ServiceDep,
    lot_id: LotId,
    cert_id: Annotated[str, Form(pattern=ID_PATTERN.pattern, description="certificate id")],
    file: Annotated[UploadFile, File()],
    org: Annotated[str | None, Form()] = None,
) -> Any:
    data = await _read_upload(file)
    return await service.reads.check_document(lot_id, cert_id, data, org)


@router.post("/documents/hash", tags=["documents"], summary="SHA-256 of an uploaded document (to anchor it)")
async def document_hash(file: Annotated[UploadFile, File()]) -> Any:
    import hashlib

    data = await _read_upload(file)
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "filename": file.filename}


async def _read_upload(file: UploadFile) -> bytes:
    try:
        data = await file.read(MAX_UPLOAD + 1)
    finally:
        await file.close()  # the spooled copy goes now, not when the request object is collected
    if len(data) > MAX_UPLOAD:
        raise too_large()
    return data


@router.get("/lots/{lot_id}/price", tags=["prices"], summary="Private price, read as one org (farm: refused)")
async def price(service: ServiceDep, lot_id: LotId, org: str = Query(..., description="org key or MSP id")) -> Any:
    return await service.query(org, "get_price", {"lotId": lot_id})


@router.get("/lots/{lot_id}/prices", tags=["prices"], summary="GetPrice as every org, side by side")
async def prices(service: ServiceDep, lot_id: LotId) -> Any:
    return {"views": await service.reads.price_views(lot_id)}


@router.post("/lots/{lot_id}/price/verify", tags=["prices"], summary="Check a disclosed price against its hash")
async def verify_price(service: ServiceDep, lot_id: LotId, body: DisclosedPrice) -> Any:
    return await service.reads.verify_price(lot_id, body.disclosed, body.org)


# -- network and ledger ---------------------------------------------------------------------------------


@router.get("/orgs", tags=["network"], summary="Organisations and their roles")
async def orgs(service: ServiceDep) -> Any:
    return {"orgs": service.orgs()}


@router.get("/network", tags=["network"], summary="Nodes, health, heights, Raft leader, pids")
async def network(service: ServiceDep) -> Any:
    return await service.network_status()


@router.get("/blocks", tags=["network"], summary="Recent blocks as decoded by the block follower")
async def blocks(service: ServiceDep, limit: int = Query(20, ge=1, le=50)) -> Any:
    return {"blocks": service.follower.recent_blocks(limit), "follower": service.follower.status()}


@router.get("/alerts", tags=["network"], summary="Alerts raised since the app started")
async def alerts(service: ServiceDep) -> Any:
    return {"alerts": service.follower.recent_alerts()}


@router.get(
    "/metrics",
    tags=["network"],
    summary="Live figures from the nodes' /metrics and /proc: TPS, block rate, commit time, CPU and RSS per node",
)
async def metrics(service: ServiceDep) -> Any:
    await service.metrics.sample(max_age_s=1.0)
    return service.metrics.snapshot()


# The Performance page's stream (a `sample` event per interval). Left out of the schema like every
# stream that never ends: a generated client or fuzzer would wait on it forever.
@router.get("/metrics/events", include_in_schema=False)
async def metrics_events(request: Request, service: ServiceDep) -> StreamingResponse:
    sampler = service.metrics
    queue = sampler.subscribe()
    return sse_response(request, queue, lambda: sampler.unsubscribe(queue), first=("hello", sampler.snapshot()))


@router.get(
    "/events",
    tags=["network"],
    response_class=StreamingResponse,
    responses=media_response("text/event-stream", "the event stream"),
    summary="Server-Sent Events: `block` for every committed block, `alert` for TemperatureAlert/LotRecalled",
)
async def events(request: Request, service: ServiceDep) -> StreamingResponse:
    follower = service.follower
    queue = follower.subscribe()
    return sse_response(request, queue, lambda: follower.unsubscribe(queue), first=("hello", follower.status()))


# -- QR codes -------------------------------------------------------------------------------------------


@router.get(
    "/qr/lot/{lot_id}.svg",
    tags=["consumer"],
    response_class=Response,
    responses=SVG,
    summary="QR code of the lot's public consumer page",
)
async def lot_qr(service: ServiceDep, base: PublicBaseDep, lot_id: LotId) -> Response:
    if not ID_PATTERN.match(lot_id):
        raise ServiceError("INVALID_ARGUMENT", "lotId must be 1-64 characters of A-Z a-z 0-9 . _ -", 422, field="lotId")
    # a GS1 Digital Link (/01/{GTIN}/10/{lot}) when the product has a GTIN, which resolves to /c/{lot}
    link = await digital_link_uri(service, base, lot_id)
    return Response(qr_svg(link or f"{base}/c/{lot_id}"), media_type="image/svg+xml")


@router.get(
    "/qr/page.svg",
    tags=["consumer"],
    response_class=Response,
    responses=SVG,
    summary="QR code that opens a page of the app on a phone",
)
async def page_qr(
    config: ConfigDep,
    base: PublicBaseDep,
    path: str = Query("/", pattern="^(/|/[^/].*)$", description="a path of this app, e.g. /c/LOT-1"),
) -> Response:
    if not path.startswith("/") or path.startswith("//"):
        raise ServiceError("INVALID_ARGUMENT", "path must be a path of this app, starting with /", 422, field="path")
    if config.room_mode and config.token and not path.startswith("/c/"):
        # A phone that has not joined yet gets the session cookie on the way (the consumer pages are public).
        target = f"{base}/join?token={config.token}&next={quote(path, safe='')}"
    else:
        target = f"{base}{path}"
    return Response(qr_svg(target), media_type="image/svg+xml")


@router.get(
    "/qr/join.svg",
    tags=["consumer"],
    response_class=Response,
    responses=SVG,
    summary="QR code that lets a phone join the room session",
)
async def join_qr(config: ConfigDep, base: PublicBaseDep) -> Response:
    target = config.join_url or base
    return Response(qr_svg(target), media_type="image/svg+xml")
