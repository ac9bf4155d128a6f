"""EPCIS 2.0 in: an EPCISDocument from an existing system becomes contract operations.

Two phases. ``plan`` reads the whole document and maps every event to the catalogue operations it
stands for, each with the org that acts (from the event's location GLN, or the lot's custodian for
sensor and GPS events that name no site), checks the arguments with the catalogue and the org's role
with the operation's roles. Any problem (malformed JSON, an unknown business step, an unknown location,
a wrong role) refuses the whole document with a bilingual 4xx before anything is written. ``apply``
then runs the plan in document order through ``LedgerService.perform``, the same code path as the UI.
An event is one transaction where the contract allows it (a shipment with its bill of lading, a receipt
with its ASN, a batch of readings); the outcome is reported per event.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import biip

from fabdemo.epcis import vocabulary as v
from fabdemo.service.catalogue import get_operation, validate_args
from fabdemo.service.errors import ServiceError

K = v.KIT_PREFIX + ":"
EVENT_TYPES = {"ObjectEvent", "AggregationEvent", "TransformationEvent", "AssociationEvent", "TransactionEvent"}
CUSTODIAN = "@custodian"  # act as the lot's custodian (read from the ledger when the event is applied)


def _error(code: str, status: int, en: str, zh: str, index: int | None = None) -> ServiceError:
    where = f"event {index}: " if index is not None else ""
    where_zh = f"第 {index} 个事件：" if index is not None else ""
    return ServiceError(
        code, where + en, status, message_zh=where_zh + zh, field="eventList" if index is not None else None
    )


@dataclass
class PlannedOp:
    org: str  # org key, or CUSTODIAN
    op_id: str
    args: dict[str, Any]
    lot_id: str


@dataclass
class PlannedEvent:
    index: int
    event_id: str
    biz_step: str
    ops: list[PlannedOp] = field(default_factory=list)


# -- reading the document ------------------------------------------------------------------------
def event_list(body: Any) -> list[dict[str, Any]]:
    """The events of an EPCISDocument (or an EPCISQueryDocument), or a 400 that says what is wrong."""
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except ValueError as err:
            raise _error(
                "EPCIS_MALFORMED", 400, f"the body is not JSON ({err})", f"请求内容不是 JSON（{err}）"
            ) from None
    if not isinstance(body, dict) or body.get("type") not in ("EPCISDocument", "EPCISQueryDocument"):
        raise _error(
            "EPCIS_MALFORMED",
            400,
            "the body must be an EPCIS 2.0 EPCISDocument (type: EPCISDocument)",
            "请求内容必须是 EPCIS 2.0 EPCISDocument（type: EPCISDocument）",
        )
    epcis_body = body.get("epcisBody")
    events = None
    if isinstance(epcis_body, dict):
        events = epcis_body.get("eventList")
        if events is None and isinstance(epcis_body.get("event"), dict):
            events = [epcis_body["event"]]
        if events is None and isinstance(epcis_body.get("queryResults"), dict):
            events = (epcis_body["queryResults"].get("resultsBody") or {}).get("eventList")
    if not isinstance(events, list) or not events:
        raise _error(
            "EPCIS_MALFORMED",
            400,
            "epcisBody.eventList must be a non-empty list of events",
            "epcisBody.eventList 必须是非空的事件列表",
        )
    if len(events) > 500:
        raise _error("EPCIS_MALFORMED", 413, "at most 500 events per capture", "每次采集最多 500 个事件")
    for i, ev in enumerate(events):
        if not isinstance(ev, dict) or ev.get("type") not in EVENT_TYPES:
            raise _error(
                "EPCIS_MALFORMED",
                400,
                "not an EPCIS event (type ObjectEvent, AggregationEvent, ...)",
                "不是 EPCIS 事件（type 须为 ObjectEvent、AggregationEvent 等）",
                i,
            )
        if not isinstance(ev.get("eventTime"), str):
            raise _error("EPCIS_MALFORMED", 400, "eventTime is required", "缺少 eventTime", i)
    return events


def biz_step_of(event: dict[str, Any]) -> str:
    """The bare CBV word of bizStep in any of its spellings (word, CBV URN, CBV web URI, cbv: CURIE)."""
    raw = event.get("bizStep") or ""
    if not isinstance(raw, str):
        return ""
    for prefix in (
        "urn:epcglobal:cbv:bizstep:",
        "https://ref.gs1.org/cbv/BizStep-",
        "https://gs1.org/voc/BizStep-",
        "cbv:BizStep-",
        "gs1:BizStep-",
    ):
        if raw.startswith(prefix):
            return raw[len(prefix) :]
    return raw


def lot_of_class(uri: Any, products: dict[str, dict[str, Any]], index: int) -> tuple[str, str]:
    """(productId, lotId) of a lot class: Digital Link /01/{gtin}/10/{lot}, LGTIN URN or the kit's URI."""
    if not isinstance(uri, str):
        raise _error("EPCIS_MALFORMED", 400, "a quantity element needs an epcClass", "数量元素缺少 epcClass", index)
    by_gtin = {p.get("gtin"): pid for pid, p in products.items() if p.get("gtin")}
    gtin = lot = ""
    if uri.startswith("urn:epc:class:lgtin:"):
        parts = uri.split(":", 4)[4].split(".", 2)
        if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
            body = parts[1][:1] + parts[0] + parts[1][1:]
            gtin, lot = body + v.check_digit(body), unquote(parts[2])
    elif uri.startswith(f"{v.KIT_NAMESPACE}product/") and "/lot/" in uri:
        pid, lot = uri[len(f"{v.KIT_NAMESPACE}product/") :].split("/lot/", 1)
        if unquote(pid) in products:
            return unquote(pid), unquote(lot)
    elif "/01/" in uri:
        result = biip.parse(uri)
        link = result.gs1_digital_link_uri
        strings = {e.ai.ai: e for e in link.element_strings} if link else {}
        if "01" in strings and strings["01"].gtin is not None and "10" in strings:
            gtin, lot = strings["01"].gtin.value.zfill(14), strings["10"].value
    if not gtin or not lot:
        raise _error(
            "EPCIS_UNKNOWN_PRODUCT",
            422,
            f"{uri} is not a lot class (GS1 Digital Link with GTIN and lot, or an LGTIN)",
            f"{uri} 不是批次类标识（须为含 GTIN 与批号的 GS1 数字链接或 LGTIN）",
            index,
        )
    if gtin not in by_gtin:
        raise _error(
            "EPCIS_UNKNOWN_PRODUCT",
            422,
            f"no product on the ledger has GTIN {gtin}",
            f"账本上没有 GTIN 为 {gtin} 的产品",
            index,
        )
    return by_gtin[gtin], lot


def _quantities(event: dict[str, Any], key: str, products: dict[str, dict[str, Any]], index: int) -> list[dict]:
    out = []
    for item in event.get(key) or []:
        if not isinstance(item, dict):
            raise _error("EPCIS_MALFORMED", 400, f"{key} must list objects", f"{key} 必须是对象列表", index)
        product_id, lot_id = lot_of_class(item.get("epcClass"), products, index)
        out.append({"productId": product_id, "lotId": lot_id, "quantity": item.get("quantity"), "uom": item.get("uom")})
    return out


def _site_org(event: dict[str, Any], *lists: tuple[str, str]) -> str | None:
    """The MSP id of the org at the event's location: bizLocation, readPoint, then the given lists."""
    locs = v.locations()
    for key in ("bizLocation", "readPoint"):
        place = event.get(key)
        if isinstance(place, dict) and (msp := locs.msp_of_uri(place.get("id", ""))):
            return msp
    for list_key, item_key in lists:
        for item in event.get(list_key) or []:
            if isinstance(item, dict) and (msp := locs.msp_of_uri(item.get(item_key, ""))):
                return msp
    return None


def _party(event: dict[str, Any], list_key: str, item_key: str) -> str | None:
    locs = v.locations()
    for item in event.get(list_key) or []:
        if isinstance(item, dict) and (msp := locs.msp_of_uri(item.get(item_key, ""))):
            return msp
    return None


def _documents(event: dict[str, Any], index: int) -> list[tuple[str, str]]:
    docs = []
    for item in event.get("bizTransactionList") or []:
        if not isinstance(item, dict) or not isinstance(item.get("bizTransaction"), str):
            raise _error(
                "EPCIS_MALFORMED",
                400,
                "bizTransactionList entries need a bizTransaction URI",
                "bizTransactionList 的条目须含 bizTransaction URI",
                index,
            )
        btt = str(item.get("type", "")).rsplit(":", 1)[-1].rsplit("-", 1)[-1] or "testprd"
        uri = item["bizTransaction"]
        number = (
            uri.split(":", 5)[5]
            if uri.startswith("urn:epcglobal:cbv:bt:") and uri.count(":") >= 5
            else (uri.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1])
        )
        docs.append((v.BTT_TO_DOC_TYPE.get(btt, "OTHER"), unquote(number)[:128]))
    return docs


# -- planning -------------------------------------------------------------------------------------
class Planner:
    def __init__(self, service: Any, products: dict[str, dict[str, Any]]) -> None:
        self.service = service
        self.products = products

    def _org_key(self, msp: str | None, index: int) -> str:
        if msp is None:
            return CUSTODIAN
        try:
            return self.service.org(msp).key
        except ServiceError:
            raise _error(
                "EPCIS_UNKNOWN_LOCATION",
                422,
                f"{msp} (by its GLN) is not a member of the channel",
                f"{msp}（按其 GLN）不是通道成员",
                index,
            ) from None

    def _op(self, planned: PlannedEvent, org: str, op_id: str, args: dict[str, Any], lot_id: str) -> None:
        op = get_operation(op_id)
        try:
            clean = validate_args(op, args)
        except ServiceError as err:
            err.message = f"event {planned.index}: {err.message}"
            err.message_zh = f"第 {planned.index} 个事件：{err.message_zh}"
            raise
        if org != CUSTODIAN and op.roles:
            roles = set(self.service.org(org).roles)
            if not roles & set(op.roles):
                msp = self.service.org(org).msp_id
                raise _error(
                    "EPCIS_WRONG_ROLE",
                    403,
                    f"{planned.biz_step} at {msp}'s location means {op.label_en}, which needs the "
                    f"{' or '.join(op.roles)} role; {msp} holds {', '.join(sorted(roles)) or 'none'}",
                    f"{msp} 所在地的 {planned.biz_step} 事件对应“{op.label_zh}”，需要 {'或'.join(op.roles)} 角色；"
                    f"{msp} 拥有的角色：{'、'.join(sorted(roles)) or '无'}",
                    planned.index,
                )
        planned.ops.append(PlannedOp(org, op_id, clean, lot_id))

    def _processing(
        self,
        planned: PlannedEvent,
        ev: dict[str, Any],
        index: int,
        lot_id: str,
        step: str,
        cte: str,
        docs: list[tuple[str, str]],
    ) -> None:
        """A processing step at the event's site (packing, cooling) and the documents it names."""
        org = self._org_key(_site_org(ev), index)
        self._op(planned, org, "process", {"lotId": lot_id, "step": step, "notes": ev.get(K + "notes", "")}, lot_id)
        self._docs(planned, org, lot_id, cte, docs)

    def _docs(self, planned: PlannedEvent, org: str, lot_id: str, cte: str, docs: list[tuple[str, str]]) -> None:
        for doc_type, number in docs:
            self._op(
                planned,
                org,
                "record_document",
                {"lotId": lot_id, "cte": cte, "docType": doc_type, "docNumber": number},
                lot_id,
            )

    def plan_event(self, index: int, ev: dict[str, Any]) -> PlannedEvent:
        step = biz_step_of(ev)
        etype = ev["type"]
        planned = PlannedEvent(index, str(ev.get("eventID", "")), step)
        docs = _documents(ev, index)
        if etype == "ObjectEvent" or etype == "AggregationEvent":
            items = _quantities(
                ev, "childQuantityList" if etype == "AggregationEvent" else "quantityList", self.products, index
            )
            if not items:
                raise _error(
                    "EPCIS_MALFORMED",
                    400,
                    "the event names no lot (quantityList with a lot class)",
                    "事件没有指明批次（quantityList 中的批次类标识）",
                    index,
                )
            first = items[0]
            lot_id = first["lotId"]
            if etype == "AggregationEvent" and step == "packing":
                self._processing(planned, ev, index, lot_id, "PACKING", v.CTE_INITIAL_PACKING, docs)
            elif etype == "ObjectEvent" and step == "commissioning" and ev.get("action") == "ADD":
                org = self._org_key(_site_org(ev), index)
                ilmd = ev.get("ilmd") if isinstance(ev.get("ilmd"), dict) else {}
                loc = v.locations().of(self.service.org(org).msp_id) if org != CUSTODIAN else None
                args = {
                    "lotId": lot_id,
                    "productId": first["productId"],
                    "variety": ilmd.get(K + "variety", ""),
                    "quantity": first["quantity"],
                    "unit": v.UOM_TO_UNIT.get(str(first["uom"] or "KGM"), str(first["uom"] or "kg")),
                    "farmName": ilmd.get(K + "farmName") or (loc.name if loc else ""),
                    "farmLocation": ilmd.get(K + "farmLocation") or (loc.address if loc else ""),
                    "plot": ilmd.get(K + "plot", ""),
                    "harvestDate": ilmd.get("cbvmda:harvestStartDate") or ev["eventTime"][:10],
                }
                self._op(planned, org, "harvest", args, lot_id)
                self._docs(planned, org, lot_id, v.CTE_HARVESTING, docs)
            elif step == "storing":
                self._processing(planned, ev, index, lot_id, "COOLING", v.CTE_COOLING, docs)
            elif step == "shipping":
                org = self._org_key(_site_org(ev, ("sourceList", "source")), index)
                to = _party(ev, "destinationList", "destination")
                if to is None:
                    raise _error(
                        "EPCIS_UNKNOWN_LOCATION",
                        422,
                        "a shipping event needs a destinationList with a known party or location GLN",
                        "发货事件需要含已知参与方或地点 GLN 的 destinationList",
                        index,
                    )
                first_doc, rest = (docs[0], docs[1:]) if docs else (("", ""), [])
                self._op(
                    planned,
                    org,
                    "propose_transfer",
                    {
                        "lotId": lot_id,
                        "toMsp": to,
                        "carrier": ev.get(K + "carrier", ""),
                        "vehicle": ev.get(K + "vehicle", ""),
                        "route": ev.get(K + "route", ""),
                        "docType": first_doc[0],
                        "docNumber": first_doc[1],
                    },
                    lot_id,
                )
                self._docs(planned, org, lot_id, v.CTE_SHIPPING, rest)
            elif step == "receiving":
                org = self._org_key(_site_org(ev, ("destinationList", "destination")), index)
                first_doc, rest = (docs[0], docs[1:]) if docs else (("", ""), [])
                # documents beyond the first go in before the receipt: the pending receiver may record them
                self._docs(planned, org, lot_id, v.CTE_RECEIVING, rest)
                self._op(
                    planned,
                    org,
                    "accept_transfer",
                    {"lotId": lot_id, "docType": first_doc[0], "docNumber": first_doc[1]},
                    lot_id,
                )
            elif step == "sensor_reporting":
                org = self._org_key(_site_org(ev), index)
                readings = []
                for element in ev.get("sensorElementList") or []:
                    for report in (element or {}).get("sensorReport") or []:
                        kind = str(report.get("type", "")).rsplit(":", 1)[-1].rsplit("/", 1)[-1]
                        if kind != "Temperature" or not isinstance(report.get("value"), int | float):
                            continue
                        value = float(report["value"])
                        if report.get("uom") == "FAH":
                            value = round((value - 32) * 5 / 9, 2)
                        readings.append(value)
                if not readings:
                    raise _error(
                        "EPCIS_MALFORMED",
                        400,
                        "a sensor_reporting event needs a gs1:Temperature reading",
                        "sensor_reporting 事件需要 gs1:Temperature 读数",
                        index,
                    )
                for value in readings:
                    self._op(
                        planned,
                        org,
                        "temperature",
                        {"lotId": lot_id, "celsius": value, "location": ev.get(K + "location", "")},
                        lot_id,
                    )
            elif step == "transporting":
                org = self._org_key(_site_org(ev), index)
                point = (ev.get("readPoint") or {}).get("id", "")
                try:
                    lat, lon = (float(x) for x in point.removeprefix("geo:").split(";")[0].split(",")[:2])
                except ValueError:
                    raise _error(
                        "EPCIS_MALFORMED",
                        400,
                        "a transporting event needs readPoint geo:lat,lon",
                        "transporting 事件需要 readPoint geo:纬度,经度",
                        index,
                    ) from None
                self._op(
                    planned,
                    org,
                    "checkpoint",
                    {
                        "lotId": lot_id,
                        "latitude": lat,
                        "longitude": lon,
                        "location": ev.get(K + "location", ""),
                        "note": ev.get(K + "note", ""),
                    },
                    lot_id,
                )
            elif step == "retail_selling":
                org = self._org_key(_site_org(ev), index)
                loc = v.locations().of(self.service.org(org).msp_id) if org != CUSTODIAN else None
                self._op(
                    planned,
                    org,
                    "mark_sold",
                    {"lotId": lot_id, "store": ev.get(K + "store") or (loc.name if loc else "store")},
                    lot_id,
                )
            else:
                raise self._unknown(step, etype, index)
        elif etype == "TransformationEvent":
            inputs = _quantities(ev, "inputQuantityList", self.products, index)
            outputs = _quantities(ev, "outputQuantityList", self.products, index)
            if len(inputs) != 1 or not outputs:
                raise _error(
                    "EPCIS_UNSUPPORTED",
                    422,
                    "a TransformationEvent here has one input lot and its outputs",
                    "此处的 TransformationEvent 须有一个输入批次及其输出",
                    index,
                )
            lot_id = inputs[0]["lotId"]
            org = self._org_key(_site_org(ev), index)
            if [o["lotId"] for o in outputs] == [lot_id]:
                step_name = ev.get(K + "step") or "OTHER"
                self._op(
                    planned,
                    org,
                    "process",
                    {"lotId": lot_id, "step": step_name, "notes": ev.get(K + "notes", "")},
                    lot_id,
                )
            else:
                children = ", ".join(f"{o['lotId']}:{o['quantity']}" for o in outputs)
                self._op(planned, org, "split", {"parentId": lot_id, "childrenJSON": children}, lot_id)
            self._docs(planned, org, lot_id, v.CTE_TRANSFORMATION, docs)
        else:
            raise self._unknown(step, etype, index)
        return planned

    @staticmethod
    def _unknown(step: str, etype: str, index: int) -> ServiceError:
        known = ", ".join(sorted(v.BIZ_STEPS))
        return _error(
            "EPCIS_UNKNOWN_BIZSTEP",
            422,
            f"business step {step!r} of a {etype} has no contract operation here (known: {known})",
            f"{etype} 的业务步骤 {step!r} 没有对应的合约操作（已知：{known}）",
            index,
        )


async def plan(service: Any, body: Any, org_key: str | None = None) -> list[PlannedEvent]:
    events = event_list(body)
    products = {p["productId"]: p for p in await service.query(org_key, "list_products") or []}
    planner = Planner(service, products)
    return [planner.plan_event(i, ev) for i, ev in enumerate(events)]


# -- applying -------------------------------------------------------------------------------------
async def apply_event(service: Any, planned: PlannedEvent) -> dict[str, Any]:
    done: list[dict[str, Any]] = []
    try:
        for op in planned.ops:
            org = op.org
            if org == CUSTODIAN:
                lot = await service.query(None, "get_lot", {"lotId": op.lot_id})
                org = service.org(lot["custodian"]).key
            outcome = await service.perform(org, op.op_id, op.args)
            proof = outcome.get("proof") or {}
            done.append(
                {"operation": op.op_id, "org": org, "txId": proof.get("txId"), "blockNumber": proof.get("blockNumber")}
            )
    except ServiceError as err:
        return {
            "index": planned.index,
            "eventID": planned.event_id,
            "bizStep": planned.biz_step,
            "status": "failed",
            "applied": done,
            "error": err.to_dict(),
        }
    return {
        "index": planned.index,
        "eventID": planned.event_id,
        "bizStep": planned.biz_step,
        "status": "applied",
        "applied": done,
    }


@dataclass
class CaptureJob:
    capture_id: str
    created: str
    total: int
    running: bool = True
    events: list[dict[str, Any]] = field(default_factory=list)
    finished: str | None = None

    def to_dict(self) -> dict[str, Any]:
        failed = [e for e in self.events if e["status"] == "failed"]
        return {
            "captureID": self.capture_id,
            "createdAt": self.created,
            "finishedAt": self.finished,
            "running": self.running,
            "success": (not self.running) and not failed,
            "captureErrorBehaviour": "proceed",
            "eventCount": self.total,
            "appliedCount": sum(1 for e in self.events if e["status"] == "applied"),
            "errors": failed,
            "events": self.events,
        }


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class CaptureJobs:
    """Captures of this process: planned at once, applied in the background, kept for reading."""

    def __init__(self, keep: int = 200) -> None:
        self.jobs: dict[str, CaptureJob] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.keep = keep

    async def submit(self, service: Any, body: Any) -> CaptureJob:
        planned = await plan(service, body)  # raises 4xx: nothing written
        job = CaptureJob(secrets.token_hex(8), _now(), len(planned))
        self.jobs[job.capture_id] = job
        while len(self.jobs) > self.keep:
            self.jobs.pop(next(iter(self.jobs)))
        task = asyncio.create_task(self._run(service, job, planned))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return job

    async def _run(self, service: Any, job: CaptureJob, planned: list[PlannedEvent]) -> None:
        try:
            for event in planned:
                job.events.append(await apply_event(service, event))
        finally:
            job.running = False
            job.finished = _now()

    def get(self, capture_id: str) -> CaptureJob | None:
        return self.jobs.get(capture_id)
