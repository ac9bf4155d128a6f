"""Clean values become contract arguments: positional strings and, for private data, the transient map."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fabdemo.service.catalogue.model import Operation


def format_number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def to_contract_arguments(op: Operation, clean: Mapping[str, Any]) -> tuple[list[str], dict[str, bytes] | None]:
    """Positional string arguments and, if the operation has one, the transient map."""
    args: list[str] = []
    private: dict[str, Any] = {}
    for param in op.params:
        value = clean[param.name]
        if param.transient:
            private[param.name] = value
            continue
        if param.type == "number":
            args.append(format_number(value))
        elif param.type == "children":
            args.append(json.dumps(value, separators=(",", ":")))
        else:
            args.append(str(value))
    transient = None
    if op.transient_field:
        # The exact bytes are hashed on the ledger, so the key order and spacing are fixed here, once.
        transient = {op.transient_field: json.dumps(private, separators=(",", ":"), ensure_ascii=False).encode()}
    return args, transient
