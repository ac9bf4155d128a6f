"""The operation catalogue: its data, validation (before the ledger), contract arguments and defaults."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from fabdemo.service import OPERATIONS, ServiceError, get_operation, validate_args
from fabdemo.service.catalogue import (
    PARAM_TYPES,
    DefaultContext,
    defaults,
    lot_actions,
    to_contract_arguments,
)

CONTRACT_FUNCTIONS = {
    "DefineProduct", "HarvestLot", "RecordInput", "AnchorCertificate", "VerifyCertificate", "ProcessLot", "SplitLot",
    "ProposeTransferWithDocument", "AcceptTransferWithDocument", "RejectTransfer", "CancelTransfer",
    "RecordCheckpoint", "RecordTemperature",
    "ReleaseQuarantine", "MarkSold", "CheckAuthenticity", "RecallLot", "SetPrice", "GetPrice", "VerifyPrice", "GetLot",
    "GetLotEvents", "GetLotHistory", "TraceLot", "ListLots", "ListLotsByStatus", "ListLotsByCustodian",
    "AssignGTIN", "RecordReferenceDocument", "GetReferenceDocuments",
}  # fmt: skip  # the plain ProposeTransfer / AcceptTransfer stay in the contract for clients


def test_every_contract_operation_has_one_entry() -> None:
    functions = [op.function for op in OPERATIONS]
    assert set(functions) >= CONTRACT_FUNCTIONS
    assert len(functions) == len(set(functions)) and len({op.id for op in OPERATIONS}) == len(OPERATIONS)


def test_entries_are_complete() -> None:
    for op in OPERATIONS:
        assert op.kind in ("submit", "evaluate") and op.label_en and op.label_zh, op.id
        assert set(op.roles) <= {"grower", "processor", "retailer", "carrier"}
        for param in op.params:
            assert param.type in PARAM_TYPES and param.label_en and param.label_zh, (op.id, param.name)


def test_parameter_order_matches_the_contract() -> None:
    harvest = get_operation("harvest")
    assert [p.name for p in harvest.params] == [
        "lotId", "productId", "variety", "quantity", "unit", "farmName", "farmLocation", "plot", "harvestDate",
    ]  # fmt: skip
    set_price = get_operation("set_price")
    assert set_price.endorse_roles == ("processor", "retailer") and set_price.transient_field == "price"
    assert [p.name for p in set_price.params if not p.transient] == ["lotId"]


def test_valid_input_becomes_contract_arguments() -> None:
    op = get_operation("harvest")
    clean = validate_args(
        op,
        {"lotId": "LOT-1", "productId": "PRD-1", "quantity": "12.5", "unit": "kg", "farmName": "F",
         "harvestDate": "2026-05-01"},
    )  # fmt: skip
    args, transient = to_contract_arguments(op, clean)
    assert args == ["LOT-1", "PRD-1", "Butterhead", "12.5", "kg", "F", "Valley Road 1", "Plot 7", "2026-05-01"]
    assert transient is None
    temp = get_operation("temperature")
    assert to_contract_arguments(temp, validate_args(temp, {"lotId": "L", "celsius": 4}))[0] == [
        "L",
        "4",
        "Reefer truck 12",
    ]


def test_transient_price_json_is_exact_and_private() -> None:
    op = get_operation("set_price")
    clean = validate_args(
        op,
        {"lotId": "L1", "buyerMsp": "RetailerMSP", "sellerMsp": "ProcessorMSP", "unitPrice": "2.50",
         "currency": "EUR", "terms": "Net 30", "salt": "0123456789"},
    )  # fmt: skip
    args, transient = to_contract_arguments(op, clean)
    assert args == ["L1"]
    assert transient == {
        "price": b'{"buyerMsp":"RetailerMSP","sellerMsp":"ProcessorMSP","unitPrice":2.5,"currency":"EUR",'
        b'"terms":"Net 30","salt":"0123456789"}'
    }


@pytest.mark.parametrize(
    ("op_id", "args", "field"),
    [
        ("temperature", {"lotId": "L", "celsius": "hot"}, "celsius"),
        ("temperature", {"lotId": "L", "celsius": float("nan")}, "celsius"),
        ("temperature", {"lotId": "L", "celsius": False}, "celsius"),
        ("temperature", {"lotId": "L", "celsius": -101}, "celsius"),
        ("temperature", {"celsius": 3}, "lotId"),
        ("temperature", {"lotId": "x" * 65, "celsius": 3}, "lotId"),
        ("temperature", {"lotId": "L", "celsius": 3, "extra": 1}, "extra"),
        ("harvest", {"lotId": "L", "productId": "P", "quantity": 0, "unit": "kg", "farmName": "F",
                     "harvestDate": "2026-01-01"}, "quantity"),
        ("harvest", {"lotId": "L", "productId": "P", "quantity": 1, "unit": "kg", "farmName": " ",
                     "harvestDate": "2026-01-01"}, "farmName"),
        ("harvest", {"lotId": "L", "productId": "P", "quantity": 1, "unit": "kg", "farmName": "F",
                     "harvestDate": "01/02/2026"}, "harvestDate"),
        ("process", {"lotId": "L", "step": "FRYING"}, "step"),
        ("anchor_certificate", {"lotId": "L", "certId": "C", "certType": "t", "issuer": "i", "sha256Hex": "abc",
                                "validFrom": "2026-01-01", "validUntil": "2027-01-01"}, "sha256Hex"),
        ("set_price", {"lotId": "L", "buyerMsp": "A", "sellerMsp": "B", "unitPrice": 1, "currency": "eur",
                       "salt": "0123456789"}, "currency"),
        ("split", {"parentId": "L", "childrenJSON": "A:1, B"}, "childrenJSON"),
        ("split", {"parentId": "L", "childrenJSON": '[{"lotId": "A"}]'}, "childrenJSON"),
        ("reject_transfer", {"lotId": "L", "reason": ""}, "reason"),
        ("checkpoint", {"lotId": "L", "latitude": 91, "longitude": 0}, "latitude"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_before_the_ledger(op_id: str, args: dict, field: str) -> None:
    with pytest.raises(ServiceError) as info:
        validate_args(get_operation(op_id), args)
    error = info.value
    assert error.code == "INVALID_ARGUMENT" and error.http_status == 422 and error.field == field
    assert error.source == "service" and "参数无效" in error.message_zh


def test_split_children_accept_text_list_and_json() -> None:
    op = get_operation("split")
    as_text = validate_args(op, {"parentId": "L", "childrenJSON": "L-1:10, L-2: 5.5\nL-3:1"})["childrenJSON"]
    assert as_text == [
        {"lotId": "L-1", "quantity": 10.0},
        {"lotId": "L-2", "quantity": 5.5},
        {"lotId": "L-3", "quantity": 1.0},
    ]
    as_list = validate_args(op, {"parentId": "L", "childrenJSON": [{"lotId": "L-1", "quantity": 10}]})
    args, _ = to_contract_arguments(op, as_list)
    assert json.loads(args[1]) == [{"lotId": "L-1", "quantity": 10.0}]


def test_unknown_operation() -> None:
    with pytest.raises(ServiceError) as info:
        get_operation("teleport")
    assert info.value.code == "UNKNOWN_OPERATION" and info.value.http_status == 404


def test_defaults() -> None:
    ctx = DefaultContext(
        org_name="Green Valley",
        msp_by_role={"retailer": "RetailerMSP", "processor": "ProcessorMSP"},
        lot={"lotId": "LOT-9", "remainingQuantity": 90},
        today=dt.date(2026, 5, 1),
    )
    harvest = defaults(get_operation("harvest"), ctx)
    assert harvest["lotId"].startswith("LOT-20260501-") and harvest["harvestDate"] == "2026-05-01"
    assert harvest["farmName"] == "Green Valley"
    assert defaults(get_operation("split"), ctx)["childrenJSON"] == "LOT-9-P1:45, LOT-9-P2:45"
    price = defaults(get_operation("set_price"), ctx)
    assert price["buyerMsp"] == "RetailerMSP" and price["sellerMsp"] == "ProcessorMSP" and len(price["salt"]) == 16
    assert defaults(get_operation("anchor_certificate"), ctx)["validUntil"] == "2027-05-01"
    # the defaults themselves pass validation (the forms submit them as they are)
    for op_id in ("harvest", "split", "set_price", "temperature", "checkpoint", "propose_transfer", "recall"):
        values = defaults(get_operation(op_id), ctx)
        if op_id == "propose_transfer":
            values["toMsp"] = "RetailerMSP"
        validate_args(get_operation(op_id), values)


def test_lot_actions_follow_the_status() -> None:
    in_transit = {op.id for op in lot_actions("IN_TRANSIT")}
    assert {"accept_transfer", "reject_transfer", "cancel_transfer", "temperature"} <= in_transit
    assert "process" not in in_transit
    assert {op.id for op in lot_actions("QUARANTINED")} >= {"release_quarantine", "recall"}
    assert "recall" not in {op.id for op in lot_actions("RECALLED")}
