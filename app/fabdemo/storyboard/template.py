"""``${...}`` placeholders in storyboard actions, resolved against the results of earlier actions.

- ``${harvest.args.lotId}``, ``${harvest.result.status}``: a value from an earlier action (by its id);
- ``${new_id:STRAW}``: a fresh id such as ``STRAW-3F9A2C`` (unique per run, stable within one action);
- ``${today}``: today's date (YYYY-MM-DD);
- ``${var:name}``: a run variable (e.g. the seeded lot ids).
A string that is exactly one placeholder keeps the value's type (a number stays a number).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


class TemplateError(ValueError):
    pass


def lookup(context: dict[str, Any], dotted: str) -> Any:
    node: Any = context
    for part in dotted.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise TemplateError(f"${{{dotted}}}: nothing at {part!r}")
    return node


def _value(expression: str, context: dict[str, Any], variables: dict[str, Any]) -> Any:
    if expression == "today":
        return dt.date.today().isoformat()
    if expression.startswith("new_id:"):
        return f"{expression[7:]}-{secrets.token_hex(3).upper()}"
    if expression.startswith("var:"):
        name = expression[4:]
        if name not in variables:
            raise TemplateError(f"${{{expression}}}: unknown variable")
        return variables[name]
    return lookup(context, expression)


def resolve(value: Any, context: dict[str, Any], variables: dict[str, Any] | None = None) -> Any:
    variables = variables or {}
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole:
            return _value(whole.group(1), context, variables)
        return _PLACEHOLDER.sub(lambda m: str(_value(m.group(1), context, variables)), value)
    if isinstance(value, dict):
        return {k: resolve(v, context, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, context, variables) for v in value]
    return value
