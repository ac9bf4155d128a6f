"""Every REST endpoint against the real network: results, ledger proof, and bad input that changes nothing."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from typing import Any

import httpx
import pytest

from fabdemo.api.app import create_app
from fabdemo.api.config import AppConfig
from fabdemo.appserver import InProcessServer
from tests.api.conftest import app_settings

pytestmark = pytest.mark.e2e

PRODUCT = "PRD-API"


JSON = {"content-type": "application/json"}


def same_origin(api: httpx.Client) -> dict[str, str]:
    """What a browser sends with an upload from one of the app's pages (see fabdemo.api.security)."""
    return {"origin": str(api.base_url).rstrip("/")}


def new_lot_id() -> str:
    return f"LOT-API-{uuid.uuid4().hex[:8].upper()}"


def perform(api: httpx.Client, org: str, op: str, **args: Any) -> dict[str, Any]:
    response = api.post(f"/api/operations/{op}", json={"org": org, "args": args})
    assert response.status_code == 200, response.text
    return response.json()


def define_product(api: httpx.Client, product_id: str, name: str, min_c: float = 1, max_c: float = 4) -> str:
    """The farm defines a product; an earlier test or run may have (409). Returns the product id."""
    response = api.post(
        "/api/operations/define_product",
        json={"org": "farm", "args": {"productId": product_id, "name": name, "minTempC": min_c, "maxTempC": max_c}},
    )
    assert response.status_code in (200, 409), response.text
    return product_id


def expect_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"] and error["message_zh"]
    return error


@pytest.fixture(scope="module")
def product(api: httpx.Client) -> str:
    return define_product(api, PRODUCT, "API lettuce")


def harvest(api: httpx.Client, product: str, lot_id: str | None = None) -> str:
    lot_id = lot_id or new_lot_id()
    perform(
        api, "farm", "harvest", lotId=lot_id, productId=product, quantity=100, unit="kg", farmName="API Farm",
        harvestDate="2026-05-01",
    )  # fmt: skip
    return lot_id


def lot_json(api: httpx.Client, lot_id: str) -> dict[str, Any]:
    response = api.get(f"/api/lots/{lot_id}")
    assert response.status_code == 200, response.text
    return response.json()["lot"]


def height(api: httpx.Client) -> int:
    return api.get("/api/blocks", params={"limit": 1}).json()["follower"]["height"]


def unchanged(api: httpx.Client, lot_id: str | None, before_lot: Any, before_height: int) -> None:
    time.sleep(0.3)  # a block, had one been cut, would have arrived by now (batch timeout 100 ms)
    assert height(api) == before_height
    if lot_id:
        assert lot_json(api, lot_id) == before_lot


# -- catalogue and docs ----------------------------------------------------------------------------------


def test_catalogue_lists_every_operation(api: httpx.Client) -> None:
    body = api.get("/api/operations").json()
    ids = {op["id"] for op in body["operations"]}
    expected = {
        "harvest", "record_input", "define_product", "anchor_certificate", "verify_certificate", "process", "split",
        "propose_transfer", "accept_transfer", "reject_transfer", "cancel_transfer", "checkpoint", "temperature",
        "release_quarantine", "mark_sold", "authenticity", "recall", "set_price", "get_price", "verify_price",
        "get_lot", "lot_events", "trace", "list_lots",
    }  # fmt: skip
    assert expected <= ids
    set_price = next(op for op in body["operations"] if op["id"] == "set_price")
    assert set_price["endorse_roles"] == ["processor", "retailer"] and set_price["transient_field"] == "price"
    harvest_op = next(op for op in body["operations"] if op["id"] == "harvest")
    assert harvest_op["roles"] == ["grower"] and harvest_op["params"][0]["label_zh"] == "批次编号"


def test_openapi_is_generated_from_the_catalogue(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    post = spec["paths"]["/api/operations/harvest"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    quantity = schema["properties"]["args"]["properties"]["quantity"]
    quantity = quantity["anyOf"][0] if "anyOf" in quantity else quantity  # with a default, null is allowed
    assert quantity["type"] == "number" and quantity["exclusiveMinimum"] == 0
    assert "/api/events" in spec["paths"] and api.get("/docs").status_code == 200


def test_defaults_endpoint(api: httpx.Client) -> None:
    values = api.get("/api/operations/harvest/defaults", params={"org": "farm"}).json()
    assert values["lotId"].startswith("LOT-") and len(values["harvestDate"]) == 10
    assert values["farmName"] == "Green Valley Farm Co-op"
    expect_error(api.get("/api/operations/nope/defaults"), 404, "UNKNOWN_OPERATION")


# -- perform and read --------------------------------------------------------------------------------------


def test_harvest_returns_result_and_ledger_proof(api: httpx.Client, product: str) -> None:
    lot_id = new_lot_id()
    body = perform(
        api, "farm", "harvest", lotId=lot_id, productId=product, quantity="42.5", unit="kg", farmName="API Farm",
        harvestDate="2026-05-01",
    )  # fmt: skip
    assert body["result"]["lotId"] == lot_id and body["result"]["quantity"] == 42.5
    proof = body["proof"]
    assert len(proof["txId"]) == 64 and proof["blockNumber"] > 0 and proof["validation"] == "VALID"
    assert "FarmMSP" in proof["endorsers"] and len(proof["endorsers"]) >= 2 and proof["creator"] == "FarmMSP"

    detail = api.get(f"/api/lots/{lot_id}").json()
    assert detail["lot"]["custodian"] == "FarmMSP" and detail["product"]["productId"] == product
    assert detail["events"][0]["name"] == "LotHarvested"
    assert detail["events"][0]["proof"]["txId"] == proof["txId"]
    events = api.get(f"/api/lots/{lot_id}/events").json()["events"]
    assert events[0]["proof"]["endorsers"] == proof["endorsers"]

    listed = api.get("/api/lots").json()
    assert lot_id in {lot["lotId"] for lot in listed["lots"]} and listed["count"] == len(listed["lots"])
    by_status = api.get("/api/lots", params={"status": "HARVESTED"}).json()["lots"]
    assert lot_id in {lot["lotId"] for lot in by_status}
    by_custodian = api.get("/api/lots", params={"custodian": "processor"}).json()["lots"]
    assert lot_id not in {lot["lotId"] for lot in by_custodian}
    both = api.get("/api/lots", params={"status": "HARVESTED", "custodian": "farm"}).json()["lots"]
    assert lot_id in {lot["lotId"] for lot in both}


def test_evaluate_operations_have_no_proof(api: httpx.Client, product: str) -> None:
    body = perform(api, "retail", "get_product", productId=product)
    assert body["kind"] == "evaluate" and body["proof"] is None and body["result"]["productId"] == product


# -- bad input: clear 4xx, ledger untouched ------------------------------------------------------------


def test_wrong_types_and_missing_fields_change_nothing(api: httpx.Client, product: str) -> None:
    lot_id = harvest(api, product)
    before, h = lot_json(api, lot_id), height(api)
    cases = [
        ({"org": "farm", "args": {"lotId": lot_id, "celsius": "warm"}}, "temperature", "celsius"),
        ({"org": "farm", "args": {"lotId": lot_id, "celsius": True}}, "temperature", "celsius"),
        ({"org": "farm", "args": {"celsius": 3}}, "temperature", "lotId"),
        ({"org": "farm", "args": {"lotId": lot_id, "celsius": 3, "colour": "red"}}, "temperature", "colour"),
        ({"org": "farm", "args": {"lotId": lot_id, "celsius": 101}}, "temperature", "celsius"),
        ({"org": "farm", "args": {"lotId": "bad id!", "celsius": 3}}, "temperature", "lotId"),
        ({"org": "farm", "args": {"lotId": lot_id, "inputType": "MAGIC", "product": "x", "appliedDate": "2026-01-01"}},
         "record_input", "inputType"),
        ({"org": "farm", "args": {"lotId": lot_id, "inputType": "OTHER", "product": "x", "appliedDate": "2026-02-30"}},
         "record_input", "appliedDate"),
        ({"org": "processor", "args": {"parentId": lot_id, "childrenJSON": "A:1, B"}}, "split", "childrenJSON"),
        ({"org": "processor", "args": {"lotId": lot_id, "buyerMsp": "RetailerMSP", "sellerMsp": "ProcessorMSP",
                                        "unitPrice": 0, "currency": "EUR", "salt": "0123456789"}},
         "set_price", "unitPrice"),
        ({"args": {"lotId": lot_id}}, "accept_transfer", "org"),
        ({"org": "farm", "args": {"lotId": lot_id}, "extra": 1}, "accept_transfer", "extra"),
    ]  # fmt: skip
    for body, op, field in cases:
        error = expect_error(api.post(f"/api/operations/{op}", json=body), 422, "INVALID_ARGUMENT")
        assert error["field"] == field, (op, error)
        assert error["source"] == "service"
    expect_error(api.post("/api/operations/temperature", content=b"{not json", headers=JSON), 422, "INVALID_ARGUMENT")
    expect_error(api.post("/api/operations/temperature", json=[1, 2]), 422, "INVALID_ARGUMENT")
    expect_error(
        api.post("/api/operations/temperature", json={"org": "bank", "args": {"lotId": lot_id, "celsius": 3}}),
        422,
        "UNKNOWN_ORG",
    )
    expect_error(api.post("/api/operations/teleport", json={"org": "farm", "args": {}}), 404, "UNKNOWN_OPERATION")
    unchanged(api, lot_id, before, h)


def test_unknown_lot_is_404(api: httpx.Client) -> None:
    h = height(api)
    expect_error(api.get("/api/lots/LOT-DOES-NOT-EXIST"), 404, "NOT_FOUND")
    expect_error(api.get("/api/lots/LOT-DOES-NOT-EXIST/trace"), 404, "NOT_FOUND")
    error = expect_error(
        api.post("/api/operations/process", json={"org": "processor", "args": {"lotId": "LOT-DOES-NOT-EXIST"}}),
        404,
        "NOT_FOUND",
    )
    assert error["source"] == "contract" and error["message_zh"] == "未找到：批次 LOT-DOES-NOT-EXIST 不存在"
    expect_error(api.get("/api/lots/bad%20id"), 422, "INVALID_ARGUMENT")
    expect_error(api.get("/api/no-such-endpoint"), 404, "NOT_FOUND")
    unchanged(api, None, None, h)


def test_wrong_role_and_not_custodian_are_403(api: httpx.Client, product: str) -> None:
    lot_id = harvest(api, product)
    before, h = lot_json(api, lot_id), height(api)
    body = {"org": "processor", "args": {"lotId": new_lot_id(), "productId": product, "quantity": 1, "unit": "kg",
                                         "farmName": "x", "harvestDate": "2026-05-01"}}  # fmt: skip
    error = expect_error(api.post("/api/operations/harvest", json=body), 403, "FORBIDDEN")
    assert "grower" in error["message"]
    expect_error(
        api.post("/api/operations/process", json={"org": "processor", "args": {"lotId": lot_id}}), 403, "NOT_CUSTODIAN"
    )
    expect_error(
        api.post("/api/operations/mark_sold", json={"org": "farm", "args": {"lotId": lot_id}}), 403, "FORBIDDEN"
    )
    expect_error(api.post("/api/operations/accept_transfer", json={"org": "retail", "args": {"lotId": lot_id}}), 409,
                 "INVALID_STATE")  # fmt: skip
    unchanged(api, lot_id, before, h)


# -- the whole story: custody, cold chain alert (SSE), recall --------------------------------------------


def _collect_sse(url: str, events: list[tuple[str, Any]], ready: threading.Event, stop: threading.Event) -> None:
    with httpx.Client(timeout=httpx.Timeout(30, read=20)) as client, client.stream("GET", f"{url}/api/events") as r:
        kind = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: ") and kind:
                events.append((kind, json.loads(line[6:])))
                if kind == "hello":
                    ready.set()
            if stop.is_set():
                return


def test_custody_cold_chain_alert_and_recall(api: httpx.Client, app_url: str, product: str) -> None:
    events: list[tuple[str, Any]] = []
    ready, stop = threading.Event(), threading.Event()
    listener = threading.Thread(target=_collect_sse, args=(app_url, events, ready, stop), daemon=True)
    listener.start()
    assert ready.wait(10), "no hello from the SSE stream"

    lot_id = harvest(api, product)
    perform(api, "farm", "propose_transfer", lotId=lot_id, toMsp="ProcessorMSP", carrier="ColdLine")
    perform(api, "processor", "accept_transfer", lotId=lot_id)
    perform(api, "processor", "process", lotId=lot_id, step="WASHING")
    children = perform(api, "processor", "split", parentId=lot_id, childrenJSON=f"{lot_id}-P1:60, {lot_id}-P2:40")
    assert [c["lotId"] for c in children["result"]] == [f"{lot_id}-P1", f"{lot_id}-P2"]
    package = f"{lot_id}-P1"
    perform(api, "processor", "propose_transfer", lotId=package, toMsp="RetailerMSP")
    perform(api, "retail", "accept_transfer", lotId=package)
    perform(api, "retail", "checkpoint", lotId=package, latitude=31.2, longitude=121.5, location="Store")
    breach = perform(api, "retail", "temperature", lotId=package, celsius=9.5, location="Store cooler")
    assert breach["result"]["status"] == "QUARANTINED"

    trace = api.get(f"/api/lots/{package}/trace").json()
    assert trace["ancestors"][0]["lotId"] == lot_id and trace["affectedRetailers"] == ["RetailerMSP"]
    parent_trace = api.get(f"/api/lots/{lot_id}/trace").json()
    assert {d["lotId"] for d in parent_trace["descendants"]} == {package, f"{lot_id}-P2"}

    recall = perform(api, "processor", "recall", lotId=lot_id, reason="Listeria in a sample")
    assert set(recall["result"]) == {lot_id, package, f"{lot_id}-P2"}
    before, h = lot_json(api, package), height(api)
    expect_error(
        api.post(
            "/api/operations/release_quarantine", json={"org": "retail", "args": {"lotId": package, "reason": "ok"}}
        ),
        409,
        "RECALLED",
    )
    unchanged(api, package, before, h)

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        alerts = [data for kind, data in events if kind == "alert"]
        if {a["name"] for a in alerts} >= {"TemperatureAlert", "LotRecalled"}:
            break
        time.sleep(0.1)
    stop.set()
    alerts = [data for kind, data in events if kind == "alert"]
    temp = next(a for a in alerts if a["name"] == "TemperatureAlert" and a["lotId"] == package)
    assert temp["payload"]["celsius"] == 9.5 and temp["payload"]["maxTempC"] == 4
    recalled = next(a for a in alerts if a["name"] == "LotRecalled" and a["lotId"] == lot_id)
    assert set(recalled["payload"]["lotIds"]) == {lot_id, package, f"{lot_id}-P2"}
    blocks = [data for kind, data in events if kind == "block"]
    functions = {tx["function"] for b in blocks for tx in b["transactions"]}
    assert {"HarvestLot", "SplitLot", "RecallLot"} <= functions
    tx = next(tx for b in blocks for tx in b["transactions"] if tx["txId"] == breach["proof"]["txId"])
    assert tx["creator"] == "RetailerMSP" and tx["validation"] == "VALID" and tx["endorsers"]
    assert any(a["lotId"] == package for a in api.get("/api/alerts").json()["alerts"])


# -- consumer, documents, prices -------------------------------------------------------------------------


def test_authenticity_and_clone_detection(api: httpx.Client, product: str) -> None:
    lot_id = harvest(api, product)
    first = api.post(f"/api/lots/{lot_id}/authenticity", json={"location": "Shanghai"}).json()
    assert first["checks"] == 1 and not first["likelyClone"] and not first["recalled"]
    assert first["journey"][0]["event"] == "LotHarvested" and first["scanProof"]["blockNumber"] > 0
    second = api.post(f"/api/lots/{lot_id}/authenticity", json={"location": "Lagos"}).json()
    assert second["likelyClone"] and second["locations"] == ["Lagos", "Shanghai"]
    expect_error(api.post(f"/api/lots/{lot_id}/authenticity", json={"location": ""}), 422, "INVALID_ARGUMENT")
    expect_error(api.post("/api/lots/LOT-NOPE-X/authenticity", json={"location": "x"}), 404, "NOT_FOUND")
    page = api.get(f"/c/{lot_id}")
    assert page.status_code == 200 and "verdict-clone" in page.text


def test_certificate_check_detects_tampering(api: httpx.Client, product: str) -> None:
    lot_id = harvest(api, product)
    document = b"%PDF-1.4 organic certificate for " + lot_id.encode()
    digest = hashlib.sha256(document).hexdigest()
    hashed = api.post("/api/documents/hash", files={"file": ("cert.pdf", document)}, headers=same_origin(api)).json()
    assert hashed["sha256"] == digest
    perform(
        api, "farm", "anchor_certificate", lotId=lot_id, certId="CERT-1", certType="Organic", issuer="EcoCert",
        sha256Hex=digest, validFrom="2026-01-01", validUntil="2027-01-01",
    )  # fmt: skip
    url = f"/api/lots/{lot_id}/certificates/check"
    good = api.post(
        url, data={"cert_id": "CERT-1"}, files={"file": ("cert.pdf", document)}, headers=same_origin(api)
    ).json()
    assert good["match"] and good["sha256"] == digest and good["anchorProof"]["blockNumber"] > 0
    bad = api.post(
        url, data={"cert_id": "CERT-1"}, files={"file": ("cert.pdf", document + b" ")}, headers=same_origin(api)
    ).json()
    assert not bad["match"] and bad["certificate"]["sha256"] == digest
    expect_error(
        api.post(url, data={"cert_id": "CERT-404"}, files={"file": ("c", document)}, headers=same_origin(api)),
        404,
        "NOT_FOUND",
    )
    expect_error(api.post(url, files={"cert_id": (None, "CERT-1")}, headers=same_origin(api)), 422, "INVALID_ARGUMENT")


def test_private_price_farm_refused_others_see_it(api: httpx.Client, product: str) -> None:
    lot_id = harvest(api, product)
    before, h = lot_json(api, lot_id), height(api)
    expect_error(api.get(f"/api/lots/{lot_id}/price", params={"org": "processor"}), 404, "NOT_FOUND")
    price = {"buyerMsp": "RetailerMSP", "sellerMsp": "ProcessorMSP", "unitPrice": "2.35", "currency": "EUR",
             "terms": "Net 30", "salt": "s4lt-s4lt-1234"}  # fmt: skip
    expect_error(
        api.post("/api/operations/set_price", json={"org": "farm", "args": {"lotId": lot_id, **price}}),
        403,
        "FORBIDDEN",
    )
    unchanged(api, lot_id, before, h)
    body = perform(api, "processor", "set_price", lotId=lot_id, **price)
    assert set(body["proof"]["endorsers"]) == {"ProcessorMSP", "RetailerMSP"}
    assert "unitPrice" not in json.dumps(body["args"])  # private fields are not echoed

    views = {v["org"]: v for v in api.get(f"/api/lots/{lot_id}/prices").json()["views"]}
    assert views["farm"]["error"]["code"] == "FORBIDDEN" and "price" not in views["farm"]
    assert views["processor"]["price"]["unitPrice"] == 2.35 and views["retail"]["price"]["currency"] == "EUR"
    expect_error(api.get(f"/api/lots/{lot_id}/price", params={"org": "farm"}), 403, "FORBIDDEN")
    raw = api.get(f"/api/lots/{lot_id}/price", params={"org": "retail"}).json()["rawJson"]
    assert api.post(f"/api/lots/{lot_id}/price/verify", json={"disclosed": raw, "org": "farm"}).json()["match"]
    forged = raw.replace("2.35", "1.35")
    assert not api.post(f"/api/lots/{lot_id}/price/verify", json={"disclosed": forged}).json()["match"]
    expect_error(api.post(f"/api/lots/{lot_id}/price/verify", json={}), 422, "INVALID_ARGUMENT")
    page = api.get("/prices", params={"lot": lot_id})
    assert page.status_code == 200 and 'data-testid="price-farm"' in page.text


# -- network, blocks, QR codes, pages ----------------------------------------------------------------------


def test_network_status_and_blocks(api: httpx.Client) -> None:
    status = api.get("/api/network").json()
    kinds = [n["kind"] for n in status["nodes"]]
    assert kinds.count("orderer") == 3 and kinds.count("peer") >= 3
    assert all(n["healthy"] for n in status["nodes"]) and sum(bool(n["raft_leader"]) for n in status["nodes"]) == 1
    assert {o["key"] for o in status["orgs"]} >= {"farm", "processor", "retail"}
    assert status["follower"]["connected"]
    blocks = api.get("/api/blocks", params={"limit": 5}).json()["blocks"]
    assert 1 <= len(blocks) <= 5 and blocks[0]["number"] > blocks[-1]["number"]
    expect_error(api.get("/api/blocks", params={"limit": 0}), 422, "INVALID_ARGUMENT")
    assert api.get("/api/orgs").json()["orgs"][0]["key"] == "farm"


def test_qr_codes_are_svg(api: httpx.Client) -> None:
    response = api.get("/api/qr/lot/LOT-1.svg")
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in response.content
    assert api.get("/api/qr/join.svg").status_code == 200
    expect_error(api.get("/api/qr/lot/bad id.svg"), 422, "INVALID_ARGUMENT")


def test_pages_render(api: httpx.Client, product: str) -> None:
    lot_id = harvest(api, product)
    for path in ["/", "/operations", "/operations/harvest", f"/operations/split?lot={lot_id}", f"/lots/{lot_id}",
                 f"/lots/{lot_id}/trace", f"/c/{lot_id}", f"/documents?lot={lot_id}", "/prices", "/ledger",
                 "/network", "/network?fragment=1", "/invite", "/static/app.js", "/static/app.css"]:  # fmt: skip
        response = api.get(path)
        assert response.status_code == 200, (path, response.text[:300])
    zh = api.get("/", headers={"cookie": "lang=zh"}).text
    assert "账本上的批次" in zh and 'lang="zh-CN"' in zh
    missing = api.get("/lots/LOT-NOT-HERE", headers={"accept": "text/html"})
    assert missing.status_code == 404 and "NOT_FOUND" in missing.text


def test_room_mode_requires_the_join_token(network) -> None:
    config = AppConfig(host="0.0.0.0", port=0, token="t0ken-for-the-room", trust_loopback=False)
    app = create_app(app_settings(network), config, network=network, follow_blocks=False)
    with InProcessServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        expect_error(client.get("/api/lots"), 401, "UNAUTHORIZED")
        assert client.get("/", headers={"accept": "text/html"}).status_code == 401
        assert client.get("/static/app.css").status_code == 200
        assert client.get("/api/qr/lot/LOT-1.svg").status_code == 200
        expect_error(client.get("/join", params={"token": "wrong"}), 401, "UNAUTHORIZED")
        joined = client.get("/join", params={"token": "t0ken-for-the-room"}, follow_redirects=False)
        assert joined.status_code == 303 and "fabdemo_token" in joined.headers["set-cookie"]
        assert client.get("/api/orgs").status_code == 200  # the cookie is kept by the client
        assert httpx.get(f"{server.url}/api/orgs", headers={"x-fabdemo-token": "t0ken-for-the-room"}).status_code == 200
