"""The farm cannot learn a private price by any path: contract reads, events, blocks, the REST API, the page.

A processor records a price with a distinctive unit price and a secret note; every byte the farm can
obtain is searched for them. Each search has a positive control (the processor does see the price,
the farm's block does hold the SetPrice transaction and its hash), so no check passes by looking at
the wrong thing.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator

import httpx
import pytest

from fabdemo.network.manager import FabricNetwork
from fabric_gateway import EndorseError, EvaluateError
from tests.e2e.eventually import read_until

pytestmark = pytest.mark.e2e

PRODUCT = ("PRD-PRIVACY", "Private tomatoes", "2", "8")
SECRET_PRICE = "987654.321"
SECRET_NOTE = f"SECRET-NOTE-{uuid.uuid4().hex}"
SALT = uuid.uuid4().hex
PRICE_JSON = json.dumps(
    {
        "buyerMsp": "RetailerMSP",
        "sellerMsp": "ProcessorMSP",
        "unitPrice": float(SECRET_PRICE),
        "currency": "EUR",
        "terms": SECRET_NOTE,
        "salt": SALT,
    },
    separators=(",", ":"),
)
PRICE_HASH = hashlib.sha256(PRICE_JSON.encode()).hexdigest()
SECRETS = (SECRET_PRICE.encode(), SECRET_NOTE.encode(), SALT.encode())


def assert_no_secret(data: bytes | str, where: str) -> None:
    raw = data.encode() if isinstance(data, str) else data
    for secret in SECRETS:
        assert secret not in raw, f"{where} reveals {secret!r}"


@pytest.fixture(scope="module")
def priced_lot(network: FabricNetwork, contracts) -> Iterator[tuple[str, int]]:
    """A lot held by the processor with the secret price; yields its id and SetPrice's block."""
    try:
        contracts["farm"].submit_transaction("DefineProduct", *PRODUCT)
    except EndorseError as err:
        assert err.chaincode_code == "ALREADY_EXISTS"
    lot = f"PRIV-{uuid.uuid4().hex[:8]}"
    args = [lot, PRODUCT[0], "Roma", "40", "kg", "Green Valley", "Valley Road", "P-2", "2026-05-10"]
    contracts["farm"].submit_transaction("HarvestLot", *args)
    contracts["farm"].submit_transaction("ProposeTransfer", lot, "ProcessorMSP", "", "", "")
    read_until(contracts["processor"], "GetLot", lot, until=lambda v: v["status"] == "IN_TRANSIT")
    contracts["processor"].submit_transaction("AcceptTransfer", lot)
    submitted = contracts["processor"].submit_async("SetPrice", arguments=[lot], transient_data={"price": PRICE_JSON})
    status = submitted.get_status()
    assert status.successful, status.code_name
    read_until(contracts["farm"], "GetLot", lot, until=lambda v: v.get("priceHash") == PRICE_HASH)
    yield lot, status.block_number


def test_processor_sees_the_price(contracts, priced_lot) -> None:
    """Positive control: the secret is really there for the orgs of the collection."""
    lot, _ = priced_lot
    price = json.loads(contracts["processor"].evaluate_transaction("GetPrice", lot))
    assert price["rawJson"] == PRICE_JSON and price["hash"] == PRICE_HASH
    assert SECRET_NOTE.encode() in contracts["processor"].evaluate_transaction("GetPrice", lot)


def test_farm_contract_reads_hold_only_the_hash(contracts, priced_lot) -> None:
    lot, _ = priced_lot
    farm = contracts["farm"]
    with pytest.raises(EvaluateError) as refused:
        farm.evaluate_transaction("GetPrice", lot)
    assert refused.value.chaincode_code == "FORBIDDEN"
    assert_no_secret(str(refused.value), "GetPrice's refusal")
    for function in ("GetLot", "GetLotEvents", "GetLotHistory", "TraceLot"):
        result = farm.evaluate_transaction(function, lot)
        assert PRICE_HASH.encode() in result, f"{function} should show the price hash"
        assert_no_secret(result, f"{function} as the farm")
    assert_no_secret(farm.evaluate_transaction("VerifyPrice", lot, "{}"), "VerifyPrice as the farm")


def test_farm_chaincode_events_carry_no_price(network: FabricNetwork, gateways, priced_lot) -> None:
    lot, block = priced_lot
    farm_network = gateways["farm"].get_network(network.topology.channel_name)
    with farm_network.get_chaincode_events(network.topology.chaincode.name, start_block=block, timeout=10) as events:
        event = next(e for e in events if e.event_name == "PriceRecorded" and lot.encode() in e.payload)
    assert event.block_number == block and json.loads(event.payload)["priceHash"] == PRICE_HASH
    assert_no_secret(event.payload, "the farm's SetPrice chaincode event")


def test_farm_peer_blocks_carry_no_price(network: FabricNetwork, gateways, priced_lot) -> None:
    """The full block on the farm's peer: write sets (public and private hashes), arguments, everything."""
    lot, block_number = priced_lot
    farm_network = gateways["farm"].get_network(network.topology.channel_name)
    with farm_network.get_block_events(start_block=block_number, timeout=10) as blocks:
        block = next(iter(blocks))
    assert block.number == block_number
    set_price = [tx for tx in block.transactions if tx.function_name == "SetPrice"]
    assert set_price and set_price[0].arguments[-1] == lot.encode()
    raw = block.raw.SerializeToString()
    assert PRICE_HASH.encode() in raw, "the block should hold the public priceHash write"
    assert_no_secret(raw, "the farm peer's block")
    for tx in block.transactions:
        for arg in tx.arguments:
            assert_no_secret(arg, "a transaction argument")


def test_rest_api_as_farm_shows_no_price(api: httpx.Client, priced_lot) -> None:
    lot, _ = priced_lot
    refused = api.get(f"/api/lots/{lot}/price", params={"org": "farm"})
    assert refused.status_code >= 400, refused.text
    assert_no_secret(refused.content, "GET /price as the farm")
    views = api.get(f"/api/lots/{lot}/prices").json()["views"]
    by_org = {view["org"]: view for view in views}
    assert "error" in by_org["farm"] and "price" not in by_org["farm"]
    assert_no_secret(json.dumps(by_org["farm"]), "the farm's view of /prices")
    assert by_org["processor"]["price"]["rawJson"] == PRICE_JSON  # control: the same call shows it to them
    for path in (f"/api/lots/{lot}", f"/api/lots/{lot}/events", f"/api/lots/{lot}/trace"):
        response = api.get(path, params={"org": "farm"})
        assert response.status_code == 200, response.text
        assert_no_secret(response.content, f"GET {path} as the farm")


def test_consumer_page_shows_no_price(api: httpx.Client, priced_lot) -> None:
    lot, _ = priced_lot
    page = api.get(f"/c/{lot}")
    assert page.status_code == 200 and lot in page.text
    assert_no_secret(page.content, "the consumer page")
