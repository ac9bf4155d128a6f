"""The catalogue's model: what an operation and its parameters are, and the vocabularies they use."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# Lot statuses of the contract (chaincode/contract), in lifecycle order.
STATUSES = ("HARVESTED", "PROCESSED", "PACKAGED", "SPLIT", "IN_TRANSIT", "RECEIVED", "QUARANTINED", "SOLD", "RECALLED")
ROLES = ("grower", "processor", "retailer", "carrier")
KINDS = ("submit", "evaluate")

# Parameter types: how a value is checked and which widget the UI shows.
PARAM_TYPES = ("id", "text", "number", "date", "enum", "msp", "sha256", "currency", "children", "json")

# Named defaults computed per request (defaults.py), besides msp:<role>.
DEFAULT_FACTORIES = ("lot_id", "cert_id", "product_id", "today", "next_year", "salt", "org_name", "lot", "children")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    label_en: str
    label_zh: str
    required: bool = True
    min: float | None = None
    max: float | None = None
    min_length: int = 0
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    default: Any = None
    # Named default computed per request: lot_id, cert_id, product_id, today, next_year, salt, org_name,
    # msp:<role> (first org holding that role), lot (the lot in view), children (split the lot in view).
    default_factory: str | None = None
    positive: bool = False  # strictly greater than zero (quantities, prices)
    transient: bool = False  # goes into the private (transient) JSON, not the public arguments
    multiline: bool = False
    hint_en: str = ""
    hint_zh: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["choices"] = list(self.choices)
        return data


@dataclass(frozen=True)
class Operation:
    id: str
    function: str
    kind: str  # "submit" or "evaluate"
    label_en: str
    label_zh: str
    group: str
    roles: tuple[str, ...]  # who may perform it in real life; empty = any member
    params: tuple[Param, ...] = ()
    description_en: str = ""
    description_zh: str = ""
    endorse_roles: tuple[str, ...] = ()  # orgs (by role) that must endorse; empty = the channel policy
    transient_field: str | None = None  # name of the transient map entry carrying the transient params
    danger: bool = False
    # Lot statuses in which the lot page offers this action (empty: not offered there; "*": always).
    lot_statuses: tuple[str, ...] = ()

    @property
    def submit(self) -> bool:
        return self.kind == "submit"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "function": self.function,
            "kind": self.kind,
            "label_en": self.label_en,
            "label_zh": self.label_zh,
            "group": self.group,
            "roles": list(self.roles),
            "endorse_roles": list(self.endorse_roles),
            "transient_field": self.transient_field,
            "description_en": self.description_en,
            "description_zh": self.description_zh,
            "params": [p.to_dict() for p in self.params],
            "lot_statuses": list(self.lot_statuses),
        }
