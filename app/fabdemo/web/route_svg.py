"""The route of a lot as an SVG drawing from its GPS checkpoints: no map tiles, so it works offline.

The origin org's site and the current custodian's site (their coordinates are in
``fabdemo/epcis/locations.yaml``) frame the checkpoints; the points are projected equirectangularly
(longitude scaled by the cosine of the mean latitude, so distances look right at these scales) into a
fixed box with a margin."""

from __future__ import annotations

import itertools
import math
from typing import Any

from fabdemo.epcis.vocabulary import locations

WIDTH, HEIGHT, MARGIN = 640, 260, 36


def route_map(lot: dict[str, Any], org_names: dict[str, str] | None = None) -> dict[str, Any] | None:
    names = org_names or {}
    stops: list[dict[str, Any]] = []

    def site(msp: str, kind: str) -> None:
        loc = locations().of(msp)
        if loc and loc.geo:
            stops.append({"lat": loc.geo[0], "lon": loc.geo[1], "label": names.get(msp, loc.name), "kind": kind,
                          "timestamp": ""})  # fmt: skip

    checkpoints = [c for c in lot.get("checkpoints") or [] if isinstance(c.get("latitude"), int | float)]
    if not checkpoints:
        return None
    site(lot.get("originMsp", ""), "origin")
    for c in sorted(checkpoints, key=lambda c: c.get("timestamp", "")):
        stops.append({"lat": float(c["latitude"]), "lon": float(c["longitude"]), "label": c.get("location", ""),
                      "kind": "checkpoint", "timestamp": c.get("timestamp", "")})  # fmt: skip
    pending = (lot.get("pendingTransfer") or {}).get("toMsp")
    site(pending or lot.get("custodian", ""), "destination" if pending else "here")
    lats = [s["lat"] for s in stops]
    lons = [s["lon"] for s in stops]
    scale_x = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * scale_x, 1e-3)
    span_y = max(max(lats) - min(lats), 1e-3)
    k = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)
    off_x = (WIDTH - span_x * k) / 2
    off_y = (HEIGHT - span_y * k) / 2
    for s in stops:
        s["x"] = round(off_x + (s["lon"] - min(lons)) * scale_x * k, 1)
        s["y"] = round(HEIGHT - off_y - (s["lat"] - min(lats)) * k, 1)
    km = sum(_km(a, b) for a, b in itertools.pairwise(stops))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "stops": stops,
        "polyline": " ".join(f"{s['x']},{s['y']}" for s in stops),
        "km": round(km),
    }


def _km(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Great-circle distance (haversine), for the caption."""
    la1, lo1, la2, lo2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))
