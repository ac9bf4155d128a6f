"""Request-time defaults: the values a form starts with, some computed for the acting org and the lot in view."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fabdemo.service.catalogue.arguments import format_number
from fabdemo.service.catalogue.model import Operation, Param


@dataclass
class DefaultContext:
    """What default factories may use: the acting org, the orgs by role and the lot in view."""

    org_name: str = ""
    msp_by_role: dict[str, str] = field(default_factory=dict)
    lot: Mapping[str, Any] | None = None
    today: dt.date | None = None


def _today(ctx: DefaultContext) -> dt.date:
    return ctx.today or dt.datetime.now(dt.UTC).date()


def default_value(param: Param, ctx: DefaultContext) -> Any:
    factory = param.default_factory
    if factory is None:
        return param.default
    suffix = secrets.token_hex(2).upper()
    if factory == "lot_id":
        return f"LOT-{_today(ctx):%Y%m%d}-{suffix}"
    if factory == "cert_id":
        return f"CERT-{_today(ctx):%Y}-{suffix}"
    if factory == "product_id":
        return f"PRD-{suffix}"
    if factory == "today":
        return _today(ctx).isoformat()
    if factory == "next_year":
        return (_today(ctx) + dt.timedelta(days=365)).isoformat()
    if factory == "salt":
        return secrets.token_hex(8)
    if factory == "org_name":
        return ctx.org_name
    if factory.startswith("msp:"):
        return ctx.msp_by_role.get(factory[4:], "")
    if factory == "lot":
        return (ctx.lot or {}).get("lotId", "")
    if factory == "children":
        lot = ctx.lot or {}
        remaining = float(lot.get("remainingQuantity") or 0)
        if not lot.get("lotId") or remaining <= 0:
            return ""
        half = format_number(round(remaining / 2, 6))
        rest = format_number(round(remaining - float(half), 6))
        return f"{lot['lotId']}-P1:{half}, {lot['lotId']}-P2:{rest}"
    raise AssertionError(f"unknown default factory {factory}")


def defaults(op: Operation, ctx: DefaultContext) -> dict[str, Any]:
    return {p.name: default_value(p, ctx) for p in op.params}
