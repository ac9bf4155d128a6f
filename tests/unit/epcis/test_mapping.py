"""The EPCIS / FSMA 204 mapping without a network: identifiers, export, capture planning, spreadsheet."""

from __future__ import annotations

import asyncio
import copy
import io
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from epcis_event_hash_generator.hash_generator import epcis_hashes_from_events
from epcis_event_hash_generator.json_to_py import event_list_from_epcis_document_json

from fabdemo.epcis import capture, export, fsma204
from fabdemo.epcis import vocabulary as v
from fabdemo.epcis.journey import Step
from fabdemo.service import ServiceError

GTIN = "00614141000128"
LOT = {
    "lotId": "L1",
    "productId": "P1",
    "quantity": 90,
    "remainingQuantity": 90,
    "unit": "kg",
    "originMsp": "FarmMSP",
    "harvestDate": "2026-04-05",
    "farm": {"name": "Valley", "location": "Shouguang", "plot": "F7"},
}
PRODUCT = {"productId": "P1", "name": "Lettuce", "gtin": GTIN}


def step(kind: str, cte: str, actor: str, event: dict[str, Any], docs: list | None = None, t: str = "10") -> Step:
    return Step(
        kind,
        cte,
        "L1",
        f"2026-04-05T{t}:00:00.000Z",
        actor,
        {"txId": "a" * 64, **event},
        LOT,
        PRODUCT,
        docs or [],
        {"blockNumber": 7},
    )


STEPS = [
    step("harvest", "HARVESTING", "FarmMSP", {"quantity": 90}, [{"docType": "WORK_ORDER", "docNumber": "WO-1"}], "08"),
    step(
        "ship",
        "SHIPPING",
        "FarmMSP",
        {"fromMsp": "FarmMSP", "toMsp": "ProcessorMSP", "carrier": "ColdLink"},
        [{"docType": "BILL_OF_LADING", "docNumber": "BOL-1"}],
        "09",
    ),
    step("temperature", "", "FarmMSP", {"name": "TemperatureAlert", "celsius": 9.5, "location": "Reefer"}, t="10"),
    step("checkpoint", "", "FarmMSP", {"latitude": 36.86, "longitude": 118.78}, t="11"),
    step(
        "receive",
        "RECEIVING",
        "ProcessorMSP",
        {"fromMsp": "FarmMSP", "toMsp": "ProcessorMSP"},
        [{"docType": "ASN", "docNumber": "ASN-1"}],
        "12",
    ),
    step("process", "COOLING", "ProcessorMSP", {"step": "COOLING"}, t="13"),
    step("process", "INITIAL_PACKING", "ProcessorMSP", {"step": "PACKING"}, t="14"),
    step(
        "split",
        "TRANSFORMATION",
        "ProcessorMSP",
        {"children": [{"lotId": "L1-A", "quantity": 45}, {"lotId": "L1-B", "quantity": 45}]},
        t="15",
    ),
]


def test_locations_have_valid_glns_and_round_trip() -> None:
    locs = v.locations()
    assert set(locs.by_msp) >= {"FarmMSP", "ProcessorMSP", "RetailerMSP"}
    for loc in locs.by_msp.values():
        assert v.valid_gs1_number(loc.gln, 13), loc
        assert locs.msp_of_uri(loc.sgln) == loc.msp_id == locs.msp_of_uri(loc.pgln)
        assert locs.msp_of_uri(f"https://id.gs1.org/414/{loc.gln}") == loc.msp_id
    assert locs.msp_of_uri("urn:epc:id:sgln:0614141.99999.0") is None
    assert v.valid_gs1_number(GTIN, 14) and not v.valid_gs1_number("00614141000129", 14)


def test_export_is_read_by_the_hash_generator() -> None:
    document = export.document(STEPS)
    events = document["epcisBody"]["eventList"]
    assert [e["type"] for e in events] == ["ObjectEvent"] * 6 + ["AggregationEvent", "TransformationEvent"]
    assert events[2]["sensorElementList"][0]["sensorReport"][0] == {
        "type": "gs1:Temperature",
        "value": 9.5,
        "uom": "CEL",
    }
    assert events[2]["fabdemo:inRange"] is False
    assert events[3]["readPoint"] == {"id": "geo:36.86,118.78"}
    assert events[5]["bizStep"] == "storing" and events[6]["parentID"].startswith("urn:epc:id:sscc:0614141.")
    hashes = epcis_hashes_from_events(event_list_from_epcis_document_json(copy.deepcopy(document)))
    assert len(set(hashes)) == len(events)


def test_fsma_rows_have_the_kdes() -> None:
    table = fsma204.rows(STEPS)
    rows = [dict(zip(fsma204.COLUMNS, r, strict=True)) for r in table]
    assert [r["Critical tracking event"] for r in rows] == [
        "Harvesting",
        "Shipping",
        "Receiving",
        "Cooling",
        "Initial Packing",
        "Transformation",
    ]
    harvest, ship, receive = rows[0], rows[1], rows[2]
    assert harvest["TLC source location GLN"] == "0614141100019" and harvest["Farm / field"] == "Valley / F7"
    assert harvest["Reference document type"] == "Work order" and harvest["GTIN"] == GTIN
    assert (
        ship["Immediate subsequent recipient GLN"] == "0614141200016" and ship["Reference document number"] == "BOL-1"
    )
    assert receive["Immediate previous source GLN"] == "0614141100019" and receive["Location GLN"] == "0614141200016"
    assert rows[-1]["Quantity"] == 90 and "L1-A (45)" in rows[-1]["Transformation inputs"]
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(fsma204.to_xlsx(table))).active
    assert [c.value for c in sheet[1]] == fsma204.COLUMNS and sheet.max_row == len(table) + 1


class FakeService:
    """The planner's view of the service: org lookup by key or MSP id, and list_products."""

    ORGS: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {
        "farm": ("FarmMSP", ("grower",)),
        "processor": ("ProcessorMSP", ("processor",)),
        "retail": ("RetailerMSP", ("retailer",)),
    }

    def org(self, key_or_msp: str) -> SimpleNamespace:
        for key, (msp, roles) in self.ORGS.items():
            if key_or_msp in (key, msp):
                return SimpleNamespace(key=key, msp_id=msp, roles=roles)
        raise ServiceError("NOT_FOUND", f"unknown org {key_or_msp}", 404)

    async def query(self, _org: Any, op_id: str, _args: Any = None) -> Any:
        assert op_id == "list_products"
        return [PRODUCT]


def plan(document: Any) -> list[capture.PlannedEvent]:
    return asyncio.run(capture.plan(FakeService(), document))


def test_capture_plans_the_exported_journey() -> None:
    planned = plan(export.document(STEPS))
    ops = [(op.org, op.op_id) for event in planned for op in event.ops]
    assert ops == [
        ("farm", "harvest"), ("farm", "record_document"), ("farm", "propose_transfer"), ("@custodian", "temperature"),
        ("@custodian", "checkpoint"), ("processor", "accept_transfer"), ("processor", "process"),
        ("processor", "process"), ("processor", "split"),
    ]  # fmt: skip
    ship = planned[1].ops[0].args
    assert ship["toMsp"] == "ProcessorMSP" and (ship["docType"], ship["docNumber"]) == ("BILL_OF_LADING", "BOL-1")
    assert planned[7].ops[0].args["childrenJSON"] == [
        {"lotId": "L1-A", "quantity": 45},
        {"lotId": "L1-B", "quantity": 45},
    ]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (lambda d: d.update(type="Nope"), 400, "EPCIS_MALFORMED"),
        (lambda d: d["epcisBody"].update(eventList=[]), 400, "EPCIS_MALFORMED"),
        (lambda d: d["epcisBody"]["eventList"][1].update(bizStep="dancing"), 422, "EPCIS_UNKNOWN_BIZSTEP"),
        (
            lambda d: d["epcisBody"]["eventList"][0].update(
                bizLocation={"id": "urn:epc:id:sgln:0614141.30001.0"}, readPoint={}
            ),
            403,
            "EPCIS_WRONG_ROLE",
        ),
        (
            lambda d: d["epcisBody"]["eventList"][0]["quantityList"][0].update(epcClass="urn:x"),
            422,
            "EPCIS_UNKNOWN_PRODUCT",
        ),
        (lambda d: d["epcisBody"]["eventList"][1].update(destinationList=[]), 422, "EPCIS_UNKNOWN_LOCATION"),
    ],
)
def test_capture_refuses_a_bad_document_whole(change: Any, status: int, code: str) -> None:
    document = export.document(STEPS)
    change(document)
    with pytest.raises(ServiceError) as caught:
        plan(document)
    assert caught.value.http_status == status and caught.value.code == code
    assert caught.value.message and caught.value.message_zh and caught.value.message != caught.value.message_zh


def test_capture_refuses_what_is_not_json() -> None:
    with pytest.raises(ServiceError) as caught:
        plan(b"{not json")
    assert caught.value.http_status == 400 and "JSON" in caught.value.message_zh
