"""A chaincode's own description of itself (``org.hyperledger.fabric:GetMetadata``), as typed objects.

The three contract APIs write the same document shape but mark read-only transactions differently:
Go tags ``["evaluate", "EVALUATE"]``, Node ``["EVALUATE"]`` (submit: ``["SUBMIT", "submitTx"]``), Java
``tags`` or ``tag``. Parameter and return schemas are JSON Schema, with ``$ref`` into
``components.schemas`` for the contract's own types (Asset). The REST endpoints, the OpenAPI document,
the console's forms and the Python client generator all read this one model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

SYSTEM_CONTRACT = "org.hyperledger.fabric"


@dataclass(frozen=True)
class TxParam:
    name: str
    schema: dict[str, Any]

    @property
    def type(self) -> str:
        """string, integer, number, boolean, object or array ($ref: object)."""
        if "$ref" in self.schema:
            return "object"
        return str(self.schema.get("type") or "string")


@dataclass(frozen=True)
class Transaction:
    name: str
    params: tuple[TxParam, ...]
    returns: dict[str, Any] | None
    submit: bool

    @property
    def kind(self) -> str:
        return "submit" if self.submit else "evaluate"


@dataclass(frozen=True)
class ContractMetadata:
    chaincode: str
    contract: str  # the contract's name inside the chaincode ("" calls the default contract)
    title: str
    version: str
    transactions: tuple[Transaction, ...]
    schemas: dict[str, Any] = field(default_factory=dict)  # components.schemas

    def transaction(self, name: str) -> Transaction | None:
        return next((tx for tx in self.transactions if tx.name == name), None)


def _is_evaluate(raw: dict[str, Any]) -> bool:
    tags = [str(t).lower() for t in (raw.get("tag") or raw.get("tags") or [])]
    if "evaluate" in tags:
        return True
    if "submit" in tags or "submittx" in tags:
        return False
    return False  # no tag: the APIs' default is submit


def _returns(raw: Any) -> dict[str, Any] | None:
    """Go writes the schema itself, Node ``{"name", "schema"}`` (or a list of those)."""
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    if not isinstance(raw, dict):
        return None
    return dict(raw["schema"]) if isinstance(raw.get("schema"), dict) else dict(raw)


def parse(chaincode: str, document: bytes | str | dict[str, Any]) -> ContractMetadata:
    """The first (default) contract of a GetMetadata answer that is not the system contract."""
    raw = document if isinstance(document, dict) else json.loads(document)
    contracts = {k: v for k, v in (raw.get("contracts") or {}).items() if k != SYSTEM_CONTRACT}
    if not contracts:
        raise ValueError(f"chaincode {chaincode} describes no contract")
    default = next((k for k, v in contracts.items() if v.get("default")), next(iter(contracts)))
    body = contracts[default]
    transactions = []
    for tx in body.get("transactions") or []:
        params = tuple(TxParam(p["name"], dict(p.get("schema") or {})) for p in tx.get("parameters") or [])
        returns = _returns(tx.get("returns"))
        transactions.append(Transaction(tx["name"], params, returns, not _is_evaluate(tx)))
    info = body.get("info") or raw.get("info") or {}
    return ContractMetadata(
        chaincode=chaincode,
        contract=default,
        title=str(info.get("title") or chaincode),
        version=str(info.get("version") or ""),
        transactions=tuple(sorted(transactions, key=lambda t: t.name)),
        schemas=dict((raw.get("components") or {}).get("schemas") or {}),
    )


def to_argument(param: TxParam, value: Any) -> str:
    """The text a contract API parses for this parameter (numbers and booleans as JSON, objects as JSON)."""
    kind = param.type
    if kind == "string":
        if not isinstance(value, str):
            raise ValueError("a string")
        return value
    if kind == "integer":
        if isinstance(value, bool):
            raise ValueError("a whole number")
        if isinstance(value, str):
            value = value.strip()
            if not value.lstrip("-").isdigit():
                raise ValueError("a whole number")
            return str(int(value))
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return str(int(value))
        raise ValueError("a whole number")
    if kind == "number":
        if isinstance(value, bool):
            raise ValueError("a number")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError("a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError("a finite number")
        return json.dumps(number if not number.is_integer() else int(number))
    if kind == "boolean":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower()
        raise ValueError("true or false")
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            raise ValueError("JSON") from None
        return value
    return json.dumps(value)
