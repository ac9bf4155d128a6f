"""What the OpenAPI document says about error answers, declared once for every route.

Every error the API returns is ``{"error": {"code", "message", "message_zh", "key", "params", "field"?,
"source"}}`` (see :class:`fabdemo.service.ServiceError`). :data:`ERROR_RESPONSES` declares it for each
status the API can answer with, so a client generated from ``/openapi.json`` (and schemathesis, which
checks the answers against it) knows every status code and its body.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(..., description="stable error code, e.g. NOT_FOUND, INVALID_ARGUMENT, BUSY")
    message: str = Field(..., description="English message")
    message_zh: str = Field(..., description="Simplified Chinese message")
    key: str | None = Field(None, description="the contract's stable message key (contract errors)")
    params: dict[str, str] = Field(default_factory=dict, description="named values of the message")
    field: str | None = Field(None, description="the request field at fault, if any")
    source: str = Field(..., description="service (checked before the ledger), contract or network")


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    error: ErrorDetail


# Status -> why the API answers with it. Declared on the routers, so every operation lists them all.
ERROR_STATUSES: dict[int, str] = {
    400: "The contract refused the arguments (INVALID_ARGUMENT)",
    401: "Room mode: join the session first (UNAUTHORIZED)",
    403: "The acting org may not do this (FORBIDDEN, NOT_CUSTODIAN, PRESENTER_ONLY, CROSS_SITE)",
    404: "No such lot, operation, storyboard or route (NOT_FOUND, UNKNOWN_OPERATION, ...)",
    405: "Method not allowed on this path (METHOD_NOT_ALLOWED; the Allow header lists the methods)",
    409: "Conflicts with the ledger's or the presentation's state (ALREADY_EXISTS, INVALID_STATE, BUSY, ...)",
    413: "The upload is larger than the limit (TOO_LARGE)",
    415: "A state-changing request without a JSON body or the room token (UNSUPPORTED_MEDIA_TYPE)",
    422: "The request does not pass validation (INVALID_ARGUMENT, UNKNOWN_ORG)",
    429: "Too many attempts from this address (RATE_LIMITED)",
    502: "The ledger answered with an error (LEDGER_ERROR)",
    503: "The network is not reachable (NETWORK_UNAVAILABLE)",
    504: "The transaction was not committed in time (COMMIT_TIMEOUT)",
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description} for status, description in ERROR_STATUSES.items()
}


def media_response(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """A 200 answer of another media type than JSON (SVG, event streams), for a route's ``responses=``."""
    return {200: {"description": description, "content": {media_type: {"schema": {"type": "string"}}}}}
