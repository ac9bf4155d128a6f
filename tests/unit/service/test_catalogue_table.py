"""The operation table in operations.yaml: what it loads to, and the loader's messages for a bad entry."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import fields
from importlib import resources
from typing import Any

import pytest
import yaml

from fabdemo.service.catalogue import (
    DEFAULT_FACTORIES,
    GROUPS,
    OPERATIONS,
    ROLES,
    CatalogueError,
    DefaultContext,
    Operation,
    Param,
    default_value,
    get_operation,
    load_catalogue,
)
from fabdemo.service.catalogue.table import OPERATION_FIELDS, PARAM_FIELDS

LOT = Param("lotId", "id", "Lot ID", "批次编号", default_factory="lot")


def test_known_entries() -> None:
    assert get_operation("set_price") == Operation(
        "set_price",
        "SetPrice",
        "submit",
        "Set private price",
        "设定私密价格",
        "price",
        ("processor", "retailer"),
        (
            LOT,
            Param("buyerMsp", "msp", "Buyer", "买方", transient=True, default_factory="msp:retailer"),
            Param("sellerMsp", "msp", "Seller", "卖方", transient=True, default_factory="msp:processor"),
            Param("unitPrice", "number", "Unit price", "单价", min=0, max=1e9, transient=True, default=2.35,
                  positive=True, hint_en="greater than 0", hint_zh="大于 0"),
            Param("currency", "currency", "Currency", "币种", transient=True, default="EUR"),
            Param("terms", "text", "Terms", "条款", required=False, max_length=1024, transient=True,
                  default="Net 30, delivered"),
            Param("salt", "text", "Salt", "盐值", min_length=8, max_length=128, transient=True, default_factory="salt",
                  hint_en="random; stops anyone guessing the price from its hash",
                  hint_zh="随机值；防止通过哈希猜出价格"),
        ),
        "Goes to the private collection of processor and retailer; only its hash is public.",
        "存入加工方与零售商的私有数据集合；公开账本只保存其哈希。",
        endorse_roles=("processor", "retailer"),
        transient_field="price",
        lot_statuses=("HARVESTED", "PROCESSED", "PACKAGED", "RECEIVED", "IN_TRANSIT", "QUARANTINED", "SOLD"),
    )  # fmt: skip
    assert get_operation("recall").danger and get_operation("recall").lot_statuses[-2:] == ("SOLD", "SPLIT")
    assert [p.name for p in get_operation("temperature").params] == ["lotId", "celsius", "location"]
    assert get_operation("temperature").params[1] == Param(
        "celsius", "number", "Temperature (°C)", "温度 (°C)", min=-100, max=100, default=3.5
    )
    assert get_operation("get_roles") == Operation("get_roles", "GetRoles", "evaluate", "Roles", "角色", "query", ())
    assert get_operation("anchor_certificate").lot_statuses == ("*",)
    assert get_operation("process").params[1].choices == ("WASHING", "GRADING", "PACKING", "COOLING", "OTHER")
    assert list(GROUPS) == [
        "farm", "processing", "custody", "sensors", "retail", "documents", "recall", "price", "query",
    ]  # fmt: skip
    assert GROUPS["sensors"] == ("Cold chain & GPS", "冷链与 GPS")
    assert [op.id for op in OPERATIONS][:3] == ["define_product", "harvest", "record_input"] and len(OPERATIONS) == 38


def test_values_keep_their_types() -> None:
    """Tuples, not lists; ints stay ints and floats floats (1e9 must not read back as the string '1e9')."""
    quantity = get_operation("harvest").params[3]
    assert quantity.max == 1e9 and type(quantity.max) is float and type(quantity.default) is int
    for op in OPERATIONS:
        assert all(isinstance(v, tuple) for v in (op.roles, op.params, op.endorse_roles, op.lot_statuses)), op.id
        assert all(isinstance(p.choices, tuple) for p in op.params), op.id


def test_the_shipped_file_is_package_data_and_loads_to_the_table() -> None:
    text = resources.files("fabdemo.service.catalogue").joinpath("operations.yaml").read_text(encoding="utf-8")
    assert load_catalogue(yaml.safe_load(text)) == (OPERATIONS, GROUPS)


def test_every_default_factory_is_implemented() -> None:
    ctx = DefaultContext(lot={"lotId": "L", "remainingQuantity": 3}, today=dt.date(2026, 1, 1))
    for factory in (*DEFAULT_FACTORIES, *(f"msp:{role}" for role in ROLES)):
        default_value(Param("p", "text", "P", "参数", default_factory=factory), ctx)  # no AssertionError


def _document() -> dict[str, Any]:
    return {
        "groups": {"query": {"label_en": "Queries", "label_zh": "查询"}},
        "operations": [
            {"id": "get_lot", "function": "GetLot", "kind": "evaluate", "label_en": "Get a lot", "label_zh": "查询批次",
             "group": "query", "roles": [],
             "params": [{"name": "lotId", "type": "id", "label_en": "Lot ID", "label_zh": "批次编号",
                         "default_factory": "lot"}]},
        ],
    }  # fmt: skip


def _op(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["operations"][0]


def _param(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["operations"][0]["params"][0]


def test_a_valid_document_loads() -> None:
    operations, groups = load_catalogue(_document())
    assert operations == (Operation("get_lot", "GetLot", "evaluate", "Get a lot", "查询批次", "query", (), (LOT,)),)
    assert groups == {"query": ("Queries", "查询")}


def _add_second(doc: dict[str, Any]) -> None:
    doc["operations"].append(copy.deepcopy(_op(doc)))


def _add_number(doc: dict[str, Any], **fields: Any) -> None:
    _op(doc)["params"].append({"name": "n", "type": "number", "label_en": "N", "label_zh": "数", **fields})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _param(d).update(type="float"),
         "operation 'get_lot', param 'lotId': type 'float' is unknown (one of id, text, number,"),
        (lambda d: _param(d).update(default_factory="tomorrow"),
         "operation 'get_lot', param 'lotId': default_factory 'tomorrow' is unknown (one of lot_id,"),
        (lambda d: _param(d).update(default_factory="msp:auditor"),
         "operation 'get_lot', param 'lotId': default_factory role 'auditor' is unknown"),
        (_add_second, "duplicate operation id 'get_lot'"),
        (lambda d: _op(d).pop("label_zh"), "operation 'get_lot': missing field 'label_zh'"),
        (lambda d: _op(d).update(label_en="  "), "operation 'get_lot': field 'label_en' must not be empty"),
        (lambda d: _param(d).pop("label_en"), "operation 'get_lot', param 'lotId': missing field 'label_en'"),
        (lambda d: _param(d).update(label_zh=""), "param 'lotId': field 'label_zh' must not be empty"),
        (lambda d: d["groups"]["query"].pop("label_zh"), "group 'query': missing field 'label_zh'"),
        (lambda d: _op(d).pop("id"), "operation #1: missing field 'id'"),
        (lambda d: _param(d).update(maxLength=64),
         "operation 'get_lot', param 'lotId': unknown field 'maxLength' (did you mean 'max_length'?)"),
        (lambda d: _param(d).update(max_length="64"),
         "param 'lotId': field 'max_length' must be int, got '64'"),
        (lambda d: _param(d).update(required="no"), "param 'lotId': field 'required' must be bool, got 'no'"),
        (lambda d: _op(d).update(kind="query"),
         "operation 'get_lot': kind 'query' is unknown (one of submit, evaluate)"),
        (lambda d: _op(d).update(group="misc"), "operation 'get_lot': group 'misc' is unknown (one of query)"),
        (lambda d: _op(d).update(roles=["auditor"]), "operation 'get_lot': role 'auditor' is unknown"),
        (lambda d: _op(d).update(lot_statuses=["LOST"]), "operation 'get_lot': lot status 'LOST' is unknown"),
        (lambda d: _op(d).update(roles="grower"), "operation 'get_lot': field 'roles' must be list, got 'grower'"),
        (lambda d: _op(d)["params"].append(copy.deepcopy(_param(d))), "operation 'get_lot': duplicate param 'lotId'"),
        (lambda d: _add_number(d, min=0), "param 'n': a number needs min and max, with min <= max"),
        (lambda d: _add_number(d, min=5, max=1), "param 'n': a number needs min and max, with min <= max"),
        (lambda d: _add_number(d, min=0, max=True), "param 'n': field 'max' must be a number, got True"),
        (lambda d: _add_number(d, min=0, max=10, default=11),
         "param 'n': default 11 fails its own check: n: must be between 0 and 10, got 11"),
        (lambda d: _param(d).update(type="enum"), "param 'lotId': an enum needs choices"),
        (lambda d: _param(d).update(choices=["A"]), "param 'lotId': choices are for enum params only"),
        (lambda d: _param(d).update(default="LOT-1"), "param 'lotId': has both default and default_factory"),
        (lambda d: _param(d).update(transient=True),
         "operation 'get_lot': has transient params but no transient_field"),
        (lambda d: d.update(extra=1), "must be a mapping with exactly 'groups' and 'operations'"),
        (lambda d: d.update(operations={}), "'groups' must be a mapping and 'operations' a list"),
        (lambda d: d["operations"].append("harvest"), "operation #2: must be a mapping of fields, got str"),
        (lambda d: _op(d)["params"].append({"type": "id"}), "operation 'get_lot', param #2: missing field 'name'"),
    ],
)  # fmt: skip
def test_a_bad_entry_names_the_operation_and_the_field(change: Any, message: str) -> None:
    doc = _document()
    change(doc)
    with pytest.raises(CatalogueError) as info:
        load_catalogue(doc)
    assert str(info.value).startswith("operations.yaml: ")
    assert message in str(info.value)


def test_the_loader_knows_every_field_of_the_model() -> None:
    assert list(PARAM_FIELDS) == [f.name for f in fields(Param)]
    assert set(OPERATION_FIELDS) == {f.name for f in fields(Operation)}
