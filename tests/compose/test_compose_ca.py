"""Fabric CA identities (IDENTITIES=ca) on the Compose runtime: a CA container per org ("ca" profile).

Run by `make test-compose` (scripts/test-compose.sh provides the engine and, offline, stand-in images);
skipped otherwise. Its own project, state and ports (+11900, after the runtime test is down): up with
CA-enrolled nodes, a commit, an attribute that allows a quarantine release and its absence that does
not, a revoked user refused, and the app container registering and listing users through its CA
client (the host's fabric-ca-client, mounted) by the CAs' host names. The native counterpart, with
add-org, reset and the browser, is tests/e2e/test_ca.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509

from fabdemo import context
from fabdemo.api.presenter_routes import load_presenter_token
from fabdemo.appcontainer import AppContainer
from fabdemo.network.manager import FabricNetwork
from fabdemo.network.nodes import NodeKind
from fabdemo.service.errors import ServiceError
from fabdemo.service.identities import IdentityService
from fabdemo.service.ledger import LedgerService
from fabdemo.settings import Settings

pytestmark = [
    pytest.mark.compose,
    pytest.mark.skipif(os.environ.get("FABDEMO_COMPOSE_TEST") != "1", reason="run by `make test-compose`"),
]

PORT_OFFSET = int(os.environ.get("FABDEMO_COMPOSE_CA_TEST_PORT_OFFSET", "11900"))
PROJECT = "fabdemo-test-ca"
STATE = Path(__file__).resolve().parents[1] / "artifacts" / "compose-ca-state"
APP_PORT = 8000 + PORT_OFFSET // 1000 + 2  # 8013 by default: beside the runtime test's app on 8012
TIMINGS = Path(__file__).resolve().parents[1] / "artifacts" / "compose-ca-timings.json"


def _settings() -> Settings:
    return Settings(
        state_dir=STATE, port_offset=PORT_OFFSET, runtime="compose", compose_project=PROJECT, identities="ca"
    )


@pytest.fixture(scope="module")
def network() -> Iterator[FabricNetwork]:
    context.open_network(_settings().model_copy(update={"identities": None})).down(lambda _m: None)
    net = context.open_network(_settings(), progress=print)
    started = time.monotonic()
    net.up(print)
    TIMINGS.write_text(json.dumps({"up IDENTITIES=ca": round(time.monotonic() - started, 1)}))
    yield net
    AppContainer(net.runtime.project).stop()
    net.down(print)


def _perform(net: FabricNetwork, op: str, args: dict, user: str | None = None) -> dict:
    async def run() -> dict:
        async with LedgerService(net, follow_blocks=False) as ledger:
            return await ledger.perform("farm", op, args, user=user)

    return asyncio.run(run())


def _harvest(net: FabricNetwork, product: str, user: str | None = None) -> str:
    lot = f"LOT-CCA-{uuid.uuid4().hex[:8]}"
    args = {"lotId": lot, "productId": product, "variety": "Romaine", "quantity": 10, "unit": "kg"}
    args |= {"farmName": "Green Valley", "farmLocation": "Valley Rd 1", "harvestDate": "2026-12-02"}
    _perform(net, "harvest", args, user)
    return lot


def test_nodes_run_in_containers_with_certificates_from_the_ca_containers(network: FabricNetwork) -> None:
    status = network.nodes.status()
    cas = [s for s in status if s.kind == "ca"]
    assert len(cas) == 1 + len(network.topology.peer_orgs)  # the orderer org's CA too
    assert all(s.healthy and s.container and PROJECT in s.container for s in status), status
    layout, farm = network.layout, network.topology.peer_org("farm")
    peer_cert = x509.load_pem_x509_certificate((layout.peer_node_dir(farm) / "msp/signcerts/cert.pem").read_bytes())
    ca_cert = x509.load_pem_x509_certificate(layout.ca_cert(farm.ca.host).read_bytes())
    assert peer_cert.issuer == ca_cert.subject  # issued by the org's CA container, not by cryptogen
    ous = [a.value for a in peer_cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)]
    assert "peer" in ous  # NodeOUs
    # The CA writes its home (bind-mounted from the state dir) as the state dir's owner.
    assert layout.ca_cert(farm.ca.host).stat().st_uid == layout.root.stat().st_uid


def test_attributes_gate_a_release_and_a_revoked_user_is_refused(network: FabricNetwork) -> None:
    product = f"PRD-CCA-{uuid.uuid4().hex[:6]}"
    _perform(network, "define_product", {"productId": product, "name": "Lettuce", "minTempC": 1, "maxTempC": 6})
    # Each _perform is a service of its own (no cross-org catch-up between them): the harvest's other
    # endorser must have the product's block first.
    network.nodes.wait_for_equal_heights((NodeKind.PEER,), 30.0, "the peers to commit the product")
    _harvest(network, product)  # a transaction commits, signed by a CA-enrolled user
    identities = IdentityService(network)
    inspector, consumer = f"ins{uuid.uuid4().hex[:4]}", f"con{uuid.uuid4().hex[:4]}"
    identities.register("farm", inspector, "role=inspector")
    identities.register("farm", consumer, "role=consumer")
    lot = _harvest(network, product)
    hot = _perform(network, "temperature", {"lotId": lot, "celsius": 25, "location": "cold room"})
    assert hot["result"]["status"] == "QUARANTINED"
    with pytest.raises(ServiceError) as refused:
        _perform(network, "release_quarantine", {"lotId": lot, "reason": "ok"}, consumer)
    assert refused.value.key == "ATTRIBUTE_REQUIRED"
    released = _perform(network, "release_quarantine", {"lotId": lot, "reason": "ok"}, inspector)
    assert released["result"]["status"] == "HARVESTED" and released["user"] == inspector

    assert identities.revoke("farm", inspector)["crl_updated"]
    with pytest.raises(ServiceError) as revoked:
        _harvest(network, product, user=inspector)
    assert revoked.value.code == "IDENTITY_REVOKED", revoked.value.to_dict()


def test_the_app_container_registers_and_lists_users_through_the_ca_containers(network: FabricNetwork) -> None:
    url = AppContainer(network.runtime.project).start(port=APP_PORT)
    headers = {"x-fabdemo-presenter": load_presenter_token(STATE), "content-type": "application/json"}
    name = f"app{uuid.uuid4().hex[:4]}"
    body = json.dumps({"org": "retail", "name": name, "attrs": "role=auditor"}).encode()
    # fabric-ca-client in the app container dials ca.retail.example.com on the Compose network.
    created = urllib.request.Request(f"{url}/api/identities", data=body, headers=headers, method="POST")
    with urllib.request.urlopen(created, timeout=60) as response:
        assert response.status == 201 and json.loads(response.read())["attrs"] == {"role": "auditor"}
    listing = urllib.request.Request(f"{url}/api/identities?org=retail", headers=headers)
    with urllib.request.urlopen(listing, timeout=30) as response:
        users = json.loads(response.read())["users"]
    assert any(u["name"] == name and not u["revoked"] for u in users), users
    assert IdentityService(network).user("retail", name).attrs == {"role": "auditor"}  # the host sees it too
