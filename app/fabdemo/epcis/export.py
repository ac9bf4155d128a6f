"""EPCIS 2.0 out: a lot's journey (journey.py) as a JSON-LD EPCISDocument.

    harvest               ObjectEvent ADD, commissioning, ILMD with the lot's master data
    processing (wash...)  TransformationEvent, commissioning, input and output quantity lists
    cooling               ObjectEvent OBSERVE, storing
    packing               AggregationEvent ADD, packing (the lot into a logistic unit, SSCC)
    split                 TransformationEvent, repackaging (parent in, packages out)
    shipment / receipt    ObjectEvent OBSERVE, shipping / receiving, source and destination lists
    temperature           ObjectEvent OBSERVE, sensor_reporting, sensorElementList (gs1:Temperature, CEL)
    GPS checkpoint        ObjectEvent OBSERVE, transporting, readPoint as a geo: URI
    sale                  ObjectEvent OBSERVE, retail_selling, retail_sold

Every event carries its ledger proof (fabdemo:txId, fabdemo:blockNumber) and the org that signed it
(fabdemo:actor) in the kit's own namespace; reference documents become the bizTransactionList.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from fabdemo.epcis import vocabulary as v
from fabdemo.epcis.journey import Step

_EVENT_NS = uuid.UUID("7d1c5f7e-6a0b-4f0e-9a51-3c1f2b8e9d40")
K = v.KIT_PREFIX


def document(steps: list[Step], *, created: str | None = None) -> dict[str, Any]:
    """An EPCISDocument of the steps that EPCIS has an event for, in time order."""
    events = [e for e in (event(s) for s in steps) if e is not None]
    return {
        "@context": [v.EPCIS_CONTEXT, {K: v.KIT_NAMESPACE}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "epcisBody": {"eventList": events},
    }


def lot_class(step: Step, lot_id: str | None = None) -> str:
    lot_id = lot_id or step.lot_id
    if step.gtin:
        return v.lot_class_uri(step.gtin, lot_id)
    return f"{v.product_class_uri(step.product['productId'])}/lot/{lot_id}"


def quantity(step: Step, amount: float | None = None, lot_id: str | None = None) -> dict[str, Any]:
    unit = step.lot.get("unit", "")
    item: dict[str, Any] = {
        "epcClass": lot_class(step, lot_id),
        "quantity": amount if amount is not None else step.lot.get("quantity", 0),
    }
    uom = v.UNIT_TO_UOM.get(unit.lower())
    if uom:
        item["uom"] = uom
    return item


def _site(msp: str) -> dict[str, str] | None:
    loc = v.locations().of(msp)
    return {"id": loc.sgln} if loc else None


def _parties(kind: str, msp: str) -> list[dict[str, str]]:
    loc = v.locations().of(msp)
    if loc is None:
        return []
    return [{"type": "owning_party", kind: loc.pgln}, {"type": "location", kind: loc.sgln}]


def _documents(step: Step) -> list[dict[str, str]]:
    out = []
    owner = v.locations().of(step.actor)
    for doc in step.documents:
        gln = owner.gln if owner else "0000000000000"
        out.append(
            {
                "type": v.DOC_TYPE_TO_BTT.get(doc["docType"], "testprd"),
                "bizTransaction": f"urn:epcglobal:cbv:bt:{gln}:{doc['docNumber']}",
            }
        )
    return out


def _sscc(step: Step) -> str:
    """A stable SSCC for the logistic unit a lot is packed into (from the processor's prefix)."""
    loc = v.locations().of(step.actor)
    prefix = loc.gln[: loc.prefix_length] if loc else "0614141"
    serial = str(int(hashlib.sha256(f"{step.lot_id}/{step.tx_id}".encode()).hexdigest(), 16))[: 16 - len(prefix)]
    return f"urn:epc:id:sscc:{prefix}.0{serial}"


def _common(step: Step, etype: str, biz_step: str) -> dict[str, Any]:
    proof = step.proof or {}
    out: dict[str, Any] = {
        "type": etype,
        "eventID": f"urn:uuid:{uuid.uuid5(_EVENT_NS, f'{step.tx_id}/{step.lot_id}/{step.kind}')}",
        "eventTime": step.time,
        "eventTimeZoneOffset": "+00:00",
    }
    if etype in ("ObjectEvent", "AggregationEvent"):
        out["action"] = "ADD" if (step.kind == "harvest" or etype == "AggregationEvent") else "OBSERVE"
    out["bizStep"] = biz_step
    out[f"{K}:lotId"] = step.lot_id
    out[f"{K}:actor"] = step.actor
    out[f"{K}:txId"] = step.tx_id
    if proof.get("blockNumber") is not None:
        out[f"{K}:blockNumber"] = proof["blockNumber"]
    return out


def _place(out: dict[str, Any], msp: str) -> None:
    site = _site(msp)
    if site:
        out["readPoint"] = dict(site)
        out["bizLocation"] = dict(site)


def event(step: Step) -> dict[str, Any] | None:
    ev = step.event
    if step.kind == "harvest":
        out = _common(step, "ObjectEvent", "commissioning")
        out["disposition"] = "active"
        out["quantityList"] = [quantity(step, ev.get("quantity", step.lot.get("quantity")))]
        _place(out, step.actor)
        farm = step.lot.get("farm") or {}
        out["ilmd"] = {
            "cbvmda:lotNumber": step.lot_id,
            "cbvmda:harvestStartDate": step.lot.get("harvestDate", ""),
            f"{K}:productId": step.product.get("productId", ""),
            f"{K}:productName": step.product.get("name", ""),
            f"{K}:variety": step.lot.get("variety", ""),
            f"{K}:farmName": farm.get("name", ""),
            f"{K}:farmLocation": farm.get("location", ""),
            f"{K}:plot": farm.get("plot", ""),
        }
    elif step.kind == "process" and ev.get("step") == "PACKING":
        out = _common(step, "AggregationEvent", "packing")
        out["parentID"] = _sscc(step)
        out["childQuantityList"] = [quantity(step)]
        out["disposition"] = "in_progress"
        _place(out, step.actor)
        out[f"{K}:step"] = "PACKING"
        out[f"{K}:notes"] = ev.get("notes", "")
    elif step.kind == "process" and ev.get("step") == "COOLING":
        out = _common(step, "ObjectEvent", "storing")
        out["disposition"] = "in_progress"
        out["quantityList"] = [quantity(step)]
        _place(out, step.actor)
        out[f"{K}:step"] = "COOLING"
        out[f"{K}:notes"] = ev.get("notes", "")
    elif step.kind == "process":
        out = _common(step, "TransformationEvent", "commissioning")
        out["inputQuantityList"] = [quantity(step)]
        out["outputQuantityList"] = [quantity(step)]
        out["disposition"] = "in_progress"
        _place(out, step.actor)
        out[f"{K}:step"] = ev.get("step", "OTHER")
        out[f"{K}:notes"] = ev.get("notes", "")
    elif step.kind == "split":
        children = ev.get("children") or []
        out = _common(step, "TransformationEvent", "repackaging")
        out["inputQuantityList"] = [quantity(step, sum(float(c["quantity"]) for c in children))]
        out["outputQuantityList"] = [quantity(step, c["quantity"], c["lotId"]) for c in children]
        out["disposition"] = "active"
        _place(out, step.actor)
    elif step.kind == "ship":
        out = _common(step, "ObjectEvent", "shipping")
        out["disposition"] = "in_transit"
        out["quantityList"] = [quantity(step, step.lot.get("remainingQuantity") or step.lot.get("quantity"))]
        _place(out, ev.get("fromMsp", step.actor))
        out["sourceList"] = _parties("source", ev.get("fromMsp", step.actor))
        out["destinationList"] = _parties("destination", ev.get("toMsp", ""))
        for name in ("carrier", "vehicle", "route"):
            if ev.get(name):
                out[f"{K}:{name}"] = ev[name]
    elif step.kind == "receive":
        out = _common(step, "ObjectEvent", "receiving")
        out["disposition"] = "in_progress"
        out["quantityList"] = [quantity(step, step.lot.get("remainingQuantity") or step.lot.get("quantity"))]
        _place(out, ev.get("toMsp", step.actor))
        out["sourceList"] = _parties("source", ev.get("fromMsp", ""))
        out["destinationList"] = _parties("destination", ev.get("toMsp", step.actor))
    elif step.kind == "temperature":
        out = _common(step, "ObjectEvent", "sensor_reporting")
        out["quantityList"] = [quantity(step)]
        report: dict[str, Any] = {"type": "gs1:Temperature", "value": ev.get("celsius"), "uom": "CEL"}
        if ev.get("count", 1) > 1:  # a batch: one event with the first breach (or last reading) and the range
            report.update(minValue=ev.get("lowestCelsius"), maxValue=ev.get("highestCelsius"))
        out["sensorElementList"] = [{"sensorMetadata": {"time": step.time}, "sensorReport": [report]}]
        if ev.get("location"):
            out[f"{K}:location"] = ev["location"]
        out[f"{K}:inRange"] = ev.get("name") != "TemperatureAlert"
    elif step.kind == "checkpoint":
        out = _common(step, "ObjectEvent", "transporting")
        out["quantityList"] = [quantity(step)]
        out["readPoint"] = {"id": f"geo:{ev.get('latitude')},{ev.get('longitude')}"}
        for name in ("location", "note"):
            if ev.get(name):
                out[f"{K}:{name}"] = ev[name]
    elif step.kind == "sale":
        out = _common(step, "ObjectEvent", "retail_selling")
        out["disposition"] = "retail_sold"
        out["quantityList"] = [quantity(step)]
        _place(out, step.actor)
        if ev.get("store"):
            out[f"{K}:store"] = ev["store"]
    else:
        return None
    docs = _documents(step)
    if docs:
        out["bizTransactionList"] = docs
    return out
