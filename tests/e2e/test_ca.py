"""Fabric CA identities (IDENTITIES=ca) on real ``fabric-ca-server`` processes, one per org.

One network of its own (ports +12400, CA identities): it starts with every node, admin and user
enrolled from the CAs with NodeOUs; a transaction commits; a user registered with an attribute
can do what the attribute allows and no more (the contract reads it from the certificate); the
official ``peer`` CLI works from the generated env file; a revoked user's next transaction is
refused once the CRL is in the channel configuration; every storyboard rehearses on it, the
architects' attribute scene (``only_on: ca``) included.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from cryptography import x509
from fabric_protos.common import common_pb2

from fabdemo import context
from fabdemo.network.manager import FabricNetwork
from fabdemo.service.errors import ServiceError
from fabdemo.service.identities import IdentityService, certificate_attrs
from fabdemo.service.ledger import LedgerService
from fabdemo.settings import Settings
from fabric_gateway import parse_block
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

SETTINGS = Settings(state_dir=ARTIFACTS / "ca-state", port_offset=12400, identities="ca", runtime="native")


@pytest.fixture(scope="module")
def ca_network() -> Iterator[FabricNetwork]:
    net = context.open_network(SETTINGS)
    net.down(lambda _m: None)
    net.up(lambda _m: None)
    yield net
    net.down(lambda _m: None)


def _run(coro):
    return asyncio.run(coro)


async def _perform(net: FabricNetwork, org: str, op: str, args: dict, user: str | None = None) -> dict:
    async with LedgerService(net, follow_blocks=False) as ledger:
        return await ledger.perform(org, op, args, user=user)


def _harvest(net: FabricNetwork, lot: str, product: str, user: str | None = None) -> None:
    args = {
        "lotId": lot,
        "productId": product,
        "variety": "Romaine",
        "quantity": 100,
        "unit": "kg",
        "farmName": "Green Valley",
        "farmLocation": "Valley Rd 1",
        "harvestDate": "2026-05-30",
    }
    _run(_perform(net, "farm", "harvest", args, user))


def _quarantined_lot(net: FabricNetwork, product: str) -> str:
    lot = f"LOT-CA-{uuid.uuid4().hex[:8]}"
    _harvest(net, lot, product)
    result = _run(_perform(net, "farm", "temperature", {"lotId": lot, "celsius": 25, "location": "cold room"}))
    assert result["result"]["status"] == "QUARANTINED"
    return lot


@pytest.fixture(scope="module")
def product(ca_network: FabricNetwork) -> str:
    product_id = f"PRD-CA-{uuid.uuid4().hex[:6]}"
    args = {"productId": product_id, "name": "Lettuce", "minTempC": 1, "maxTempC": 6}
    _run(_perform(ca_network, "farm", "define_product", args))
    # Every _perform is a service of its own (no cross-org catch-up between them): a harvest's other
    # endorser must have the product's block first.
    ca_network.nodes.wait_for_equal_heights(timeout=30.0, what="the peers to commit the product")
    return product_id


def test_nodes_and_users_are_enrolled_from_the_cas(ca_network: FabricNetwork) -> None:
    status = {s.name: s for s in ca_network.nodes.status()}
    cas = [s for s in status.values() if s.kind == "ca"]
    assert len(cas) == 1 + len(ca_network.topology.peer_orgs)  # the orderer org's CA too
    assert all(s.healthy and s.pid for s in status.values())
    layout, farm = ca_network.layout, ca_network.topology.peer_org("farm")
    peer_msp = layout.peer_node_dir(farm) / "msp"
    assert yaml.safe_load((peer_msp / "config.yaml").read_text())["NodeOUs"]["Enable"] is True
    peer_cert = x509.load_pem_x509_certificate((peer_msp / "signcerts" / "cert.pem").read_bytes())
    ca_cert = x509.load_pem_x509_certificate(layout.peer_tls_ca(farm).read_bytes())
    assert peer_cert.issuer == ca_cert.subject  # issued by the org's Fabric CA, not by cryptogen
    assert "peer" in [a.value for a in peer_cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)]
    user1 = (layout.user_msp(farm) / "signcerts" / "cert.pem").read_bytes()
    assert certificate_attrs(user1)["hf.Type"] == "client"


def test_a_transaction_commits_and_the_peer_cli_works_from_the_env_file(
    ca_network: FabricNetwork, product: str
) -> None:
    lot = f"LOT-CA-{uuid.uuid4().hex[:8]}"
    _harvest(ca_network, lot, product)
    env_file = ca_network.layout.env_file(ca_network.topology.peer_org("retail"))
    query = f'{{"Args":["GetLot","{lot}"]}}'
    script = f'source {env_file} && peer chaincode query -C "$CHANNEL_NAME" -n "$CHAINCODE_NAME" -c \'{query}\''
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert lot in proc.stdout and "HARVESTED" in proc.stdout


def test_attributes_gate_release_and_recall_and_revocation_refuses_the_next_transaction(
    ca_network: FabricNetwork, product: str
) -> None:
    identities = IdentityService(ca_network)
    name = f"alice{uuid.uuid4().hex[:4]}"
    record = identities.register("farm", name, "role=inspector")
    assert record.attrs == {"role": "inspector"} and record.enrolled and not record.revoked
    cert = ca_network.layout.user_msp(ca_network.topology.peer_org("farm"), name) / "signcerts" / "cert.pem"
    assert certificate_attrs(cert.read_bytes())["role"] == "inspector"
    assert name in [u.name for u in identities.users("farm")]
    with pytest.raises(ServiceError) as exists:
        identities.register("farm", name, "role=inspector")
    assert exists.value.code == "IDENTITY_EXISTS" and exists.value.message_zh

    consumer = f"carol{uuid.uuid4().hex[:4]}"
    identities.register("farm", consumer, "role=consumer")

    # the inspector may release a quarantine; a consumer may not, and the refusal changes nothing
    lot = _quarantined_lot(ca_network, product)
    with pytest.raises(ServiceError) as refused:
        _run(_perform(ca_network, "farm", "release_quarantine", {"lotId": lot, "reason": "ok"}, consumer))
    assert refused.value.key == "ATTRIBUTE_REQUIRED" and "role=inspector" in refused.value.message
    assert "解除隔离" in refused.value.message_zh
    released = _run(_perform(ca_network, "farm", "release_quarantine", {"lotId": lot, "reason": "ok"}, name))
    assert released["result"]["status"] == "HARVESTED" and released["user"] == name
    # ...but a recall needs the recall-manager attribute
    with pytest.raises(ServiceError) as no_recall:
        _run(_perform(ca_network, "farm", "recall", {"lotId": lot, "reason": "test"}, name))
    assert no_recall.value.key == "ATTRIBUTE_REQUIRED" and "recall-manager" in no_recall.value.message

    # re-enroll: a new certificate, same attributes
    serial = record.serial
    again = identities.reenroll("farm", name)
    assert again.serial != serial and again.attrs == {"role": "inspector"}

    # revoke: the CRL goes into FarmMSP in the channel config; the next transaction is refused
    revoked = identities.revoke("farm", name)
    assert revoked["revoked"] and revoked["crl_updated"]
    with pytest.raises(ServiceError) as after:
        _harvest(ca_network, f"LOT-CA-{uuid.uuid4().hex[:8]}", product, user=name)
    assert after.value.code == "IDENTITY_REVOKED", (after.value.to_dict(), str(after.value.__cause__))
    assert "revoked" in after.value.message and "吊销" in after.value.message_zh
    with pytest.raises(ServiceError) as no_reenroll:
        identities.reenroll("farm", name)
    assert no_reenroll.value.code == "IDENTITY_REVOKED"
    # others of the org are unaffected
    _harvest(ca_network, f"LOT-CA-{uuid.uuid4().hex[:8]}", product)


def test_bad_input_is_refused_in_both_languages(ca_network: FabricNetwork) -> None:
    identities = IdentityService(ca_network)
    for org, name, attrs, code in (
        ("farm", "9lives", "", "INVALID_ARGUMENT"),
        ("farm", "bob", "role=wizard", "INVALID_ARGUMENT"),
        ("farm", "bob", "hf.Type=admin", "INVALID_ARGUMENT"),
        ("nowhere", "bob", "", "UNKNOWN_ORG"),
        ("farm", "User1", "", "IDENTITY_EXISTS"),
    ):
        with pytest.raises(ServiceError) as err:
            identities.register(org, name, attrs)
        assert err.value.code == code and err.value.message and err.value.message_zh != err.value.message
    assert "bob" not in [u.name for u in identities.users("farm")]
    with pytest.raises(ServiceError) as unknown:
        identities.revoke("farm", "nobody")
    assert unknown.value.code == "UNKNOWN_USER"


def test_rest_api_runs_the_same_lifecycle(ca_network: FabricNetwork) -> None:
    from fabdemo.api.app import create_app
    from fabdemo.appserver import InProcessServer

    app = create_app(SETTINGS, network=ca_network, follow_blocks=False)
    name = f"rita{uuid.uuid4().hex[:4]}"
    with InProcessServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as api:
        created = api.post("/api/identities", json={"org": "retail", "name": name, "attrs": "role=recall-manager"})
        assert created.status_code == 201, created.text
        assert created.json()["attrs"] == {"role": "recall-manager"}
        again = api.post("/api/identities", json={"org": "retail", "name": name})
        assert again.status_code == 409 and again.json()["error"]["code"] == "IDENTITY_EXISTS"
        assert again.json()["error"]["message_zh"]
        listed = api.get("/api/identities", params={"org": "retail"}).json()["users"]
        assert any(u["name"] == name and not u["revoked"] for u in listed)
        revoked = api.post(f"/api/identities/retail/{name}/revoke")
        assert revoked.status_code == 200 and revoked.json()["revoked"], revoked.text
        bad = api.post("/api/identities/retail/nobody/reenroll")
        assert bad.status_code == 404 and bad.json()["error"]["code"] == "UNKNOWN_USER"


async def _signer_of(net: FabricNetwork, tx_id: str) -> str | None:
    """The common name of the certificate that signed ``tx_id``, read from its block (qscc)."""
    async with LedgerService(net, follow_blocks=False) as ledger:
        channel = await ledger.gateways.channel(net.topology.peer_org("retail"))
        qscc = channel.get_contract("qscc")
        raw = await qscc.evaluate("GetBlockByTxID", arguments=[channel.name, tx_id])
    block = parse_block(common_pb2.Block.FromString(raw))
    return next(tx.creator_name for tx in block.transactions if tx.transaction_id == tx_id)


def test_room_guest_is_enrolled_on_join_signs_as_themselves_and_is_revoked_live(
    ca_network: FabricNetwork, product: str
) -> None:
    from fabdemo.api.app import create_app
    from fabdemo.api.config import AppConfig

    config = AppConfig(host="0.0.0.0", port=0, token="room-ca-token", trust_loopback=False)
    app = create_app(SETTINGS, config, network=ca_network, follow_blocks=False)
    lot = f"LOT-CA-{uuid.uuid4().hex[:8]}"
    _harvest(ca_network, lot, product)
    check = {"org": "retail", "args": {"lotId": lot, "location": "Shelf 3"}}

    async def scenario() -> tuple[str, str]:
        phone = httpx.ASGITransport(app=app, client=("192.0.2.10", 50001))
        # the presenter, here from another machine: the room token and the presenter token
        presenter = {"x-fabdemo-presenter": app.state.presenter_token, "x-fabdemo-token": "room-ca-token"}
        async with httpx.AsyncClient(transport=phone, base_url="http://room") as guest:
            joined = await guest.get("/join", params={"token": "room-ca-token", "as": "auditor"})
            assert joined.status_code == 303 and guest.cookies.get("fabdemo_guest")
            done = await guest.post("/api/operations/authenticity", json=check)
            assert done.status_code == 200, done.text
            name, tx_id = done.json()["user"], done.json()["proof"]["txId"]
            assert name.startswith("guest-")
            assert await _signer_of(ca_network, tx_id) == name  # the ledger records the guest as the signer
            listed = IdentityService(ca_network).user("retail", name)
            assert listed.attrs == {"role": "auditor"}
            # the presenter revokes the guest live; the guest's next transaction is refused
            async with httpx.AsyncClient(transport=phone, base_url="http://room", headers=presenter) as host:
                revoked = await host.post(f"/api/identities/retail/{name}/revoke")
                assert revoked.status_code == 200, revoked.text
            refused = await guest.post("/api/operations/authenticity", json=check)
            assert refused.status_code == 403, refused.text
            error = refused.json()["error"]
            assert error["code"] == "IDENTITY_REVOKED" and "吊销" in error["message_zh"]
            return name, tx_id

    asyncio.run(scenario())


SHOTS = Path(os.environ.get("FABDEMO_SHOTS", str(ARTIFACTS / "screenshots")))


@contextlib.contextmanager
def _app_in_chromium(net: FabricNetwork, *, follow_blocks: bool = True) -> Iterator[tuple[Any, Any]]:
    """The app on the CA network, served in-process, and a headless Chromium for one test.

    Per test, not the browser suite's module-wide fixture: Playwright's sync API keeps an event loop
    running while it is open, and this module's other tests call asyncio.run.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    from fabdemo.api.app import create_app
    from fabdemo.appserver import InProcessServer

    SHOTS.mkdir(parents=True, exist_ok=True)
    app = create_app(SETTINGS, network=net, follow_blocks=follow_blocks)
    with InProcessServer(app) as server, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield server, browser


def test_identities_page_registers_and_revokes_in_a_real_browser(ca_network: FabricNetwork) -> None:
    """The presenter's Identities page, in Chromium: register a user with the form, then revoke it."""
    name = f"bella{uuid.uuid4().hex[:4]}"
    with _app_in_chromium(ca_network, follow_blocks=False) as (server, browser):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{server.url}/identities")
        page.select_option("select[name=org]", "farm")
        page.fill("input[name=name]", name)
        page.fill("input[name=attrs]", "role=inspector")
        page.click("[data-testid=identity-form] button[type=submit]")
        row = page.locator(f"tr[data-user='farm/{name}']")
        row.wait_for(timeout=30_000)
        assert "role=inspector" in row.inner_text()
        page.fill("input[name=name]", name)  # the same name again: refused, in the page's language
        page.click("[data-testid=identity-form] button[type=submit]")
        page.locator("#id-message.bad").wait_for(timeout=30_000)
        assert "already has a user" in page.locator("#id-message").inner_text()
        page.screenshot(path=str(SHOTS / "identities-desktop-en.png"), full_page=True)
        page.once("dialog", lambda dialog: dialog.accept())
        page.click(f"[data-testid=revoke-{name}]")
        page.locator(f"tr[data-user='farm/{name}'] .valid.bad").wait_for(timeout=60_000)
        for lang, width, height in (("zh", 1280, 800), ("en", 390, 844), ("zh", 390, 844)):
            context = browser.new_context(viewport={"width": width, "height": height})
            context.add_cookies([{"name": "lang", "value": lang, "url": server.url}])
            shot = context.new_page()
            shot.goto(f"{server.url}/identities")
            text = shot.locator("[data-testid=identities]").inner_text()
            assert ("已吊销" if lang == "zh" else "revoked") in text
            kind = "desktop" if width > 600 else "phone"
            shot.screenshot(path=str(SHOTS / f"identities-{kind}-{lang}.png"), full_page=True)
            context.close()
        browser.close()
    assert IdentityService(ca_network).user("farm", name).revoked


def test_every_storyboard_rehearses_on_ca_identities(ca_network: FabricNetwork) -> None:
    """`make rehearse` on this network: every scene passes, and the attribute scene runs (not skipped)."""
    from fabdemo.storyboard.rehearse import rehearse_all, write_report

    report = _run(rehearse_all(ca_network, SETTINGS, print))
    path = write_report(report, ARTIFACTS / "rehearsals")
    print({s["id"]: (s["passed"], s["elapsed_s"]) for s in report["storyboards"]}, path)
    assert report["identities"] == "ca"
    for story in report["storyboards"]:
        failed = [(sc["scene"], sc["actions"], sc["expectations"]) for sc in story["scenes"] if not sc["passed"]]
        assert story["passed"], failed
        assert story["within_budget"]
        assert not [sc["scene"] for sc in story["scenes"] if sc["skipped"]]  # nothing is for another network here
    scenes = {(s["id"], sc["scene"]): sc for s in report["storyboards"] for sc in s["scenes"]}
    attributes = scenes[("architects", "attributes")]
    actions = {a["id"]: a for a in attributes["actions"]}
    assert actions["clerk_refused"]["ok"] and actions["clerk_refused"]["error"]["key"] == "ATTRIBUTE_REQUIRED"
    assert actions["after_revoke"]["ok"] and actions["after_revoke"]["error"]["code"] == "IDENTITY_REVOKED"
    assert all(e["ok"] for e in attributes["expectations"]) and len(attributes["expectations"]) == 6


def test_presenter_runs_the_attribute_scene_in_a_real_browser(ca_network: FabricNetwork) -> None:
    """The architects' attribute scene in the presenter view: the refusal, then the inspector's release."""
    with _app_in_chromium(ca_network) as (server, browser):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{server.url}/present")
        page.get_by_test_id("start-architects").click()
        page.get_by_test_id("next").click()
        page.get_by_test_id("scene-title").filter(has_text="attributes in the certificate").wait_for()
        assert not page.get_by_test_id("scene-skipped").count()  # it runs on this network
        page.get_by_test_id("run-scene").click()
        result = page.get_by_test_id("run-result")
        result.filter(has_text="revoked; the CRL is in the channel config").wait_for(timeout=90_000)
        text = result.inner_text()
        assert "✗" not in text, text
        assert "refused as expected: FORBIDDEN" in text and "role=inspector" in text
        assert "signed by inspector-" in text and "IDENTITY_REVOKED" in text
        page.screenshot(path=str(SHOTS / "presenter-attributes-en.png"), full_page=True)
        zh = browser.new_context(viewport={"width": 1280, "height": 900})
        zh.add_cookies([{"name": "lang", "value": "zh", "url": server.url}])
        shot = zh.new_page()
        shot.goto(f"{server.url}/present")  # the same session: the scene's report, now in Chinese
        shot.get_by_test_id("run-result").filter(has_text="签名人 inspector-").wait_for(timeout=30_000)
        assert "按预期被拒绝" in shot.get_by_test_id("run-result").inner_text()
        shot.screenshot(path=str(SHOTS / "presenter-attributes-zh.png"), full_page=True)
        browser.close()


def test_add_org_with_its_own_ca_and_reset_back(ca_network: FabricNetwork, product: str) -> None:
    """Runs last: a fourth org changes MAJORITY. Its CA starts and enrolls it; a reset rewinds CA and ledgers."""
    ca_network.save_snapshot("before-carrier", lambda _m: None)
    identities = IdentityService(ca_network)
    after_snapshot = f"sam{uuid.uuid4().hex[:4]}"
    identities.register("retail", after_snapshot, "role=auditor")

    assert ca_network.add_org("carrier", lambda _m: None) == "added"
    status = {s.name: s for s in ca_network.nodes.status()}
    assert status["ca.carrier.example.com"].healthy and status["peer0.carrier.example.com"].healthy
    carrier = ca_network.topology.peer_org("carrier")
    issued = x509.load_pem_x509_certificate(
        (ca_network.layout.user_msp(carrier) / "signcerts" / "cert.pem").read_bytes()
    )
    assert (
        issued.issuer.rfc4514_string()
        == x509.load_pem_x509_certificate(ca_network.layout.peer_tls_ca(carrier).read_bytes()).subject.rfc4514_string()
    )
    assert identities.register("carrier", "driver1", "role=auditor").enrolled

    ca_network.restore_snapshot("before-carrier", lambda _m: None)
    status = {s.name: s for s in ca_network.nodes.status()}
    assert "ca.carrier.example.com" not in status
    assert all(s.healthy for s in status.values() if s.kind == "ca")
    # the CA registries rewound with the ledgers: the user registered after the snapshot is gone
    assert after_snapshot not in [u.name for u in identities.users("retail")]
    _harvest(ca_network, f"LOT-CA-{uuid.uuid4().hex[:8]}", product)
