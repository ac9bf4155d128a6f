"""Generic REST endpoints for any deployed chaincode, from its metadata (``service/anycontract.py``).

    GET  /api/contracts                    the deployed chaincodes
    GET  /api/contracts/{name}             its transactions, parameter and return schemas
    POST /api/contracts/{name}/{tx}        evaluate or submit as an org: {"org", "args", "transient", "submit"}
    GET  /api/contracts/{name}/events      its chaincode events (from block ``from``)

:func:`document_contracts` adds one concrete path per transaction of each contract read so far to the
OpenAPI document (``POST /api/contracts/asset/CreateAsset`` with its argument schema), so ``/docs``
describes the customer's contract without a line written for it. The kit's own contract is documented
by ``/api/operations`` and left out here.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from fabdemo.api.deps import ServiceDep
from fabdemo.api.schemas import ERROR_RESPONSES
from fabdemo.service import LedgerService
from fabdemo.service.ccmetadata import ContractMetadata, Transaction

router = APIRouter(prefix="/api/contracts", tags=["contracts"], responses=ERROR_RESPONSES)

NAME = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", description="chaincode name")]
TX = Annotated[str, Path(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$", description="transaction name")]


class ContractCall(BaseModel):
    org: str | None = Field(default=None, description="acting organisation (key or MSP id); default: the first")
    args: dict[str, Any] = Field(default_factory=dict, description="arguments by parameter name")
    transient: dict[str, Any] = Field(default_factory=dict, description="private inputs (transient data)")
    submit: bool | None = Field(default=None, description="force submit (true) or evaluate (false)")


def describe(metadata: ContractMetadata) -> dict[str, Any]:
    return {
        "chaincode": metadata.chaincode,
        "contract": metadata.contract,
        "title": metadata.title,
        "version": metadata.version,
        "transactions": [
            {
                "name": tx.name,
                "kind": tx.kind,
                "parameters": [{"name": p.name, "type": p.type, "schema": p.schema} for p in tx.params],
                "returns": tx.returns,
            }
            for tx in metadata.transactions
        ],
        "schemas": metadata.schemas,
    }


@router.get("", summary="The deployed chaincodes of the channel")
async def list_contracts(service: ServiceDep) -> list[dict[str, Any]]:
    return [{"name": name} for name in service.anycontracts.deployed()]


@router.get("/{name}", summary="A chaincode's transactions, from its own metadata")
async def contract_metadata(name: NAME, service: ServiceDep) -> dict[str, Any]:
    return describe(await service.anycontracts.metadata(name))


@router.get("/{name}/events", summary="A chaincode's events (from block `from`, at most `limit`)")
async def contract_events(
    name: NAME,
    service: ServiceDep,
    from_block: Annotated[int, Query(alias="from", ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    return await service.anycontracts.events(name, from_block, limit)


@router.post("/{name}/{tx}", summary="Evaluate or submit any transaction of a deployed chaincode")
async def call_contract(name: NAME, tx: TX, body: ContractCall, service: ServiceDep) -> dict[str, Any]:
    return await service.anycontracts.call(name, tx, body.org, body.args, body.transient, submit=body.submit)


# -- the OpenAPI document -----------------------------------------------------------------------------------


def _operation(metadata: ContractMetadata, tx: Transaction) -> dict[str, Any]:
    args_schema = {
        "type": "object",
        "properties": {p.name: _local_refs(p.schema) for p in tx.params},
        "required": [p.name for p in tx.params],
        "additionalProperties": False,
    }
    return {
        "tags": [f"contract: {metadata.chaincode}"],
        "summary": f"{tx.kind.capitalize()} {tx.name}({', '.join(p.name for p in tx.params)})",
        "operationId": f"contract_{metadata.chaincode}_{tx.name}".replace("-", "_"),
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "org": {"type": "string", "description": "acting organisation (key or MSP id)"},
                            "args": args_schema,
                            "transient": {"type": "object", "description": "private inputs (transient data)"},
                        },
                        "required": ["args"],
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "the result, with its ledger proof for a submit",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"result": _local_refs(tx.returns or {}), "proof": {"type": "object"}},
                        }
                    }
                },
            }
        },
    }


def _local_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Contract-API refs (``#/components/schemas/Asset``) point into the chaincode's own components; the
    document inlines them under a per-contract prefix when added (see document_contracts)."""
    return copy.deepcopy(schema)


def document_contracts(schema: dict[str, Any], service: LedgerService) -> None:
    """Add a path per transaction of each (non-provenance) contract whose metadata was read."""
    own = service.topology.chaincode.name
    paths = schema.setdefault("paths", {})
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for metadata in service.anycontracts.cached_metadata():
        if metadata.chaincode == own:
            continue
        for name, body in metadata.schemas.items():
            components.setdefault(name, copy.deepcopy(body))
        for tx in metadata.transactions:
            paths[f"/api/contracts/{metadata.chaincode}/{tx.name}"] = {"post": _operation(metadata, tx)}
