"""Crypto material from the orgs' Fabric CAs (IDENTITIES=ca), in the very layout cryptogen writes.

For each org: its nodes (type peer or orderer), its admin (type admin) and its app user ``User1``
(type client) are registered and enrolled, each node and the admin also with the ``tls`` profile. The
results are put where cryptogen would put them (``layout.py``), with a NodeOUs ``config.yaml`` in
every MSP, so the node configs, the channel config, env files, connection profiles and the app read
the same paths whichever source made them.

``User1`` is the identity the app, the storyboards and the CLI sample act with. It is registered
with every role attribute (:data:`APP_USER_ROLES`), because it stands for the org's operators as a
whole; individual people get narrower ones (``make user ... ATTRS=role=inspector``).
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from fabdemo.network.admin import in_parallel
from fabdemo.network.binaries import FabricCAInstall
from fabdemo.network.crypto import LOOPBACK_SANS, restrict_private_keys
from fabdemo.network.fabricca import CAClient, CAOrg, ca_orgs, peer_ca_org
from fabdemo.network.layout import StateLayout
from fabdemo.network.topology import PeerOrg, Topology

# The role attribute (``role``, several roles joined by "+") that the contract's attribute checks read.
ROLE_ATTRIBUTE = "role"
APP_USER_ROLES = "inspector+recall-manager"
NODE_OUS = ("client", "peer", "admin", "orderer")


def org_dir(layout: StateLayout, topology: Topology, org: CAOrg) -> Path:
    if org.kind == "orderer":
        return layout.orderer_org_dir(topology)
    return layout.crypto / "peerOrganizations" / org.domain


def ca_cert_name(org: CAOrg) -> str:
    return f"ca.{org.domain}-cert.pem"


def node_ou_config(org: CAOrg) -> dict:
    """The MSP's config.yaml: NodeOUs on, every OU identified by the org's CA certificate."""
    cert = f"cacerts/{ca_cert_name(org)}"
    ous = {
        f"{ou.capitalize()}OUIdentifier": {"Certificate": cert, "OrganizationalUnitIdentifier": ou} for ou in NODE_OUS
    }
    return {"NodeOUs": {"Enable": True, **ous}}


def _key_for(keystore: Path, cert_pem: bytes) -> Path:
    """The key file in ``keystore`` whose public key is the certificate's (a keystore may hold several)."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    wanted = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    for path in sorted(keystore.iterdir()):
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError):
            continue  # the CA home's keystore also holds Idemix keys
        public = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if public == wanted:
            return path
    raise FileNotFoundError(f"no key in {keystore} matches its certificate")


def _matching_key(msp: Path) -> Path:
    return _key_for(msp / "keystore", next((msp / "signcerts").iterdir()).read_bytes())


def normalise_msp(msp: Path, org: CAOrg, ca_pem: bytes) -> None:
    """Shape a fabric-ca-client MSP like cryptogen's: one ``priv_sk``, one ``cert.pem``, named CA certs."""
    key = _matching_key(msp)
    for path in (msp / "keystore").iterdir():
        if path != key:
            path.unlink()
    if key.name != "priv_sk":
        key.rename(msp / "keystore" / "priv_sk")
    for folder in ("cacerts", "tlscacerts"):
        if (msp / folder).exists():
            shutil.rmtree(msp / folder)
    (msp / "cacerts").mkdir()
    (msp / "cacerts" / ca_cert_name(org)).write_bytes(ca_pem)
    (msp / "tlscacerts").mkdir()
    (msp / "tlscacerts" / f"tlsca.{org.domain}-cert.pem").write_bytes(ca_pem)
    (msp / "config.yaml").write_text(yaml.safe_dump(node_ou_config(org), sort_keys=False))


def _tls_folder(enrolled: Path, target: Path, ca_pem: bytes, role: str) -> None:
    """``server.crt``/``server.key`` (nodes) or ``client.crt``/``client.key`` (admins), plus ``ca.crt``."""
    key = _matching_key(enrolled)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(next((enrolled / "signcerts").iterdir()), target / f"{role}.crt")
    shutil.copyfile(key, target / f"{role}.key")
    (target / f"{role}.key").chmod(0o600)
    (target / "ca.crt").write_bytes(ca_pem)


class OrgEnrollment:
    """Registers and enrolls one org's identities through its CA."""

    def __init__(self, layout: StateLayout, topology: Topology, org: CAOrg, install: FabricCAInstall) -> None:
        self.layout = layout
        self.topology = topology
        self.org = org
        self.client = CAClient(layout, org, install)
        self.root = org_dir(layout, topology, org)

    @property
    def ca_pem(self) -> bytes:
        return self.layout.ca_cert(self.org.host).read_bytes()

    def identity(
        self,
        name: str,
        id_type: str,
        msp: Path,
        *,
        tls_dir: Path | None = None,
        tls_role: str = "server",
        hosts: list[str] | None = None,
        attrs: dict[str, str] | None = None,
    ) -> None:
        """Register ``name`` and enroll it into ``msp`` (and with the tls profile into ``tls_dir``)."""
        secret = secrets.token_hex(8)
        self.client.register(name, secret, id_type, attrs)
        self.enroll(name, secret, msp, tls_dir=tls_dir, tls_role=tls_role, hosts=hosts)

    def enroll(
        self,
        name: str,
        secret: str,
        msp: Path,
        *,
        tls_dir: Path | None = None,
        tls_role: str = "server",
        hosts: list[str] | None = None,
    ) -> None:
        if msp.exists():
            shutil.rmtree(msp)
        self.client.enroll(name, secret, msp, hosts=hosts)
        normalise_msp(msp, self.org, self.ca_pem)
        if tls_dir is not None:
            with tempfile.TemporaryDirectory(dir=self.layout.root) as scratch:
                enrolled = Path(scratch) / "tls"
                self.client.enroll(name, secret, enrolled, tls=True, hosts=hosts)
                _tls_folder(enrolled, tls_dir, self.ca_pem, tls_role)

    def org_folders(self) -> None:
        """The org's MSP (what the channel config holds), its ca/ and tlsca/ with the CA's key."""
        org, pem = self.org, self.ca_pem
        msp = self.root / "msp"
        for folder in ("cacerts", "tlscacerts"):
            (msp / folder).mkdir(parents=True, exist_ok=True)
        (msp / "cacerts" / ca_cert_name(org)).write_bytes(pem)
        (msp / "tlscacerts" / f"tlsca.{org.domain}-cert.pem").write_bytes(pem)
        (msp / "config.yaml").write_text(yaml.safe_dump(node_ou_config(org), sort_keys=False))
        # The CA's own key, where cryptogen keeps its CA keys: the chaincode servers' TLS certificates
        # are signed with it (crypto.issue_chaincode_server_tls), as with cryptogen.
        key = _key_for(self.layout.ca_home(org.host) / "msp" / "keystore", pem)
        for folder, name in (("ca", ca_cert_name(org)), ("tlsca", f"tlsca.{org.domain}-cert.pem")):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            (self.root / folder / name).write_bytes(pem)
            shutil.copyfile(key, self.root / folder / "priv_sk")
            (self.root / folder / "priv_sk").chmod(0o600)

    def users_dir(self, name: str) -> Path:
        return self.root / "users" / f"{name}@{self.org.domain}"

    def all_identities(self, node_hosts: list[str]) -> None:
        self.client.enroll_registrar()
        self.org_folders()
        node_type = "orderer" if self.org.kind == "orderer" else "peer"
        node_folder = "orderers" if self.org.kind == "orderer" else "peers"
        for host in node_hosts:
            node = self.root / node_folder / host
            self.identity(host, node_type, node / "msp", tls_dir=node / "tls", hosts=[host, *LOOPBACK_SANS])
        admin = self.users_dir("Admin")
        self.identity("Admin", "admin", admin / "msp", tls_dir=admin / "tls", tls_role="client")
        if self.org.kind == "peer":
            self.identity("User1", "client", self.users_dir("User1") / "msp", attrs={ROLE_ATTRIBUTE: APP_USER_ROLES})


def _node_hosts(topology: Topology, org: CAOrg) -> list[str]:
    if org.kind == "orderer":
        return [node.host for node in topology.orderer_org.nodes]
    return [topology.peer_org(org.key).peer.host]


def enroll_all(topology: Topology, layout: StateLayout, install: FabricCAInstall) -> None:
    """Every org's identities, orgs in parallel (the CAs are independent); the CAs must be running."""

    def one(org: CAOrg) -> None:
        OrgEnrollment(layout, topology, org, install).all_identities(_node_hosts(topology, org))

    in_parallel(ca_orgs(topology), one)
    restrict_private_keys(layout.root)


def enroll_org(topology: Topology, layout: StateLayout, install: FabricCAInstall, org: PeerOrg) -> None:
    """An org joining later (``make add-org``): its CA must be running."""
    ca_org = peer_ca_org(org)
    root = org_dir(layout, topology, ca_org)
    if root.exists():
        shutil.rmtree(root)  # material of an earlier CA of this org (its CA folder was reset away)
    OrgEnrollment(layout, topology, ca_org, install).all_identities([org.peer.host])
    restrict_private_keys(layout.root)
