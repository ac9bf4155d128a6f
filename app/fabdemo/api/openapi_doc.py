"""The OpenAPI document, completed with what only the running app knows: the channel's member orgs.

``org`` (the acting organisation, in a body or a query) is a string in the route declarations; the
document served at ``/openapi.json`` lists the orgs it may be (keys and MSP ids), so a client generated
from it (or schemathesis) knows that any other value is refused with 422 ``UNKNOWN_ORG``. Built on each
request: orgs onboarded later appear without a restart.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from fabdemo.api.contract_routes import document_contracts
from fabdemo.service import LedgerService


def _org_schema(names: list[str]) -> dict[str, Any]:
    return {"type": "string", "enum": names, "description": "acting organisation (key or MSP id)"}


def _complete(schema: dict[str, Any], names: list[str]) -> None:
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for param in operation.get("parameters", []):
                if param.get("name") in ("org", "custodian"):
                    param["schema"] = _org_schema(names)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if "org" in body.get("properties", {}):
                body["properties"]["org"] = _org_schema(names)
    for component in schema.get("components", {}).get("schemas", {}).values():
        if "org" in component.get("properties", {}):
            component["properties"]["org"] = _org_schema(names)


def with_known_orgs(app: FastAPI, service: LedgerService) -> Callable[[], dict[str, Any]]:
    """A replacement for ``app.openapi``: FastAPI's document (cached by FastAPI) plus the org names."""
    generated = app.openapi

    def openapi() -> dict[str, Any]:
        schema = copy.deepcopy(generated())
        orgs = service.orgs()
        _complete(schema, [o["key"] for o in orgs] + [o["msp"] for o in orgs])
        document_contracts(schema, service)  # the customer's contracts, from their metadata
        return schema

    return openapi
