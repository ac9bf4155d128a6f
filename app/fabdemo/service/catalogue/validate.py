"""Argument validation: user input becomes clean values with the same limits as the contract.

The limits are those of chaincode/contract/validate.go, so bad input is refused with a clear message in
English and Chinese (``INVALID_ARGUMENT``, 422, naming the field) before the ledger sees it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from fabdemo.service.catalogue.model import Operation, Param
from fabdemo.service.errors import ServiceError

ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# The fields of one package of a split (the children parameter).
_CHILD_LOT = Param("lotId", "id", "package lot ID", "包装批次编号")
_CHILD_QUANTITY = Param("quantity", "number", "package quantity", "包装数量", min=0, max=1e9, positive=True)


def _invalid(param: Param, message: str, message_zh: str) -> ServiceError:
    return ServiceError(
        "INVALID_ARGUMENT",
        f"{param.name}: {message}",
        message_zh=f"参数无效：「{param.label_zh}」{message_zh}",
        field=param.name,
    )


def _check_text(param: Param, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _invalid(param, "must be text", "必须是文本")
    text = str(value)
    n = len(text)
    if n < param.min_length or (param.max_length is not None and n > param.max_length):
        raise _invalid(
            param,
            f"must be {param.min_length}-{param.max_length} characters, got {n}",
            f"长度必须在 {param.min_length} 到 {param.max_length} 个字符之间，实际为 {n}",
        )
    if param.min_length and not text.strip():
        raise _invalid(param, "must not be blank", "不能为空")
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
        raise _invalid(param, "contains a control character", "包含控制字符")
    return text


def _check_number(param: Param, value: Any) -> float:
    if isinstance(value, bool):
        raise _invalid(param, "must be a number", "必须是数字")
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _invalid(param, f"must be a number, got {value[:40]!r}", "必须是数字") from None
    elif isinstance(value, (int, float)):
        number = float(value)
    else:
        raise _invalid(param, "must be a number", "必须是数字")
    if not math.isfinite(number):
        raise _invalid(param, "must be a finite number", "必须是有限的数字")
    lo, hi = param.min, param.max
    if param.positive:
        if not 0 < number <= (hi if hi is not None else math.inf):
            raise _invalid(param, f"must be greater than 0 and at most {hi:g}", f"必须大于 0 且不超过 {hi:g}")
    elif (lo is not None and number < lo) or (hi is not None and number > hi):
        raise _invalid(param, f"must be between {lo:g} and {hi:g}, got {number:g}", f"必须在 {lo:g} 到 {hi:g} 之间")
    return number


def _check_children(param: Param, value: Any) -> list[dict[str, Any]]:
    """Children of a split: a list of {lotId, quantity}, its JSON, or the form text ``ID:qty, ID:qty``."""
    items: Any = value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                items = json.loads(text)
            except json.JSONDecodeError as err:
                raise _invalid(param, f"is not valid JSON: {err.msg}", "不是有效的 JSON") from None
        else:
            items = []
            for part in re.split(r"[,\n;]+", text):
                if not part.strip():
                    continue
                lot_id, sep, qty = part.strip().rpartition(":")
                if not sep:
                    raise _invalid(param, f"entry {part.strip()!r} must be LOT-ID:quantity", "每项必须是 批次编号:数量")
                items.append({"lotId": lot_id.strip(), "quantity": qty.strip()})
    if not isinstance(items, list) or not 1 <= len(items) <= 100:
        raise _invalid(param, "must list 1-100 packages", "必须列出 1 到 100 个包装")
    children = []
    for item in items:
        if not isinstance(item, dict) or set(item) != {"lotId", "quantity"}:
            raise _invalid(
                param, "each package needs exactly lotId and quantity", "每个包装必须且只能包含批次编号和数量"
            )
        lot_id = _check_id(_CHILD_LOT, item["lotId"])
        children.append({"lotId": lot_id, "quantity": _check_number(_CHILD_QUANTITY, item["quantity"])})
    return children


def _check_id(param: Param, value: Any) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise _invalid(
            param,
            "must be 1-64 characters of A-Z a-z 0-9 . _ -",
            "必须是 1 到 64 个字符（字母、数字、. _ -）",
        )
    return value


def check_value(param: Param, value: Any) -> Any:
    """One parameter's value, checked and normalised for its type (raises ServiceError 422)."""
    kind = param.type
    if kind in ("id", "msp"):
        return _check_id(param, value.strip() if isinstance(value, str) else value)
    if kind == "text":
        return _check_text(param, value)
    if kind == "number":
        return _check_number(param, value)
    if kind == "date":
        if not isinstance(value, str) or not DATE_PATTERN.match(value):
            raise _invalid(param, "must be a date YYYY-MM-DD", "必须是日期 YYYY-MM-DD")
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise _invalid(param, f"{value} is not a calendar date", "不是有效的日期") from None
        return value
    if kind == "enum":
        if value not in param.choices:
            raise _invalid(
                param, f"must be one of {', '.join(param.choices)}", f"必须是 {'、'.join(param.choices)} 之一"
            )
        return value
    if kind == "sha256":
        if not isinstance(value, str) or not SHA256_PATTERN.match(value.strip().lower()):
            raise _invalid(param, "must be 64 hex characters", "必须是 64 位十六进制字符")
        return value.strip().lower()
    if kind == "currency":
        if not isinstance(value, str) or not CURRENCY_PATTERN.match(value.strip()):
            raise _invalid(param, "must be a 3-letter upper-case currency code", "必须是 3 位大写货币代码")
        return value.strip()
    if kind == "children":
        return _check_children(param, value)
    if kind == "json":
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        if not 1 <= len(text) <= 64 * 1024:
            raise _invalid(param, "must be 1-65536 bytes", "长度必须在 1 到 65536 字节之间")
        return text
    raise AssertionError(f"unknown parameter type {kind}")


def validate_args(op: Operation, args: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check ``args`` against the catalogue; returns the clean values (raises ServiceError 422)."""
    if args is None:
        args = {}
    if not isinstance(args, Mapping):
        raise ServiceError("INVALID_ARGUMENT", "args must be an object of parameter values", 422)
    known = {p.name for p in op.params}
    unknown = sorted(set(args) - known)
    if unknown:
        raise ServiceError(
            "INVALID_ARGUMENT",
            f"unknown parameter(s) for {op.id}: {', '.join(unknown)}",
            message_zh=f"参数无效：{op.label_zh} 没有参数 {', '.join(unknown)}",
            field=unknown[0],
        )
    clean: dict[str, Any] = {}
    for param in op.params:
        value = args.get(param.name)
        if value is None and param.default is not None:
            value = param.default  # an omitted parameter with a fixed default takes it (API convenience)
        if value is None or (isinstance(value, str) and value == "" and param.type not in ("text",)):
            if param.required or param.type == "number":
                raise _invalid(param, "is required", "为必填项")
            value = ""
        if param.type == "text" and value == "" and param.required and param.min_length:
            raise _invalid(param, "is required", "为必填项")
        clean[param.name] = check_value(param, value)
    return clean
