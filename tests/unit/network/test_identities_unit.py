"""CA identities without a network: the topology choice, the binaries lookup, NodeOUs, attribute parsing."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fabdemo.network import binaries
from fabdemo.network.enrollment import node_ou_config
from fabdemo.network.fabricca import ca_orgs, ca_spec
from fabdemo.network.layout import StateLayout
from fabdemo.network.nodes import NodeKind
from fabdemo.network.topology import FabricCAPin, load_topology
from fabdemo.service.errors import ServiceError
from fabdemo.service.identities import ATTRS_OID, certificate_attrs, parse_attrs

TOPOLOGY = Path(__file__).resolve().parents[3] / "network" / "topology.yaml"
PIN = FabricCAPin("1.5.15", "github.com/hyperledger/fabric-ca", "v1.5.15")


def test_identities_default_to_cryptogen_and_ca_is_selectable() -> None:
    assert load_topology(TOPOLOGY).identities == "cryptogen"
    topology = load_topology(TOPOLOGY, identities="ca", port_offset=100)
    assert topology.uses_ca and topology.fabric_ca == PIN
    orgs = ca_orgs(topology)
    assert [o.kind for o in orgs] == ["orderer", "peer", "peer", "peer"]
    # every CA port is shifted with the offset and counted among the topology's ports
    assert all(set(o.ca.ports) <= set(topology.all_ports()) for o in orgs)
    assert topology.orderer_org.ca is not None and topology.orderer_org.ca.port == 9054 + 100
    with pytest.raises(KeyError):
        load_topology(TOPOLOGY, identities="ldap")


def test_ca_spec_is_a_node_health_checked_on_cainfo(tmp_path: Path) -> None:
    topology = load_topology(TOPOLOGY, identities="ca")
    org = ca_orgs(topology)[1]
    spec = ca_spec(StateLayout(tmp_path), org, binaries.FabricCAInstall(tmp_path, "cache"))
    assert spec.kind == NodeKind.CA and spec.health_path == "/cainfo"
    assert spec.operations_address == f"127.0.0.1:{org.ca.port}"
    command = " ".join(spec.command)
    assert "--tls.enabled" in command and f"127.0.0.1:{org.ca.operations_port}" in command
    # the registrar's secret is made once and kept private
    secret_file = tmp_path / "nodes" / org.host / "bootstrap.secret"
    assert oct(secret_file.stat().st_mode & 0o777) == "0o600"
    assert ca_spec(StateLayout(tmp_path), org, binaries.FabricCAInstall(tmp_path, "cache")).command == spec.command


def test_fabric_ca_bin_is_honoured_and_checked(tmp_path: Path) -> None:
    with pytest.raises(binaries.SetupError, match="lacks fabric-ca-client"):
        (tmp_path / "fabric-ca-server").write_text("#!/bin/sh\n")
        os.chmod(tmp_path / "fabric-ca-server", 0o755)
        binaries.locate_ca(tmp_path / "cache", PIN, tmp_path)
    (tmp_path / "fabric-ca-client").write_text("#!/bin/sh\n")
    os.chmod(tmp_path / "fabric-ca-client", 0o755)
    found = binaries.locate_ca(tmp_path / "cache", PIN, tmp_path)
    assert found is not None and found.source == "FABRIC_CA_BIN" and found.client == tmp_path / "fabric-ca-client"
    assert binaries.locate_ca(tmp_path / "empty-cache", PIN, None) is None  # ensure_ca would build


def test_node_ous_point_at_the_org_ca() -> None:
    org = ca_orgs(load_topology(TOPOLOGY, identities="ca"))[1]
    ous = node_ou_config(org)["NodeOUs"]
    assert ous["Enable"] is True
    for ou in ("client", "peer", "admin", "orderer"):
        entry = ous[f"{ou.capitalize()}OUIdentifier"]
        assert entry == {"Certificate": "cacerts/ca.farm.example.com-cert.pem", "OrganizationalUnitIdentifier": ou}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("role=inspector", {"role": "inspector"}),
        ("role=inspector+recall-manager,dept=qa", {"role": "inspector+recall-manager", "dept": "qa"}),
        ("", {}),
        ({"role": "auditor"}, {"role": "auditor"}),
    ],
)
def test_attributes_parse(text, expected) -> None:
    assert parse_attrs(text) == expected


@pytest.mark.parametrize("text", ["role=wizard", "hf.Type=admin", "role", "=x", "role=a b", "role=inspector+boss"])
def test_bad_attributes_are_refused_in_both_languages(text: str) -> None:
    with pytest.raises(ServiceError) as err:
        parse_attrs(text)
    assert err.value.code == "INVALID_ARGUMENT" and err.value.field == "attrs"
    assert err.value.message and err.value.message_zh and err.value.message != err.value.message_zh


def _cert(extensions: list[x509.ExtensionType]) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "alice")])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
    )
    for ext in extensions:
        builder = builder.add_extension(ext, critical=False)
    from cryptography.hazmat.primitives import serialization

    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def test_certificate_attributes_are_read_from_the_fabric_ca_extension() -> None:
    value = json.dumps({"attrs": {"hf.EnrollmentID": "alice", "role": "inspector"}}).encode()
    assert certificate_attrs(_cert([x509.UnrecognizedExtension(ATTRS_OID, value)]))["role"] == "inspector"
    assert certificate_attrs(_cert([])) == {}  # a cryptogen certificate
