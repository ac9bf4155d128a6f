"""GS1 EPCIS 2.0 out and in, GS1 Digital Link and the FSMA 204 spreadsheet, on the real network.

The EPCIS documents are read by a consumer nobody here wrote (``epcis-event-hash-generator``), and the
round trip captures an exported journey under fresh lot ids through ``POST /epcis/capture``.
"""

from __future__ import annotations

import copy
import io
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from epcis_event_hash_generator.hash_generator import epcis_hashes_from_events
from epcis_event_hash_generator.json_to_py import event_list_from_epcis_document_json

from tests.api.test_api import define_product, expect_error, perform

GTIN = "00614141000982"


def _product(api: httpx.Client) -> str:
    product = "PRD-EPCIS"
    define_product(api, product, "EPCIS lettuce", 1, 6)
    response = api.post(
        "/api/operations/assign_gtin", json={"org": "farm", "args": {"productId": product, "gtin": GTIN}}
    )
    assert response.status_code in (200, 409), response.text
    return product


def _harvested(api: httpx.Client, product: str, prefix: str, quantity: float) -> str:
    """A new farm lot of ``quantity`` kg; returns its id."""
    lot = f"{prefix}-{uuid.uuid4().hex[:8]}"
    perform(api, "farm", "harvest", lotId=lot, productId=product, quantity=quantity, unit="kg",
            farmName="Valley Farm", harvestDate="2026-04-05")  # fmt: skip
    return lot


def _journey(api: httpx.Client, product: str) -> tuple[str, str]:
    """A farm lot all the way to a sold package; returns (farm lot, package)."""
    lot = _harvested(api, product, "EP", 90)
    perform(api, "farm", "record_document", lotId=lot, cte="HARVESTING", docType="WORK_ORDER", docNumber="WO-1")
    perform(api, "farm", "propose_transfer", lotId=lot, toMsp="ProcessorMSP", carrier="ColdLink", vehicle="LU-1",
            route="Farm -> Plant", docType="BILL_OF_LADING", docNumber="BOL-1")  # fmt: skip
    perform(api, "farm", "temperature", lotId=lot, celsius=3.5, location="Reefer LU-1")
    perform(api, "farm", "checkpoint", lotId=lot, latitude=36.86, longitude=118.78, location="G20", note="ok")
    perform(api, "processor", "accept_transfer", lotId=lot, docType="ASN", docNumber="ASN-1")
    perform(api, "processor", "process", lotId=lot, step="WASHING", notes="washed")
    perform(api, "processor", "process", lotId=lot, step="PACKING", notes="bags")
    perform(api, "processor", "split", parentId=lot, childrenJSON=f"{lot}-A:45, {lot}-B:45")
    perform(api, "processor", "propose_transfer", lotId=f"{lot}-A", toMsp="RetailerMSP", docType="BILL_OF_LADING",
            docNumber="BOL-2")  # fmt: skip
    perform(api, "retail", "accept_transfer", lotId=f"{lot}-A", docType="INVOICE", docNumber="INV-9")
    perform(api, "retail", "mark_sold", lotId=f"{lot}-A", store="CityMart Chaoyang")
    return lot, f"{lot}-A"


@pytest.fixture(scope="module")
def journey(api: httpx.Client) -> tuple[str, str, str]:
    product = _product(api)
    lot, package = _journey(api, product)
    return product, lot, package


def _hashes(document: dict[str, Any]) -> list[str]:
    # the library logs and skips an event it cannot read: one hash per event means it read them all
    return epcis_hashes_from_events(event_list_from_epcis_document_json(copy.deepcopy(document)))


def _wait_capture(api: httpx.Client, response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = api.get(location).json()
        if not status["running"]:
            return status
        time.sleep(0.3)
    raise AssertionError(f"capture {location} still running")


def _names(api: httpx.Client, lot_id: str) -> list[str]:
    wanted = {"LotHarvested", "TransferProposed", "TransferAccepted", "LotProcessed", "LotSplit", "LotSold",
              "TemperatureRecorded", "CheckpointRecorded"}  # fmt: skip
    return [e["name"] for e in api.get(f"/api/lots/{lot_id}/events").json()["events"] if e["name"] in wanted]


def test_lot_as_epcis_document(api: httpx.Client, journey: tuple[str, str, str]) -> None:
    _, lot, package = journey
    response = api.get(f"/api/lots/{package}/epcis")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    assert document["type"] == "EPCISDocument" and document["schemaVersion"] == "2.0"
    events = document["epcisBody"]["eventList"]
    steps = [(e["type"], e["bizStep"]) for e in events]
    assert steps == [
        ("ObjectEvent", "commissioning"), ("ObjectEvent", "shipping"), ("ObjectEvent", "sensor_reporting"),
        ("ObjectEvent", "transporting"), ("ObjectEvent", "receiving"), ("TransformationEvent", "commissioning"),
        ("AggregationEvent", "packing"), ("TransformationEvent", "repackaging"), ("ObjectEvent", "shipping"),
        ("ObjectEvent", "receiving"), ("ObjectEvent", "retail_selling"),
    ]  # fmt: skip
    harvest, ship, reading = events[0], events[1], events[2]
    assert harvest["action"] == "ADD" and harvest["ilmd"]["cbvmda:lotNumber"] == lot
    assert harvest["quantityList"] == [
        {"epcClass": f"https://id.gs1.org/01/{GTIN}/10/{lot}", "quantity": 90, "uom": "KGM"}
    ]
    assert harvest["readPoint"]["id"] == "urn:epc:id:sgln:0614141.10001.0"
    assert harvest["bizTransactionList"][0]["type"] == "prodorder"
    assert ship["bizTransactionList"] == [{"type": "bol", "bizTransaction": "urn:epcglobal:cbv:bt:0614141100019:BOL-1"}]
    assert {"type": "owning_party", "destination": "urn:epc:id:pgln:0614141.20001"} in ship["destinationList"]
    report = reading["sensorElementList"][0]["sensorReport"][0]
    assert report == {"type": "gs1:Temperature", "value": 3.5, "uom": "CEL"}
    split = events[7]
    assert [q["epcClass"].rsplit("/", 1)[-1] for q in split["outputQuantityList"]] == [f"{lot}-A", f"{lot}-B"]
    for event in events:  # every event carries its ledger proof
        assert len(event["fabdemo:txId"]) == 64 and isinstance(event["fabdemo:blockNumber"], int), event
    hashes = _hashes(document)
    assert len(hashes) == len(events) and len(set(hashes)) == len(events)
    assert all(h.startswith("ni:///sha-256;") for h in hashes)
    # by product and by date range: the same consumer reads them
    by_product = api.get("/api/products/PRD-EPCIS/epcis").json()
    assert len(_hashes(by_product)) == len(by_product["epcisBody"]["eventList"]) >= len(events)
    assert api.get("/api/epcis/events", params={"from": "2999-01-01"}).json()["epcisBody"]["eventList"] == []
    expect_error(api.get("/api/epcis/events", params={"from": "yesterday"}), 422, "INVALID_ARGUMENT")


def test_round_trip_through_capture(api: httpx.Client, journey: tuple[str, str, str]) -> None:
    _, lot, package = journey
    document = api.get(f"/api/lots/{package}/epcis").json()
    fresh = f"RT-{uuid.uuid4().hex[:8]}"
    text = json.dumps(document).replace(lot, fresh)  # the same journey under fresh lot ids
    status = _wait_capture(
        api, api.post("/epcis/capture", content=text, headers={"content-type": "application/ld+json"})
    )
    assert status["success"], status["errors"]
    assert status["appliedCount"] == status["eventCount"] == len(document["epcisBody"]["eventList"])
    assert _names(api, fresh) == _names(api, lot)
    assert _names(api, f"{fresh}-A") == _names(api, package)
    old, new = api.get(f"/api/lots/{package}").json()["lot"], api.get(f"/api/lots/{fresh}-A").json()["lot"]
    for key in ("status", "custodian", "quantity", "unit", "productId"):
        assert old[key] == new[key], key
    docs = api.post("/api/operations/lot_documents", json={"org": "farm", "args": {"lotId": fresh}}).json()["result"]
    assert sorted(d["docNumber"] for d in docs) == ["ASN-1", "BOL-1", "WO-1"]


def test_sample_document_of_the_supermarket(api: httpx.Client) -> None:
    """The shipped sample names the seed's LETT-0405-C; here it receives a lot of our own on its way."""
    product = _product(api)
    lot = _harvested(api, product, "SM", 10)
    perform(api, "farm", "propose_transfer", lotId=lot, toMsp="RetailerMSP")
    with open("demos/epcis/supermarket-receiving.json", encoding="utf-8") as handle:
        sample = json.load(handle)
    event = sample["epcisBody"]["eventList"][0]
    event["quantityList"][0]["epcClass"] = f"https://id.gs1.org/01/{GTIN}/10/{lot}"
    status = _wait_capture(api, api.post("/epcis/capture", json=sample))
    assert status["success"], status
    assert api.get(f"/api/lots/{lot}").json()["lot"]["custodian"] == "RetailerMSP"


def test_bad_documents_change_nothing(api: httpx.Client, journey: tuple[str, str, str]) -> None:
    product, _, _ = journey
    lot = f"BAD-{uuid.uuid4().hex[:8]}"
    harvest = {
        "type": "ObjectEvent", "eventTime": "2026-04-05T10:00:00.000Z", "eventTimeZoneOffset": "+00:00",
        "action": "ADD", "bizStep": "commissioning",
        "quantityList": [{"epcClass": f"https://id.gs1.org/01/{GTIN}/10/{lot}", "quantity": 5, "uom": "KGM"}],
        "bizLocation": {"id": "urn:epc:id:sgln:0614141.10001.0"},
    }  # fmt: skip

    def doc(*events: dict[str, Any]) -> dict[str, Any]:
        return {"type": "EPCISDocument", "schemaVersion": "2.0", "epcisBody": {"eventList": list(events)}}

    headers = {"content-type": "application/json"}
    expect_error(api.post("/epcis/capture", content=b"{not json", headers=headers), 400, "EPCIS_MALFORMED")
    expect_error(api.post("/epcis/capture", json={"type": "Nope"}), 400, "EPCIS_MALFORMED")
    expect_error(api.post("/epcis/capture", content=json.dumps(doc(harvest)), headers={"content-type": "text/plain"}),
                 415, "EPCIS_MALFORMED")  # fmt: skip
    unknown = dict(harvest, action="OBSERVE", bizStep="urn:epcglobal:cbv:bizstep:dancing")
    error = expect_error(api.post("/epcis/capture", json=doc(harvest, unknown)), 422, "EPCIS_UNKNOWN_BIZSTEP")
    assert "dancing" in error["message"] and "dancing" in error["message_zh"]
    at_the_shop = dict(harvest, bizLocation={"id": "urn:epc:id:sgln:0614141.30001.0"})  # the retailer cannot harvest
    expect_error(api.post("/epcis/capture", json=doc(harvest, at_the_shop)), 403, "EPCIS_WRONG_ROLE")
    bad_gtin = dict(
        harvest, quantityList=[{"epcClass": f"https://id.gs1.org/01/00614141000983/10/{lot}", "quantity": 5}]
    )
    expect_error(api.post("/epcis/capture", json=doc(bad_gtin)), 422, "EPCIS_UNKNOWN_PRODUCT")
    # each refusal came before anything was written: the valid first event did not happen either
    expect_error(api.get(f"/api/lots/{lot}"), 404, "NOT_FOUND")
    expect_error(api.get("/epcis/capture/unknown"), 404, "NOT_FOUND")
    del product


def test_digital_link(api: httpx.Client, journey: tuple[str, str, str]) -> None:
    _, lot, package = journey
    response = api.get(f"/01/{GTIN}/10/{package}", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == f"/c/{package}"
    bad_links = (
        f"/01/00614141000983/10/{package}",  # check digit
        f"/01/{GTIN}/10/NO-SUCH-LOT",
        f"/01/{GTIN}",  # no lot
        f"/01/00614141000111/10/{lot}",  # a lot of another GTIN
    )
    for bad in bad_links:
        page = api.get(bad, follow_redirects=False)
        assert page.status_code == 404, bad
        assert ("not" in page.text and "无" in page.text) or "没有" in page.text, page.text
    qr = api.get(f"/api/qr/lot/{package}.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")


def test_fsma204_spreadsheet(api: httpx.Client, journey: tuple[str, str, str]) -> None:
    from openpyxl import load_workbook

    product, lot, package = journey
    response = api.get("/api/reports/fsma204", params={"product": product})
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[0]
    for column in (
        "Critical tracking event",
        "Traceability lot code",
        "GTIN",
        "Quantity",
        "Unit of measure",
        "Location GLN",
        "Reference document type",
        "Reference document number",
        "Ledger transaction id",
    ):
        assert column in header, column  # fmt: skip
    mine = [
        dict(zip(header, r, strict=True))
        for r in rows[1:]
        if r[header.index("Traceability lot code")] in (lot, package)
    ]
    ctes = [r["Critical tracking event"] for r in mine]
    assert ctes == ["Harvesting", "Shipping", "Receiving", "Transformation", "Initial Packing", "Transformation",
                    "Shipping", "Receiving"]  # fmt: skip
    shipping = mine[1]
    assert shipping["GTIN"] == GTIN and shipping["Reference document number"] == "BOL-1"
    assert shipping["Immediate subsequent recipient GLN"] == "0614141200016"
    assert mine[2]["Immediate previous source GLN"] == "0614141100019"
    assert sheet.auto_filter.ref and sheet.freeze_panes == "A2"
    csv_text = api.get("/api/reports/fsma204", params={"product": product, "format": "csv"}).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Critical tracking event,") and lot in csv_text
    expect_error(api.get("/api/reports/fsma204", params={"product": "NO-SUCH"}), 404, "NOT_FOUND")
