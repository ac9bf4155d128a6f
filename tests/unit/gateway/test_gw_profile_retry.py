from __future__ import annotations

import json

import pytest
from gw_fakes import MVCC, ChaincodeFailure, FakeGateway

from fabric_gateway import (
    EndorseError,
    MvccConflictError,
    connect,
    read_profile,
    submit_with_retry,
    write_profile,
)
from fabric_gateway.connection import ChannelCache
from fabric_gateway.profile import (
    CertificateAuthorityInfo,
    ChannelInfo,
    ChannelPeerRoles,
    ConnectionProfile,
    NodeInfo,
    OrganizationInfo,
    TlsCaCerts,
)
from fabric_gateway.retry import backoff_delay


def _profile() -> ConnectionProfile:
    return ConnectionProfile(
        name="demo-network",
        description="two orgs",
        client_organization="Org1",
        client_extra={"connection": {"timeout": {"peer": {"endorser": "300"}}}},
        organizations=[
            OrganizationInfo(
                name="Org1",
                msp_id="Org1MSP",
                peers=["peer0.org1.example.com"],
                certificate_authorities=["ca.org1.example.com"],
                admin_private_key_path="/crypto/org1/admin/keystore/priv_sk",
                signed_cert_path="/crypto/org1/admin/signcerts/cert.pem",
            ),
            OrganizationInfo(name="Org2", msp_id="Org2MSP", peers=["peer0.org2.example.com"]),
        ],
        peers=[
            NodeInfo(
                "peer0.org1.example.com",
                "grpcs://localhost:7051",
                TlsCaCerts(path="/crypto/org1/tls/ca.crt"),
                ssl_target_name_override="peer0.org1.example.com",
            ),
            NodeInfo("peer0.org2.example.com", "grpcs://localhost:9051", TlsCaCerts(pem="-----BEGIN...")),
        ],
        orderers=[NodeInfo("orderer.example.com", "grpcs://localhost:7050", TlsCaCerts(path="/o/ca.crt"))],
        certificate_authorities=[
            CertificateAuthorityInfo("ca.org1.example.com", "https://localhost:7054", "ca-org1", TlsCaCerts(path="/c"))
        ],
        channels=[
            ChannelInfo(
                "mychannel",
                orderers=["orderer.example.com"],
                peers={
                    "peer0.org1.example.com": ChannelPeerRoles(),
                    "peer0.org2.example.com": ChannelPeerRoles(event_source=False),
                },
            )
        ],
    )


def test_profile_layout(tmp_path):
    path = write_profile(_profile(), tmp_path / "profiles" / "demo.json")
    data = json.loads(path.read_text())
    assert data["name"] == "demo-network" and data["version"] == "1.0.0"
    assert data["client"] == {
        "organization": "Org1",
        "connection": {"timeout": {"peer": {"endorser": "300"}}},
    }
    org1 = data["organizations"]["Org1"]
    assert org1["mspid"] == "Org1MSP"
    assert org1["peers"] == ["peer0.org1.example.com"]
    assert org1["adminPrivateKey"] == {"path": "/crypto/org1/admin/keystore/priv_sk"}
    assert org1["signedCert"] == org1["signedCertPEM"] == {"path": "/crypto/org1/admin/signcerts/cert.pem"}
    peer = data["peers"]["peer0.org1.example.com"]
    assert peer["url"] == "grpcs://localhost:7051"
    assert peer["tlsCACerts"] == {"path": "/crypto/org1/tls/ca.crt"}
    assert peer["grpcOptions"] == {
        "ssl-target-name-override": "peer0.org1.example.com",
        "hostnameOverride": "peer0.org1.example.com",
    }
    assert data["orderers"]["orderer.example.com"]["url"] == "grpcs://localhost:7050"
    assert data["certificateAuthorities"]["ca.org1.example.com"]["caName"] == "ca-org1"
    roles = data["channels"]["mychannel"]["peers"]["peer0.org2.example.com"]
    assert roles == {"endorsingPeer": True, "chaincodeQuery": True, "ledgerQuery": True, "eventSource": False}


def test_profile_round_trip(tmp_path):
    profile = _profile()
    path = write_profile(profile, tmp_path / "demo.json")
    loaded = read_profile(path)
    assert loaded.to_dict() == profile.to_dict()
    assert loaded.organization("Org1MSP").name == "Org1"
    assert loaded.peer("peer0.org1.example.com").server_name == "peer0.org1.example.com"


def test_gateway_options_from_profile():
    profile = _profile()
    assert profile.gateway_options() == {
        "endpoint": "localhost:7051",
        "server_name_override": "peer0.org1.example.com",
        "tls_root_cert_path": "/crypto/org1/tls/ca.crt",
    }
    options = profile.gateway_options("peer0.org2.example.com")
    assert options["tls_root_cert"] == b"-----BEGIN..."
    assert options["server_name_override"] == "localhost"


def test_read_profile_accepts_alternative_spellings(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps(
            {
                "name": "x",
                "organizations": {"O": {"mspid": "OMSP", "adminPrivateKeyPEM": {"path": "/k"}}},
                "peers": {"p": {"url": "grpc://h:1", "tlsCACerts": {"pem": ["a", "b"]}}},
            }
        )
    )
    profile = read_profile(path)
    assert profile.organizations[0].admin_private_key_path == "/k"
    assert profile.peers[0].tls_ca_certs.pem == "ab"
    assert profile.gateway_options("p")["insecure"] is True


@pytest.fixture
def contract(server, credentials):
    with connect(
        server.endpoint,
        insecure=True,
        identity=credentials.identity,
        signer=credentials.signer,
        cache=ChannelCache(),
    ) as gw:
        yield gw.get_network("mychannel").get_contract("basic")


def test_submit_with_retry_retries_mvcc_only(contract, fake: FakeGateway):
    fake.commit_codes["Echo"] = [MVCC, MVCC]
    assert submit_with_retry(contract, "Echo", "v", attempts=3, backoff=0.001) == b"v"
    assert len(fake.ledger.blocks) == 4  # genesis + 3 attempts, each a new transaction

    fake.commit_codes["Echo"] = [MVCC, MVCC, MVCC]
    with pytest.raises(MvccConflictError):
        submit_with_retry(contract, "Echo", "v", attempts=3, backoff=0.001)

    calls = []

    def failing(_inv):
        calls.append(1)
        raise ChaincodeFailure(500, "no")

    fake.handlers["Fail"] = failing
    with pytest.raises(EndorseError):
        submit_with_retry(contract, "Fail", attempts=3, backoff=0.001)
    assert len(calls) == 1


def test_submit_with_retry_callable(contract, fake: FakeGateway):
    fake.commit_codes["Transient"] = [MVCC]

    def set_price(c, lot):
        return c.submit("Transient", arguments=[lot], transient_data={"price": b"9"})

    assert submit_with_retry(contract, set_price, "LOT-1", backoff=0.001) == b"9"


def test_backoff_delay():
    assert backoff_delay(0.1, 1, jitter=False) == pytest.approx(0.1)
    assert backoff_delay(0.1, 3, jitter=False) == pytest.approx(0.4)
    assert 0.2 <= backoff_delay(0.1, 3) <= 0.4
    assert backoff_delay(lambda n: n * 2.0, 2) == 4.0
    with pytest.raises(ValueError):
        submit_with_retry(None, "x", attempts=0)  # type: ignore[arg-type]
