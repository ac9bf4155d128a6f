"""Geometry of the SVG graphics (temperature chart, trace graph, network diagram); templates draw them."""

from __future__ import annotations

from typing import Any


def temperature_chart(readings: list[dict[str, Any]], product: dict[str, Any] | None) -> dict[str, Any] | None:
    if not readings:
        return None
    width, height, left, right, top, bottom = 640, 220, 44, 16, 14, 30
    values = [float(r["celsius"]) for r in readings]
    band = (float(product["minTempC"]), float(product["maxTempC"])) if product else None
    lo = min([*values, *(band or ())]) - 2
    hi = max([*values, *(band or ())]) + 2
    span = hi - lo or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def y_of(value: float) -> float:
        return round(top + (hi - value) / span * plot_h, 1)

    step = plot_w / max(len(values) - 1, 1)
    points = []
    for i, reading in enumerate(readings):
        x = round(left + (i * step if len(values) > 1 else plot_w / 2), 1)
        points.append({**reading, "x": x, "y": y_of(float(reading["celsius"]))})
    ticks = []
    tick_step = 5 if span > 12 else 2 if span > 5 else 1
    value = int(lo // tick_step * tick_step)
    while value <= hi:
        if value >= lo:
            ticks.append({"value": value, "y": y_of(value)})
        value += tick_step
    chart: dict[str, Any] = {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": height - bottom,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "ticks": ticks,
        "band": None,
    }
    if band:
        chart["band"] = {
            "y": y_of(band[1]),
            "h": round(y_of(band[0]) - y_of(band[1]), 1),
            "min": band[0],
            "max": band[1],
        }
    return chart


NODE_W, NODE_H, COL_GAP, ROW_GAP = 190, 64, 70, 22


def trace_graph(trace: dict[str, Any], retailer_msps: set[str]) -> dict[str, Any]:
    lot = trace["lot"]
    nodes: dict[str, dict[str, Any]] = {}
    for summary in trace.get("ancestors", []):
        nodes[summary["lotId"]] = {**summary}
    nodes[lot["lotId"]] = {
        "lotId": lot["lotId"],
        "parentId": lot.get("parentId", ""),
        "custodian": lot["custodian"],
        "status": lot["status"],
        "quantity": lot["quantity"],
        "unit": lot["unit"],
        "depth": 0,
        "focus": True,
    }
    for summary in trace.get("descendants", []):
        nodes[summary["lotId"]] = {**summary}
    columns: dict[int, list[dict[str, Any]]] = {}
    for node in nodes.values():
        columns.setdefault(int(node.get("depth", 0)), []).append(node)
    depths = sorted(columns)
    tallest = max(len(c) for c in columns.values())
    height = tallest * (NODE_H + ROW_GAP) + ROW_GAP
    for col, depth in enumerate(depths):
        column = columns[depth]
        offset = (height - len(column) * (NODE_H + ROW_GAP) + ROW_GAP) / 2
        for row, node in enumerate(column):
            node["x"] = 20 + col * (NODE_W + COL_GAP)
            node["y"] = round(offset + row * (NODE_H + ROW_GAP), 1)
            node["retailer"] = node["custodian"] in retailer_msps
            node["recalled"] = node["status"] == "RECALLED"
    edges = []
    for node in nodes.values():
        parent = nodes.get(node.get("parentId") or "")
        if parent:
            x1, y1 = parent["x"] + NODE_W, parent["y"] + NODE_H / 2
            x2, y2 = node["x"], node["y"] + NODE_H / 2
            mid = (x1 + x2) / 2
            edges.append({"d": f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}", "recalled": node["recalled"]})
    return {
        "nodes": list(nodes.values()),
        "edges": edges,
        "width": 40 + len(depths) * (NODE_W + COL_GAP) - COL_GAP,
        "height": max(height, NODE_H + 2 * ROW_GAP),
        "node_w": NODE_W,
        "node_h": NODE_H,
    }


def network_diagram(status: dict[str, Any]) -> dict[str, Any]:
    """Orderers on top, a channel bar, then one column per peer org with its peer and chaincode server."""
    nodes = status.get("nodes", [])
    by_org: dict[str, list[dict[str, Any]]] = {}
    for node in nodes:
        by_org.setdefault(node["org"], []).append(node)
    orgs = status["orgs"]
    orderers = [n for n in nodes if n["kind"] == "orderer"]
    # Wide enough for the org columns and for every orderer box (190 wide), e.g. SmartBFT's four.
    col_w, width = 250, max(max(3, len(orgs)) * 250 + 40, len(orderers) * 205 + 40)
    orderer_boxes = []
    n_ord = max(len(orderers), 1)
    for i, node in enumerate(orderers):
        orderer_boxes.append({**node, "x": 20 + (width - 40) * (i + 0.5) / n_ord - 95, "y": 50})
    columns = []
    for i, org in enumerate(orgs):
        x = 20 + i * col_w + (width - 40 - len(orgs) * col_w) / 2
        own = by_org.get(org["key"], [])
        peer = next((n for n in own if n["kind"] == "peer"), None)
        ccaas = next((n for n in own if n["kind"] == "chaincode"), None)
        columns.append({"org": org, "x": x, "peer": peer, "ccaas": ccaas})
    return {"width": width, "height": 430, "orderers": orderer_boxes, "columns": columns, "channel_y": 175}
