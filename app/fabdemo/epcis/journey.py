"""A lot's journey as steps with their Key Data Elements, read from what the ledger already holds.

One step per traceability event of the contract (harvest, processing, split, shipment, receipt,
temperature reading, GPS checkpoint, sale), each with the FSMA 204 KDEs that apply: traceability lot
code and its source, product and GTIN, quantity and unit, location (GLN and name), date, reference
documents, immediate previous source or next recipient, and the ledger proof (tx id, block).
``export.py`` turns steps into EPCIS events and ``fsma204.py`` into spreadsheet rows; nothing here
writes to the ledger, and every read goes through the service layer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from fabdemo.epcis import vocabulary as v
from fabdemo.service.errors import ServiceError

# contract event -> (kind of step, CTE). ProcessLot's CTE depends on its step.
EVENT_KINDS = {
    "LotHarvested": ("harvest", v.CTE_HARVESTING),
    "LotProcessed": ("process", v.CTE_TRANSFORMATION),
    "LotSplit": ("split", v.CTE_TRANSFORMATION),
    "TransferProposed": ("ship", v.CTE_SHIPPING),
    "TransferAccepted": ("receive", v.CTE_RECEIVING),
    "TemperatureRecorded": ("temperature", ""),
    "TemperatureAlert": ("temperature", ""),
    "CheckpointRecorded": ("checkpoint", ""),
    "LotSold": ("sale", ""),
}
STEP_CTE = {"COOLING": v.CTE_COOLING, "PACKING": v.CTE_INITIAL_PACKING}


@dataclass
class Step:
    kind: str  # harvest | process | split | ship | receive | temperature | checkpoint | sale
    cte: str  # an FSMA 204 CTE, or "" for steps that are not one (readings, checkpoints, sale)
    lot_id: str
    time: str
    actor: str  # MSP id of the org that did it
    event: dict[str, Any]  # the contract event as the ledger holds it
    lot: dict[str, Any]
    product: dict[str, Any]
    documents: list[dict[str, Any]] = field(default_factory=list)
    proof: dict[str, Any] | None = None

    @property
    def gtin(self) -> str:
        return self.product.get("gtin") or ""

    @property
    def tx_id(self) -> str:
        return self.event.get("txId", "")


@dataclass
class LotRecords:
    """What the ledger holds about a lot: the lot, its product, its events and its documents."""

    lot: dict[str, Any]
    product: dict[str, Any]
    events: list[dict[str, Any]]
    documents: list[dict[str, Any]]


async def _maybe(awaitable: Any, default: Any) -> Any:
    try:
        return await awaitable
    except ServiceError as err:
        if err.code == "NOT_FOUND":
            return default
        raise


async def products_by_id(service: Any, org_key: str | None = None) -> dict[str, dict[str, Any]]:
    return {p["productId"]: p for p in await service.query(org_key, "list_products") or []}


async def lot_records(
    service: Any,
    lot_id: str,
    products: dict[str, dict[str, Any]],
    org_key: str | None = None,
    lot: dict[str, Any] | None = None,
) -> LotRecords:
    """``lot``: the lot as a list returned it (its own fields are all the steps need), else read here."""
    events, documents = await asyncio.gather(
        service.query(org_key, "lot_events", {"lotId": lot_id}),
        _maybe(service.query(org_key, "lot_documents", {"lotId": lot_id}), []),
    )
    if lot is None:
        lot = await service.query(org_key, "get_lot", {"lotId": lot_id})
    product = products.get(lot.get("productId", ""), {"productId": lot.get("productId", ""), "name": ""})
    return LotRecords(lot, product, events or [], documents or [])


async def lineage(service: Any, lot_id: str, org_key: str | None = None) -> list[str]:
    """The lot and its ancestors, upstream first (the farm lot before its packages)."""
    trace = await service.query(org_key, "trace", {"lotId": lot_id})
    ancestors = sorted(trace.get("ancestors", []), key=lambda s: -int(s.get("depth", 0)))
    return [*[a["lotId"] for a in ancestors], lot_id]


def steps_of(records: LotRecords, proof_of: Any = None) -> list[Step]:
    """The lot's own steps. A split appears once, on the parent (its event lists the children)."""
    docs_by_tx: dict[str, list[dict[str, Any]]] = {}
    loose: list[dict[str, Any]] = []
    for doc in records.documents:
        docs_by_tx.setdefault(doc.get("txId", ""), []).append(doc)
    steps: list[Step] = []
    for event in records.events:
        kind_cte = EVENT_KINDS.get(event.get("name", ""))
        if kind_cte is None:
            continue
        kind, cte = kind_cte
        if kind == "split" and not event.get("children"):
            continue  # the child's copy of its parent's split
        if kind == "process":
            cte = STEP_CTE.get(event.get("step", ""), v.CTE_TRANSFORMATION)
        step = Step(
            kind, cte, records.lot["lotId"], event.get("timestamp", ""), event.get("actor", ""), event,
            records.lot, records.product, list(docs_by_tx.pop(event.get("txId", ""), [])),
            proof_of(event.get("txId", "")) if proof_of else event.get("proof"),
        )  # fmt: skip
        steps.append(step)
    # documents recorded on their own (RecordReferenceDocument) belong to the latest step of their CTE
    for docs in docs_by_tx.values():
        loose.extend(docs)
    for doc in sorted(loose, key=lambda d: d.get("timestamp", "")):
        same = [s for s in steps if s.cte == doc.get("cte")]
        before = [s for s in same if s.time <= doc.get("timestamp", "")]
        target = (before or same or [None])[-1]
        if target is not None:
            target.documents.append(doc)
    return steps


async def journey(service: Any, lot_id: str, org_key: str | None = None) -> list[Step]:
    """Every step of the lot and its ancestors in time order."""
    products = await products_by_id(service, org_key)
    lots = await lineage(service, lot_id, org_key)
    records = await asyncio.gather(*(lot_records(service, lid, products, org_key) for lid in lots))
    proof_of = getattr(getattr(service, "follower", None), "proof", None)
    steps = [s for r in records for s in steps_of(r, proof_of)]
    return sorted(steps, key=lambda s: (s.time, s.event.get("seq", 0)))


async def journeys(
    service: Any,
    *,
    product_id: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    org_key: str | None = None,
    concurrency: int = 16,
) -> list[Step]:
    """The steps of every lot (of one product), in a date range (YYYY-MM-DD, inclusive)."""
    products = await products_by_id(service, org_key)
    lots = await service.query(org_key, "list_lots") or []
    chosen = [lot for lot in lots if not product_id or lot.get("productId") == product_id]
    gate = asyncio.Semaphore(concurrency)

    async def one(lot: dict[str, Any]) -> LotRecords:
        async with gate:
            return await lot_records(service, lot["lotId"], products, org_key, lot)

    proof_of = getattr(getattr(service, "follower", None), "proof", None)
    records = await asyncio.gather(*(one(lot) for lot in chosen))
    steps = [s for r in records for s in steps_of(r, proof_of)]
    if date_from:
        steps = [s for s in steps if s.time[:10] >= date_from]
    if date_to:
        steps = [s for s in steps if s.time[:10] <= date_to]
    return sorted(steps, key=lambda s: (s.time, s.lot_id, s.event.get("seq", 0)))
