"""Fabric CA servers (IDENTITIES=ca): one per org, as nodes, and the ``fabric-ca-client`` calls made to them.

Each org (the orderer org too) runs one ``fabric-ca-server`` that issues both its enrollment
certificates and its TLS certificates (the ``tls`` signing profile), as fabric-samples' test-network
does with ``-ca``. One CA root per org is then both the MSP root and the TLS root: the simplest setup
that is still correct, since Fabric checks signatures against ``cacerts`` and TLS against
``tlscacerts`` independently. The server's own TLS certificate is generated at first start by the
server itself, signed by that same CA root, so clients trust ``ca-cert.pem`` and nothing else.

Every call goes through the official ``fabric-ca-client`` (register, enroll, reenroll, revoke, gencrl)
acting as the CA's bootstrap admin (the registrar). Listing identities reads the CA's SQLite database
read-only: the client has no machine-readable list and does not show whether an identity is revoked.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fabdemo.network.binaries import FabricCAInstall
from fabdemo.network.layout import StateLayout
from fabdemo.network.nodes import NodeKind, NodeSpec
from fabdemo.network.topology import LOCALHOST, CAServer, PeerOrg, Topology

REGISTRAR = "admin"
CA_TIMEOUT = 60.0


class CAError(RuntimeError):
    """A ``fabric-ca-client`` call failed; ``output`` holds what it said."""

    def __init__(self, command: list[str], output: str) -> None:
        self.command = command
        self.output = output
        super().__init__(
            f"`fabric-ca-client {command[1] if len(command) > 1 else ''}` failed: {output.strip()[-1500:]}"
        )


@dataclass(frozen=True)
class CAOrg:
    """What a CA serves: one org (peer org or the orderer org)."""

    key: str
    msp_id: str
    domain: str
    ca: CAServer
    kind: str  # "peer" or "orderer"

    @property
    def host(self) -> str:
        return self.ca.host

    @property
    def ca_name(self) -> str:
        return f"ca-{self.key}"


def orderer_ca_org(topology: Topology) -> CAOrg | None:
    org = topology.orderer_org
    return CAOrg(org.key, org.msp_id, org.domain, org.ca, "orderer") if org.ca else None


def peer_ca_org(org: PeerOrg) -> CAOrg:
    if org.ca is None:
        raise ValueError(f"{org.key} has no `ca:` entry in topology.yaml (needed for IDENTITIES=ca)")
    return CAOrg(org.key, org.msp_id, org.domain, org.ca, "peer")


def ca_orgs(topology: Topology) -> list[CAOrg]:
    """Every org of the topology that needs a CA now: the orderer org and the member peer orgs."""
    found = [peer_ca_org(org) for org in topology.peer_orgs]
    orderer = orderer_ca_org(topology)
    if orderer is None:
        raise ValueError("the orderer org has no `ca:` entry in topology.yaml (needed for IDENTITIES=ca)")
    return [orderer, *found]


def declared_ca_orgs(topology: Topology) -> list[CAOrg]:
    """Every org topology.yaml gives a CA, joinable orgs included (docker-compose.yaml has them all)."""
    orderer = orderer_ca_org(topology)
    peers = [peer_ca_org(org) for org in (*topology.peer_orgs, *topology.joinable_orgs) if org.ca is not None]
    return [orderer, *peers] if orderer else peers


def bootstrap_secret_file(layout: StateLayout, host: str) -> Path:
    """Where the registrar's password is kept: beside the CA's home, never in a command or compose file."""
    return layout.node_dir(host) / "bootstrap.secret"


def bootstrap_secret(layout: StateLayout, org: CAOrg) -> str:
    """The registrar's password, made once per network (0600 in the CA's folder)."""
    path = bootstrap_secret_file(layout, org.host)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(12))
    return path.read_text().strip()


def registrar_flag(secret: str) -> tuple[str, str]:
    """The bootstrap identity flag; the Compose service passes a shell ``$(cat ...)`` of the secret file."""
    return ("-b", f"{REGISTRAR}:{secret}")


def server_args(
    org: CAOrg, home: str, listen_host: str, port: int | str, operations_port: int | str
) -> tuple[str, ...]:
    """``fabric-ca-server``'s arguments after the binary, minus the registrar: the one flag list both runtimes
    run. Natively the ports are numbers; in docker-compose.yaml they are the Compose port variables."""
    return (
        "start",
        "--home",
        home,
        "--port",
        str(port),
        "--address",
        listen_host,
        "--ca.name",
        org.ca_name,
        "--csr.cn",
        org.host,
        # The server's TLS certificate names its host (the app container dials it by name) and loopback.
        "--csr.hosts",
        ",".join((org.host, "localhost", "127.0.0.1")),
        "--tls.enabled",
        # Its operations listener defaults to 127.0.0.1:9443, which orderer1 uses: give it its own.
        "--operations.listenaddress",
        f"{listen_host}:{operations_port}",
        "--cfg.identities.allowremove",
    )


def ca_spec(layout: StateLayout, org: CAOrg, install: FabricCAInstall) -> NodeSpec:
    """The CA as a node. The Compose runtime runs the same ``server_args`` from docker-compose.yaml."""
    home = str(layout.ca_home(org.host))
    args = server_args(org, home, LOCALHOST, org.ca.port, org.ca.operations_port)
    command = (str(install.server), *args, *registrar_flag(bootstrap_secret(layout, org)))
    return NodeSpec(
        name=org.host,
        kind=NodeKind.CA,
        org_key=org.key,
        msp_id=org.msp_id,
        command=command,
        env={},
        cwd=layout.node_dir(org.host),
        ports=org.ca.ports,
        # Ready when /cainfo answers over TLS, checked against the CA's own root certificate.
        operations_address=org.ca.address,
        tls_ca=layout.ca_cert(org.host),
        health_path="/cainfo",
    )


def ca_specs(topology: Topology, layout: StateLayout, install: FabricCAInstall) -> list[NodeSpec]:
    return [ca_spec(layout, org, install) for org in ca_orgs(topology)]


class CAClient:
    """``fabric-ca-client`` against one org's CA, as its registrar."""

    def __init__(self, layout: StateLayout, org: CAOrg, install: FabricCAInstall) -> None:
        self.layout = layout
        self.org = org
        self.install = install

    @property
    def registrar_msp(self) -> Path:
        return self.layout.ca_registrar_msp(self.org.host)

    def _run(self, args: list[str], timeout: float = CA_TIMEOUT) -> str:
        command = [
            str(self.install.client),
            *args,
            "--caname",
            self.org.ca_name,
            "--tls.certfiles",
            str(self.layout.ca_cert(self.org.host)),
        ]
        home = self.layout.ca_client_home(self.org.host)
        home.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={"FABRIC_CA_CLIENT_HOME": str(home), "PATH": "/usr/bin:/bin"},
        )
        if proc.returncode != 0:
            raise CAError(command, proc.stderr + proc.stdout)
        return proc.stdout + proc.stderr

    def _url(self, user: str | None = None, secret: str | None = None) -> str:
        auth = f"{user}:{secret}@" if user else ""
        return f"https://{auth}{self.org.ca.address}"

    def enroll_registrar(self) -> None:
        if (self.registrar_msp / "signcerts").is_dir():
            return
        secret = bootstrap_secret(self.layout, self.org)
        self._run(["enroll", "-u", self._url(REGISTRAR, secret), "--mspdir", str(self.registrar_msp)])

    def register(self, name: str, secret: str, id_type: str, attrs: dict[str, str] | None = None) -> None:
        args = ["register", "-u", self._url(), "--mspdir", str(self.registrar_msp)]
        args += ["--id.name", name, "--id.secret", secret, "--id.type", id_type]
        if attrs:
            # ":ecert" puts the attribute into every enrollment certificate by default.
            args += ["--id.attrs", ",".join(f"{k}={v}:ecert" for k, v in attrs.items())]
        self._run(args)

    def enroll(
        self, name: str, secret: str, msp_dir: Path, *, tls: bool = False, hosts: list[str] | None = None
    ) -> None:
        args = ["enroll", "-u", self._url(name, secret), "--mspdir", str(msp_dir)]
        if tls:
            args += ["--enrollment.profile", "tls"]
        if hosts:
            args += ["--csr.hosts", ",".join(hosts)]
        self._run(args)

    def reenroll(self, msp_dir: Path) -> None:
        """A fresh certificate (and key) for an enrolled identity, with the identity's current attributes."""
        self._run(["reenroll", "-u", self._url(), "--mspdir", str(msp_dir)])

    def revoke(self, name: str, reason: str = "keycompromise") -> bytes:
        """Revoke every certificate of ``name`` and return the CA's new CRL (PEM)."""
        self._run(["revoke", "-u", self._url(), "--mspdir", str(self.registrar_msp), "-e", name, "-r", reason])
        return self.gencrl()

    def gencrl(self) -> bytes:
        self._run(["gencrl", "-u", self._url(), "--mspdir", str(self.registrar_msp)])
        return (self.registrar_msp / "crls" / "crl.pem").read_bytes()

    # -- the registry, read-only ----------------------------------------------------------------------
    def identities(self) -> list[dict]:
        """Every registered identity: name, type, attributes (hf.* omitted), revoked or not."""
        db = self.layout.ca_home(self.org.host) / "fabric-ca-server.db"
        if not db.is_file():
            return []
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            users = conn.execute("SELECT id, type, attributes, state FROM users ORDER BY id").fetchall()
            revoked = {
                row[0] for row in conn.execute("SELECT id FROM certificates WHERE status = 'revoked'").fetchall()
            }
            active = {row[0] for row in conn.execute("SELECT id FROM certificates WHERE status = 'good'").fetchall()}
        finally:
            conn.close()
        found = []
        for name, id_type, attributes, state in users:
            attrs = {a["name"]: a["value"] for a in json.loads(attributes or "[]") if not a["name"].startswith("hf.")}
            found.append(
                {
                    "name": name,
                    "type": id_type,
                    "attrs": attrs,
                    # The CA marks a revoked identity with state -1 and its certificates 'revoked'.
                    "revoked": state == -1 or (name in revoked and name not in active),
                }
            )
        return found
