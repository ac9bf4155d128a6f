"""The provenance contract on the real network, through the Python client, org by org."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest

from fabdemo.network.manager import FabricNetwork
from fabric_gateway import EndorseError, EvaluateError, GatewayError
from tests.e2e.eventually import read_until

pytestmark = pytest.mark.e2e

PRODUCT = ("PRD-SPINACH", "Baby spinach", "1", "5")


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _json(raw: bytes):
    return json.loads(raw)


def _code(err: GatewayError) -> str | None:
    return err.chaincode_code


@pytest.fixture(scope="module")
def cc(contracts):
    try:
        contracts["farm"].submit_transaction("DefineProduct", *PRODUCT)
    except EndorseError as err:
        assert _code(err) == "ALREADY_EXISTS"
    return contracts


def _harvest(cc, lot_id: str, quantity: str = "300") -> dict:
    args = [lot_id, PRODUCT[0], "Emilia", quantity, "kg", "Green Valley", "Valley Road", "Plot 3", "2026-05-10"]
    return _json(cc["farm"].submit_transaction("HarvestLot", *args))


def _handover(cc, lot_id: str, sender: str, receiver: str, receiver_msp: str) -> None:
    cc[sender].submit_transaction("ProposeTransfer", lot_id, receiver_msp, "ColdLink", "TRK-42", "Valley -> City")
    in_transit = read_until(cc[receiver], "GetLot", lot_id, until=lambda lot: lot["status"] == "IN_TRANSIT")
    assert in_transit["status"] == "IN_TRANSIT"
    cc[receiver].submit_transaction("AcceptTransfer", lot_id)


def _to_processor_split(cc, parent: str, parts: int = 3) -> list[str]:
    _harvest(cc, parent)
    cc["farm"].submit_transaction("RecordInput", parent, "FERTILISER", "Organic compost", "3 t/ha", "2026-04-01")
    _handover(cc, parent, "farm", "processor", "ProcessorMSP")
    cc["processor"].submit_transaction("ProcessLot", parent, "WASHING", "triple washed")
    children = [f"{parent}-P{i}" for i in range(1, parts + 1)]
    spec = [{"lotId": c, "quantity": 100} for c in children]
    cc["processor"].submit_transaction("SplitLot", parent, json.dumps(spec))
    return children


def test_full_journey_farm_processor_retailer(cc) -> None:
    parent = _id("JRN")
    children = _to_processor_split(cc, parent)
    for child in children:
        _handover(cc, child, "processor", "retail", "RetailerMSP")
    cc["retail"].submit_transaction("RecordCheckpoint", children[0], "52.37", "4.89", "CityMart DC", "unloaded")
    cc["retail"].submit_transaction("MarkSold", children[0], "CityMart Central")

    sold = read_until(cc["farm"], "GetLot", children[0], until=lambda lot: lot["status"] == "SOLD")
    assert sold["status"] == "SOLD" and sold["custodian"] == "RetailerMSP" and sold["parentId"] == parent
    parent_lot = _json(cc["retail"].evaluate_transaction("GetLot", parent))
    assert parent_lot["status"] == "SPLIT" and sorted(parent_lot["childIds"]) == children

    trace = _json(cc["retail"].evaluate_transaction("TraceLot", children[0]))
    assert trace["ancestors"][-1]["lotId"] == parent
    family = _json(cc["farm"].evaluate_transaction("TraceLot", parent))
    assert sorted(d["lotId"] for d in family["descendants"]) == children
    assert "RetailerMSP" in family["holders"]  # every package is on a CityMart shelf

    names = [e["name"] for e in _json(cc["processor"].evaluate_transaction("GetLotEvents", parent))]
    for expected in ("LotHarvested", "InputRecorded", "TransferProposed", "TransferAccepted", "LotProcessed"):
        assert expected in names
    history = _json(cc["farm"].evaluate_transaction("GetLotHistory", children[0]))
    assert len(history) >= 4 and all(h["txId"] and h["timestamp"] for h in history)
    by_custodian = [
        lot["lotId"] for lot in _json(cc["farm"].evaluate_transaction("ListLotsByCustodian", "RetailerMSP"))
    ]
    assert set(children) <= set(by_custodian)
    sold_ids = [lot["lotId"] for lot in _json(cc["farm"].evaluate_transaction("ListLotsByStatus", "SOLD"))]
    assert children[0] in sold_ids and children[1] not in sold_ids


def test_rejected_handover_keeps_custody(cc) -> None:
    lot_id = _id("REJ")
    _harvest(cc, lot_id)
    cc["farm"].submit_transaction("ProposeTransfer", lot_id, "ProcessorMSP", "", "", "")
    with pytest.raises(EndorseError) as caught:
        cc["retail"].submit_transaction("AcceptTransfer", lot_id)  # not the receiver
    assert _code(caught.value) == "FORBIDDEN"
    cc["processor"].submit_transaction("RejectTransfer", lot_id, "damaged crates")
    lot = read_until(cc["farm"], "GetLot", lot_id, until=lambda lot: lot["status"] != "IN_TRANSIT")
    assert lot["custodian"] == "FarmMSP" and lot["status"] == "HARVESTED"


def test_temperature_breach_quarantines_and_alerts(network: FabricNetwork, gateways, cc) -> None:
    lot_id = _id("COLD")
    _harvest(cc, lot_id)
    cc["farm"].submit_transaction("ProposeTransfer", lot_id, "ProcessorMSP", "ColdLink", "TRK-7", "Valley -> Plant")
    cc["farm"].submit_transaction("RecordTemperature", lot_id, "3.5", "Highway A2")
    submitted = cc["farm"].submit_async("RecordTemperature", arguments=[lot_id, "11.2", "Highway A2 km 80"])
    block = submitted.get_status().block_number
    lot = read_until(cc["processor"], "GetLot", lot_id, until=lambda lot: lot["status"] == "QUARANTINED")
    assert lot["status"] == "QUARANTINED" and len(lot["temperatures"]) == 2

    channel = gateways["retail"].get_network(network.topology.channel_name)
    with channel.get_chaincode_events(network.topology.chaincode.name, start_block=block) as events:
        alert = next(e for e in events if e.transaction_id == submitted.transaction_id)
    assert alert.event_name == "TemperatureAlert"
    payload = json.loads(alert.payload)
    assert payload["lotId"] == lot_id and payload["celsius"] == 11.2

    with pytest.raises(EndorseError) as caught:
        cc["processor"].submit_transaction("ReleaseQuarantine", lot_id, "re-checked")
    assert _code(caught.value) in ("NOT_CUSTODIAN", "FORBIDDEN")
    cc["farm"].submit_transaction("ReleaseQuarantine", lot_id, "probe fault, product re-checked at 3 C")
    assert _json(cc["farm"].evaluate_transaction("GetLot", lot_id))["status"] == "IN_TRANSIT"


def test_sensors_record_on_one_lot_at_once_without_conflicts(cc) -> None:
    """Readings endorsed against the same lot state all commit: each writes only keys of its own."""
    lot_id = _id("SENS")
    _harvest(cc, lot_id)
    pending = [
        cc["farm"].submit_async("RecordTemperature", arguments=[lot_id, str(2 + i / 10), f"probe {i}"])
        for i in range(12)
    ]
    batch = [{"celsius": 3.0, "location": "gateway"}] * 100
    pending.append(cc["farm"].submit_async("RecordTemperatures", arguments=[lot_id, json.dumps(batch)]))
    statuses = [p.get_status() for p in pending]
    assert [s.code for s in statuses if not s.successful] == []
    assert len({s.block_number for s in statuses}) < len(statuses), "the readings shared a block"

    # Read through another org's peer, which commits the farm's last block a moment later.
    lot = read_until(cc["processor"], "GetLot", lot_id, until=lambda lot: len(lot["temperatures"]) == 112)
    assert lot["status"] == "HARVESTED" and len(lot["temperatures"]) == 112
    assert lot["summary"]["temperatures"] == 112 and lot["summary"]["breach"] is False
    assert lot["summary"]["minCelsius"] == 2.0 and lot["summary"]["maxCelsius"] == 3.1
    events = _json(cc["farm"].evaluate_transaction("GetLotEvents", lot_id))
    assert [e["seq"] for e in events] == list(range(1, 15))

    read_until(cc["retail"], "GetLot", lot_id, until=lambda lot: len(lot["temperatures"]) == 112)  # its peer too
    readings, bookmark, pages = [], "", 0
    while True:
        page = _json(cc["retail"].evaluate_transaction("ListTemperatures", lot_id, "50", bookmark))
        readings += page["readings"]
        pages += 1
        bookmark = page["bookmark"]
        if not bookmark:
            break
    assert len(readings) == 112 and pages == 3


def test_lot_lists_page_with_bookmarks(cc) -> None:
    lot_ids = sorted(_id("PAGE") for _ in range(3))
    for lot_id in lot_ids:
        _harvest(cc, lot_id, "5")
    # The retailer's peer commits the farm's last block a moment after the farm's own peer.
    read_until(cc["retail"], "ListLotsByCustodian", "FarmMSP",
               until=lambda lots: set(lot_ids) <= {lot["lotId"] for lot in lots})  # fmt: skip
    seen, bookmark = [], ""
    while True:
        page = _json(cc["retail"].evaluate_transaction("ListLotsByCustodianPage", "FarmMSP", "2", bookmark))
        assert page["fetched"] == len(page["lots"]) <= 2
        seen += [lot["lotId"] for lot in page["lots"]]
        bookmark = page["bookmark"]
        if not bookmark:
            break
    assert seen == sorted(seen) and set(lot_ids) <= set(seen)
    everyone = [lot["lotId"] for lot in _json(cc["retail"].evaluate_transaction("ListLotsByCustodian", "FarmMSP"))]
    assert seen == everyone, "paging returns what the unpaged call returns"
    with pytest.raises(EvaluateError) as caught:
        cc["retail"].evaluate_transaction("ListLotsPage", "500", "")
    assert _code(caught.value) == "INVALID_ARGUMENT"


def test_empty_temperature_bound_is_refused(cc) -> None:
    with pytest.raises(EndorseError) as caught:
        cc["farm"].submit_transaction("DefineProduct", _id("PRD"), "No lower bound", "", "1")
    assert _code(caught.value) == "INVALID_ARGUMENT"
    assert "PARAMETER_EMPTY_NUMBER" in (caught.value.chaincode_message or "")


def test_recall_of_parent_recalls_every_package(cc) -> None:
    parent = _id("RCL")
    children = _to_processor_split(cc, parent)
    _handover(cc, children[0], "processor", "retail", "RetailerMSP")
    recalled = _json(cc["processor"].submit_transaction("RecallLot", parent, "Listeria found in wash water"))
    assert set(recalled) >= {parent, *children}
    for lot_id in (parent, *children):
        assert read_until(cc["farm"], "GetLot", lot_id, until=lambda lot: lot["status"] == "RECALLED")["status"] == (
            "RECALLED"
        )
    with pytest.raises(EndorseError) as caught:
        cc["retail"].submit_transaction("MarkSold", children[0], "CityMart Central")
    assert _code(caught.value) == "RECALLED"
    check = _json(cc["retail"].submit_transaction("CheckAuthenticity", children[0], "CityMart Central"))
    assert check["recalled"] is True


def test_authenticity_check_flags_cloned_codes(cc) -> None:
    parent = _id("QR")
    children = _to_processor_split(cc, parent, parts=1)
    _handover(cc, children[0], "processor", "retail", "RetailerMSP")
    first = _json(cc["retail"].submit_transaction("CheckAuthenticity", children[0], "CityMart Central"))
    assert first["likelyClone"] is False and first["checks"] == 1
    second = _json(cc["retail"].submit_transaction("CheckAuthenticity", children[0], "Night market stall 9"))
    assert second["likelyClone"] is True and second["locations"] == ["CityMart Central", "Night market stall 9"]


def test_private_price_hidden_from_the_farm_and_verifiable(cc) -> None:
    lot_id = _id("PRICE")
    _harvest(cc, lot_id)
    price = json.dumps(
        {
            "buyerMsp": "RetailerMSP",
            "sellerMsp": "ProcessorMSP",
            "unitPrice": 4.75,
            "currency": "EUR",
            "terms": "FOB, 30 days",
            "salt": uuid.uuid4().hex,
        }
    ).encode()
    cc["processor"].new_proposal(
        "SetPrice",
        arguments=[lot_id],
        transient_data={"price": price},
        endorsing_organizations=["ProcessorMSP", "RetailerMSP"],
    ).endorse().submit().wait()

    for org in ("processor", "retail"):
        seen = read_until(cc[org], "GetPrice", lot_id, until=lambda price: "unitPrice" in price)
        assert seen["unitPrice"] == 4.75 and seen["hash"] == hashlib.sha256(price).hexdigest()
    with pytest.raises(EvaluateError) as refused:
        cc["farm"].evaluate_transaction("GetPrice", lot_id)
    assert _code(refused.value) == "FORBIDDEN"

    lot = read_until(cc["farm"], "GetLot", lot_id, until=lambda lot: bool(lot.get("priceHash")))
    assert lot["priceHash"] == hashlib.sha256(price).hexdigest() and "4.75" not in json.dumps(lot)
    verified = _json(cc["farm"].evaluate_transaction("VerifyPrice", lot_id, price.decode()))
    assert verified["match"] is True
    forged = price.decode().replace("4.75", "3.75")
    assert _json(cc["farm"].evaluate_transaction("VerifyPrice", lot_id, forged))["match"] is False


def test_certificate_anchored_by_hash_detects_tampering(cc) -> None:
    lot_id = _id("CERT")
    _harvest(cc, lot_id)
    document = b"EU organic certificate NL-BIO-01 for Green Valley Farm Co-op, valid 2026"
    digest = hashlib.sha256(document).hexdigest()
    cc["farm"].submit_transaction(
        "AnchorCertificate", lot_id, "CERT-ORG-1", "ORGANIC", "Skal Biocontrole", digest, "2026-01-01", "2026-12-31"
    )
    verified = read_until(cc["retail"], "VerifyCertificate", lot_id, "CERT-ORG-1", digest, until=lambda r: r["match"])
    assert verified["match"]
    tampered = hashlib.sha256(document.replace(b"2026", b"2027")).hexdigest()
    assert not _json(cc["retail"].evaluate_transaction("VerifyCertificate", lot_id, "CERT-ORG-1", tampered))["match"]


@pytest.mark.parametrize(
    ("org", "function", "args"),
    [
        ("processor", "HarvestLot", ["{new}", PRODUCT[0], "v", "1", "kg", "f", "l", "p", "2026-05-10"]),
        ("retail", "HarvestLot", ["{new}", PRODUCT[0], "v", "1", "kg", "f", "l", "p", "2026-05-10"]),
        ("farm", "ProcessLot", ["{held_by_farm}", "WASHING", "not a processor"]),
        ("farm", "MarkSold", ["{held_by_farm}", "Farm shop"]),
        ("retail", "GrantRole", ["RetailerMSP", "grower"]),
    ],
)
def test_each_org_refused_another_roles_operation(cc, org: str, function: str, args: list[str]) -> None:
    held = _id("ROLE")
    _harvest(cc, held)
    concrete = [a.replace("{new}", _id("NEW")).replace("{held_by_farm}", held) for a in args]
    with pytest.raises(EndorseError) as caught:
        cc[org].submit_transaction(function, *concrete)
    assert _code(caught.value) == "FORBIDDEN", caught.value.chaincode_message


def test_duplicate_ids_refused(cc) -> None:
    lot_id = _id("DUP")
    _harvest(cc, lot_id)
    with pytest.raises(EndorseError) as caught:
        _harvest(cc, lot_id)
    assert _code(caught.value) == "ALREADY_EXISTS"
    with pytest.raises(EndorseError) as product:
        cc["farm"].submit_transaction("DefineProduct", *PRODUCT)
    assert _code(product.value) == "ALREADY_EXISTS"


def test_metadata_lists_operations_with_parameter_names(contracts) -> None:
    metadata = _json(contracts["farm"].evaluate_transaction("org.hyperledger.fabric:GetMetadata"))
    contract = metadata["contracts"]["provenance"]
    harvest = next(t for t in contract["transactions"] if t["name"] == "HarvestLot")
    assert [p["name"] for p in harvest["parameters"]][:2] == ["lotId", "productId"]
