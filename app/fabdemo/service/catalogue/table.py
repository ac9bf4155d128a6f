"""The operation table: read once from ``operations.yaml`` (shipped with the package) and checked on load.

A mistake in the file stops the app at start-up with a message that names the operation, the parameter
and the field, e.g. ``operations.yaml: operation 'harvest', param 'quantity': type 'float' is unknown``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml

from fabdemo.service.catalogue.model import DEFAULT_FACTORIES, KINDS, PARAM_TYPES, ROLES, STATUSES, Operation, Param
from fabdemo.service.catalogue.validate import check_value
from fabdemo.service.errors import ServiceError

SOURCE = "operations.yaml"


class CatalogueError(ValueError):
    """The operation table is not valid; the message says where and why."""


# field -> (accepted types, required). bool is refused where a number is expected.
_Spec = dict[str, tuple[tuple[type, ...], bool]]
_NUMBER = (int, float)
_SCALAR = (str, int, float, bool)
OPERATION_FIELDS: _Spec = {
    "id": ((str,), True),
    "function": ((str,), True),
    "kind": ((str,), True),
    "label_en": ((str,), True),
    "label_zh": ((str,), True),
    "group": ((str,), True),
    "roles": ((list,), True),
    "params": ((list,), False),
    "description_en": ((str,), False),
    "description_zh": ((str,), False),
    "endorse_roles": ((list,), False),
    "transient_field": ((str,), False),
    "danger": ((bool,), False),
    "lot_statuses": ((list,), False),
}
PARAM_FIELDS: _Spec = {
    "name": ((str,), True),
    "type": ((str,), True),
    "label_en": ((str,), True),
    "label_zh": ((str,), True),
    "required": ((bool,), False),
    "min": (_NUMBER, False),
    "max": (_NUMBER, False),
    "min_length": ((int,), False),
    "max_length": ((int,), False),
    "choices": ((list,), False),
    "default": (_SCALAR, False),
    "default_factory": ((str,), False),
    "positive": ((bool,), False),
    "transient": ((bool,), False),
    "multiline": ((bool,), False),
    "hint_en": ((str,), False),
    "hint_zh": ((str,), False),
}
_TUPLE_FIELDS = ("roles", "endorse_roles", "lot_statuses", "choices")


def _fields(entry: Any, spec: _Spec, where: str) -> dict[str, Any]:
    """The entry's fields, checked against ``spec``: known names, required ones present, right types."""
    if not isinstance(entry, Mapping):
        raise CatalogueError(f"{where}: must be a mapping of fields, got {type(entry).__name__}")
    for key in entry:
        if key not in spec:
            close = difflib.get_close_matches(str(key), spec, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise CatalogueError(f"{where}: unknown field {key!r}{hint}")
    for key, (types, required) in spec.items():
        if key not in entry or entry[key] is None:
            if required:
                raise CatalogueError(f"{where}: missing field {key!r}")
            continue
        value = entry[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            names = "a number" if types == _NUMBER else " or ".join(t.__name__ for t in types)
            raise CatalogueError(f"{where}: field {key!r} must be {names}, got {value!r}")
        if key.startswith("label_") and not value.strip():
            raise CatalogueError(f"{where}: field {key!r} must not be empty")
        if key in _TUPLE_FIELDS and not all(isinstance(v, str) for v in value):
            raise CatalogueError(f"{where}: field {key!r} must be a list of strings, got {value!r}")
    return {k: tuple(v) if k in _TUPLE_FIELDS else v for k, v in entry.items() if v is not None}


def _one_of(where: str, name: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    for value in values:
        if value not in allowed:
            raise CatalogueError(f"{where}: {name} {value!r} is unknown (one of {', '.join(allowed)})")


def _where(entry: Any, key: str, what: str, index: int) -> str:
    """``operation 'harvest'`` (or ``operation #3`` until the entry has a name)."""
    name = entry.get(key) if isinstance(entry, Mapping) else None
    return f"{what} {name!r}" if isinstance(name, str) else f"{what} #{index + 1}"


def _param(entry: Any, index: int, where: str) -> Param:
    where = f"{where}, {_where(entry, 'name', 'param', index)}"
    data = _fields(entry, PARAM_FIELDS, where)
    kind = data["type"]
    _one_of(where, "type", (kind,), PARAM_TYPES)
    factory = data.get("default_factory")
    if factory is not None:
        if factory.startswith("msp:"):
            _one_of(where, "default_factory role", (factory[4:],), ROLES)
        else:
            _one_of(where, "default_factory", (factory,), (*DEFAULT_FACTORIES, "msp:<role>"))
        if "default" in data:
            raise CatalogueError(f"{where}: has both default and default_factory")
    if kind == "number" and ("min" not in data or "max" not in data or data["min"] > data["max"]):
        raise CatalogueError(f"{where}: a number needs min and max, with min <= max")
    if kind == "enum" and not data.get("choices"):
        raise CatalogueError(f"{where}: an enum needs choices")
    if kind != "enum" and "choices" in data:
        raise CatalogueError(f"{where}: choices are for enum params only")
    param = Param(**data)
    if param.default is not None:
        try:
            check_value(param, param.default)
        except ServiceError as err:
            raise CatalogueError(f"{where}: default {param.default!r} fails its own check: {err.message}") from None
    return param


def _operation(entry: Any, index: int, groups: Mapping[str, Any]) -> Operation:
    where = f"{SOURCE}: {_where(entry, 'id', 'operation', index)}"
    data = _fields(entry, OPERATION_FIELDS, where)
    _one_of(where, "kind", (data["kind"],), KINDS)
    _one_of(where, "group", (data["group"],), tuple(groups))
    _one_of(where, "role", data["roles"], ROLES)
    _one_of(where, "endorse role", data.get("endorse_roles", ()), ROLES)
    _one_of(where, "lot status", data.get("lot_statuses", ()), (*STATUSES, "*"))
    params = tuple(_param(p, i, where) for i, p in enumerate(data.get("params", ())))
    names = [p.name for p in params]
    for name in names:
        if names.count(name) > 1:
            raise CatalogueError(f"{where}: duplicate param {name!r}")
    if any(p.transient for p in params) and not data.get("transient_field"):
        raise CatalogueError(f"{where}: has transient params but no transient_field")
    return Operation(**{**data, "params": params})


def load_catalogue(document: Any) -> tuple[tuple[Operation, ...], dict[str, tuple[str, str]]]:
    """The operations and groups of a parsed ``operations.yaml``; raises CatalogueError naming the mistake."""
    if not isinstance(document, Mapping) or set(document) != {"groups", "operations"}:
        raise CatalogueError(f"{SOURCE}: must be a mapping with exactly 'groups' and 'operations'")
    if not isinstance(document["groups"], Mapping) or not isinstance(document["operations"], list):
        raise CatalogueError(f"{SOURCE}: 'groups' must be a mapping and 'operations' a list")
    label_spec: _Spec = {"label_en": ((str,), True), "label_zh": ((str,), True)}
    groups: dict[str, tuple[str, str]] = {}
    for group_id, labels in document["groups"].items():
        data = _fields(labels, label_spec, f"{SOURCE}: group {group_id!r}")
        groups[str(group_id)] = (data["label_en"], data["label_zh"])
    operations: list[Operation] = []
    for index, entry in enumerate(document["operations"]):
        op = _operation(entry, index, groups)
        if any(o.id == op.id for o in operations):
            raise CatalogueError(f"{SOURCE}: duplicate operation id {op.id!r}")
        operations.append(op)
    return tuple(operations), groups


def _read() -> tuple[tuple[Operation, ...], dict[str, tuple[str, str]]]:
    text = resources.files(__package__).joinpath(SOURCE).read_text(encoding="utf-8")
    try:
        document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as err:
        raise CatalogueError(f"{SOURCE}: not valid YAML: {err}") from None
    return load_catalogue(document)


OPERATIONS, GROUPS = _read()
OPERATIONS_BY_ID: dict[str, Operation] = {op.id: op for op in OPERATIONS}


def lot_actions(status: str) -> list[Operation]:
    """Operations the lot page offers for a lot in ``status``."""
    return [op for op in OPERATIONS if "*" in op.lot_statuses or status in op.lot_statuses]


def get_operation(op_id: str) -> Operation:
    try:
        return OPERATIONS_BY_ID[op_id]
    except KeyError:
        raise ServiceError("UNKNOWN_OPERATION", f"unknown operation {op_id!r}") from None
