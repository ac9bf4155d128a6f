"""The FSMA 204 electronic sortable spreadsheet: one row per Critical Tracking Event, with the rule's
Key Data Elements as columns, built from the journey steps (journey.py). XLSX (openpyxl, a header
row, filters and frozen panes: sortable as the rule asks) and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from fabdemo.epcis import vocabulary as v
from fabdemo.epcis.journey import Step

COLUMNS = [
    "Critical tracking event",
    "Event date",
    "Event time (UTC)",
    "Traceability lot code",
    "TLC source location GLN",
    "TLC source location name",
    "Product description",
    "GTIN",
    "Quantity",
    "Unit of measure",
    "Location GLN",
    "Location name",
    "Location address",
    "Immediate previous source GLN",
    "Immediate previous source name",
    "Immediate subsequent recipient GLN",
    "Immediate subsequent recipient name",
    "Reference document type",
    "Reference document number",
    "Harvest date",
    "Farm / field",
    "Transformation inputs",
    "Carrier / vehicle",
    "Recorded by (MSP)",
    "Ledger transaction id",
    "Ledger block",
]


def _loc(msp: str) -> tuple[str, str, str]:
    loc = v.locations().of(msp)
    return (loc.gln, loc.name, loc.address) if loc else ("", msp, "")


def rows(steps: list[Step]) -> list[list[Any]]:
    """One row per CTE step (readings, checkpoints and sales are not CTEs)."""
    split_by: dict[str, tuple[str, str]] = {}  # child lot -> (split actor, parent lot)
    for s in steps:
        if s.kind == "split":
            for child in s.event.get("children") or []:
                split_by[child["lotId"]] = (s.actor, s.lot_id)
    out: list[list[Any]] = []
    for s in steps:
        if not s.cte:
            continue
        ev, lot = s.event, s.lot
        source_msp = split_by.get(s.lot_id, (lot.get("originMsp", ""),))[0] or lot.get("originMsp", "")
        if lot.get("parentId") and s.lot_id not in split_by:
            source_msp = ""  # a package whose split is outside the report: its source is on the parent's row
        tlc_gln, tlc_name, _ = _loc(source_msp) if source_msp else ("", "", "")
        where = ev.get("toMsp") if s.kind == "receive" else (ev.get("fromMsp") if s.kind == "ship" else s.actor)
        gln, name, address = _loc(where or s.actor)
        prev_gln = prev_name = next_gln = next_name = ""
        if s.kind == "receive":
            prev_gln, prev_name, _ = _loc(ev.get("fromMsp", ""))
        if s.kind == "ship":
            next_gln, next_name, _ = _loc(ev.get("toMsp", ""))
        qty = lot.get("quantity")
        inputs = ""
        if s.kind == "harvest":
            qty = ev.get("quantity", qty)
        elif s.kind == "split":
            children = ev.get("children") or []
            qty = sum(float(c["quantity"]) for c in children)
            inputs = f"{s.lot_id} → " + ", ".join(f"{c['lotId']} ({c['quantity']})" for c in children)
        elif s.kind in ("ship", "receive"):
            qty = lot.get("remainingQuantity") or lot.get("quantity")
        farm = lot.get("farm") or {}
        docs = s.documents
        proof = s.proof or {}
        out.append([
            s.cte.replace("_", " ").title(),
            s.time[:10],
            s.time[11:19],
            s.lot_id,
            tlc_gln,
            tlc_name,
            s.product.get("name", "") or lot.get("productId", ""),
            s.gtin,
            qty,
            lot.get("unit", ""),
            gln,
            name,
            address,
            prev_gln,
            prev_name,
            next_gln,
            next_name,
            "; ".join(v.DOC_LABELS.get(d["docType"], (d["docType"],))[0] for d in docs),
            "; ".join(d["docNumber"] for d in docs),
            lot.get("harvestDate", "") if s.kind == "harvest" else "",
            " / ".join(x for x in (farm.get("name"), farm.get("plot")) if x) if s.kind == "harvest" else "",
            inputs or (ev.get("step", "") if s.kind == "process" else ""),
            " / ".join(x for x in (ev.get("carrier"), ev.get("vehicle")) if x) if s.kind == "ship" else "",
            s.actor,
            s.tx_id,
            proof.get("blockNumber", ""),
        ])  # fmt: skip
    return out


def to_csv(table: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(table)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # a BOM: spreadsheet programs read UTF-8 then


def to_xlsx(table: list[list[Any]], title: str = "FSMA 204 traceability records") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "CTE records"
    sheet.append(COLUMNS)
    for row in table:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A1:{last}{max(1, len(table) + 1)}"
    for i, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(name) + 2))
    book.properties.title = title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
