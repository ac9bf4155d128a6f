"""Crypto material: cryptogen for orgs and nodes, plus TLS certificates for the chaincode servers.

Node certificates carry 127.0.0.1 and localhost as extra names because every node of the native
runtime listens on loopback and dials the others there; clients may still override the TLS server
name with the canonical host name, as the official clients do.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import stat
import subprocess
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from fabdemo.network.layout import StateLayout
from fabdemo.network.topology import PeerOrg, Topology

LOOPBACK_SANS = ["localhost", "127.0.0.1"]
PRIVATE_KEY_NAMES = ("priv_sk", "*_sk", "*.key")


def crypto_config(topology: Topology) -> dict:
    """The cryptogen input for the topology (orgs, node names, extra SANs, Node OUs)."""
    orderer = topology.orderer_org
    return {
        "OrdererOrgs": [
            {
                "Name": orderer.key,
                "Domain": orderer.domain,
                "EnableNodeOUs": True,
                "Specs": [{"Hostname": n.name, "SANS": LOOPBACK_SANS} for n in orderer.nodes],
            }
        ],
        "PeerOrgs": [
            {
                "Name": org.key,
                "Domain": org.domain,
                "EnableNodeOUs": True,
                "Specs": [{"Hostname": org.peer.name, "SANS": LOOPBACK_SANS}],
                "Users": {"Count": 1},
            }
            for org in topology.peer_orgs
        ],
    }


def generate(topology: Topology, layout: StateLayout, cryptogen: Path) -> None:
    _cryptogen(topology, layout, cryptogen, "generate", f"--output={layout.crypto}")
    for org in topology.peer_orgs:
        issue_chaincode_server_tls(layout, org)
    restrict_private_keys(layout.root)


def extend(topology: Topology, layout: StateLayout, cryptogen: Path, org: PeerOrg) -> None:
    """Generate material for an org joining later; existing orgs' material is left untouched."""
    _cryptogen(topology, layout, cryptogen, "extend", f"--input={layout.crypto}")
    issue_chaincode_server_tls(layout, org)
    restrict_private_keys(layout.root)


def restrict_private_keys(root: Path) -> list[Path]:
    """Make every private key under ``root`` readable by its owner only (0600); returns those changed.

    cryptogen already writes 0600; this is the one place that guarantees it for whatever else writes a
    key (the chaincode servers' TLS keys below, a future tool), so no group or world can read one.
    """
    changed: list[Path] = []
    for pattern in PRIVATE_KEY_NAMES:
        for path in root.rglob(pattern):
            if path.is_file() and stat.S_IMODE(path.stat().st_mode) & 0o077:
                path.chmod(0o600)
                changed.append(path)
    return changed


def _write_private(path: Path, data: bytes) -> None:
    """Write a private key that is never readable by others, not even between creation and a chmod."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    path.chmod(0o600)  # an existing file keeps its old mode under O_CREAT


def _cryptogen(topology: Topology, layout: StateLayout, cryptogen: Path, command: str, folder_arg: str) -> None:
    layout.config.mkdir(parents=True, exist_ok=True)
    config_file = layout.config / "crypto-config.yaml"
    config_file.write_text(yaml.safe_dump(crypto_config(topology), sort_keys=False))
    proc = subprocess.run(
        [str(cryptogen), command, f"--config={config_file}", folder_arg], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"cryptogen {command} failed: {proc.stderr.strip()}")


def issue_chaincode_server_tls(layout: StateLayout, org: PeerOrg) -> None:
    """Sign a server certificate for the org's chaincode server with the org's TLS CA.

    The peer dials the chaincode server over TLS and checks it against that CA (``root_cert`` in
    connection.json), so the chaincode traffic is encrypted like every other endpoint.
    """
    ca_cert = x509.load_pem_x509_certificate(layout.peer_tls_ca(org).read_bytes())
    ca_key = serialization.load_pem_private_key(layout.peer_tls_ca_key(org).read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    host = layout.chaincode_server_name(org)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName(host),
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    tls_dir = layout.chaincode_tls_dir(org)
    tls_dir.mkdir(parents=True, exist_ok=True)
    (tls_dir / "server.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_private(
        tls_dir / "server.key",
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )
    (tls_dir / "ca.crt").write_bytes(layout.peer_tls_ca(org).read_bytes())
