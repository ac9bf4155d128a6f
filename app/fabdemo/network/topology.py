"""The network topology, loaded from ``network/topology.yaml`` into typed objects.

Only this module reads the YAML; everything else asks these objects for names, ports and paths so that
a port or domain is never spelled twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

LOCALHOST = "127.0.0.1"

# The ordering services the kit can run: etcd/raft (2f+1 nodes tolerate f crashes) and SmartBFT
# (3f+1 nodes tolerate f Byzantine faults), Fabric v3's own. Chosen at `make up` with CONSENSUS=<name>.
CONSENSUS_TYPES = ("raft", "bft")

# Where node, admin and user identities come from: cryptogen (generated offline, the default) or one
# Fabric CA server per org (enrolled at start-up, users registered and revoked at run time). Chosen at
# `make up` with IDENTITIES=<name> or topology.yaml's ``identities``.
IDENTITY_SOURCES = ("cryptogen", "ca")


def parse_duration_ms(text: str) -> int:
    """'100ms' -> 100, '2s' -> 2000 (the subset of Go durations the topology uses)."""
    text = str(text).strip()
    if text.endswith("ms"):
        return int(text[:-2])
    if text.endswith("s"):
        return int(float(text[:-1]) * 1000)
    raise ValueError(f"unsupported duration {text!r} (use e.g. 100ms or 2s)")


@dataclass(frozen=True)
class OrdererNode:
    name: str
    org_domain: str
    port: int
    admin_port: int
    operations_port: int
    # Where clients dial the node: 127.0.0.1 from the host (both runtimes publish ports there), or the
    # node's host name from inside the Compose network (the app container).
    dial_by_name: bool = False
    # Position in the BFT consenter mapping (SmartBFT node ids start at 1; topology order).
    consenter_id: int = 0
    # The consensus types whose orderer set includes this node (topology.yaml ``consensus: [bft]``).
    consensus_types: tuple[str, ...] = CONSENSUS_TYPES

    @property
    def host(self) -> str:
        return f"{self.name}.{self.org_domain}"

    @property
    def dial_host(self) -> str:
        return self.host if self.dial_by_name else LOCALHOST

    @property
    def address(self) -> str:
        return f"{self.dial_host}:{self.port}"

    @property
    def admin_address(self) -> str:
        return f"{self.dial_host}:{self.admin_port}"

    @property
    def operations_address(self) -> str:
        return f"{self.dial_host}:{self.operations_port}"

    @property
    def ports(self) -> tuple[int, ...]:
        return (self.port, self.admin_port, self.operations_port)


@dataclass(frozen=True)
class CAServer:
    """An org's Fabric CA server (IDENTITIES=ca): its API port and its operations (/healthz) port."""

    org_domain: str
    port: int
    operations_port: int
    dial_by_name: bool = False  # see OrdererNode: the app container reaches the CA by its host name

    @property
    def host(self) -> str:
        return f"ca.{self.org_domain}"

    @property
    def address(self) -> str:
        return f"{self.host if self.dial_by_name else LOCALHOST}:{self.port}"

    @property
    def url(self) -> str:
        return f"https://{self.address}"

    @property
    def ports(self) -> tuple[int, ...]:
        return (self.port, self.operations_port)


@dataclass(frozen=True)
class OrdererOrg:
    key: str
    name: str
    name_zh: str
    msp_id: str
    domain: str
    nodes: tuple[OrdererNode, ...]
    ca: CAServer | None = None


@dataclass(frozen=True)
class PeerNode:
    name: str
    org_domain: str
    port: int
    chaincode_port: int
    operations_port: int
    dial_by_name: bool = False  # see OrdererNode

    @property
    def host(self) -> str:
        return f"{self.name}.{self.org_domain}"

    @property
    def dial_host(self) -> str:
        return self.host if self.dial_by_name else LOCALHOST

    @property
    def address(self) -> str:
        return f"{self.dial_host}:{self.port}"

    @property
    def operations_address(self) -> str:
        return f"{self.dial_host}:{self.operations_port}"

    @property
    def ports(self) -> tuple[int, ...]:
        return (self.port, self.chaincode_port, self.operations_port)


@dataclass(frozen=True)
class PeerOrg:
    key: str
    name: str
    name_zh: str
    msp_id: str
    domain: str
    roles: tuple[str, ...]
    peer: PeerNode
    chaincode_server_port: int
    ca: CAServer | None = None

    @property
    def chaincode_server_host(self) -> str:
        return f"ccaas.{self.domain}"

    @property
    def chaincode_server_address(self) -> str:
        host = self.chaincode_server_host if self.peer.dial_by_name else LOCALHOST
        return f"{host}:{self.chaincode_server_port}"

    @property
    def ports(self) -> tuple[int, ...]:
        return (*self.peer.ports, self.chaincode_server_port, *(self.ca.ports if self.ca else ()))


@dataclass(frozen=True)
class BatchProfile:
    timeout_ms: int
    max_message_count: int
    # FABRIC_LOGGING_SPEC of the peers and orderers: the benchmark profile logs warnings only (a line
    # per gRPC call and per endorsement costs CPU and fills the disk); the demo keeps INFO otherwise.
    log_spec: str = "info"
    # Go's pprof endpoints on every peer (peer.profile) and orderer (General.Profile), at the node's
    # operations port + 1000, for CPU profiles under load (docs/performance.md).
    pprof: bool = False
    # State the chaincode's MAJORITY endorsement as an explicit signature policy (network/endorsement.py).
    signature_policy: bool = False
    # Peers' gossip alive and state-info interval. 500ms lets peers find each other within a second of a
    # cold start (the demo); a benchmark's steady state does not need the background signing it costs.
    gossip_interval_ms: int = 500


@dataclass(frozen=True)
class RaftOptions:
    tick_interval_ms: int
    election_tick: int
    heartbeat_tick: int


@dataclass(frozen=True)
class SmartBFTOptions:
    """The SmartBFT timeouts of the channel (configtx ``Orderer.SmartBFT``), as Go durations.

    The library's defaults (forward 2s, complain 20s, view change 20s, heartbeat 1m) make a stopped
    leader cost half a minute of ordering; the topology shortens them for a live demo.
    """

    request_forward_timeout: str
    request_complain_timeout: str
    request_auto_remove_timeout: str
    view_change_resend_interval: str
    view_change_timeout: str
    leader_heartbeat_timeout: str
    leader_heartbeat_count: int
    collect_timeout: str


@dataclass(frozen=True)
class Collection:
    name: str
    member_roles: tuple[str, ...]
    required_peer_count: int
    max_peer_count: int
    block_to_live: int


CHAINCODE_LANGUAGES = ("go", "typescript", "java")


@dataclass(frozen=True)
class ChaincodeSpec:
    name: str
    source: str  # the project folder, relative to the repository root (or absolute)
    endorsement_policy: str
    collections: tuple[Collection, ...]
    language: str = "go"  # one of CHAINCODE_LANGUAGES
    # Position in the topology's chaincode list: the first (the provenance contract) serves on each
    # org's chaincode_server_port, the n-th on that port + 100*n, so every org runs one server each.
    index: int = 0

    def server_port(self, org: PeerOrg) -> int:
        return org.chaincode_server_port + 100 * self.index


@dataclass(frozen=True)
class FabricPin:
    version: str
    module: str
    module_version: str
    commit: str


@dataclass(frozen=True)
class FabricCAPin:
    """The one pinned Fabric CA version (``go install ...@<module_version>``)."""

    version: str
    module: str
    module_version: str


@dataclass(frozen=True)
class Topology:
    name: str
    fabric: FabricPin
    channel_name: str
    batch_profiles: dict[str, BatchProfile]
    default_profile: str
    raft: RaftOptions
    orderer_org: OrdererOrg  # the orderers of the chosen consensus type only
    peer_orgs: tuple[PeerOrg, ...]
    chaincode: ChaincodeSpec
    source: Path = field(compare=False)
    # Orgs that can be added to the running network later (consortium growth); not channel members yet.
    joinable_orgs: tuple[PeerOrg, ...] = ()
    consensus: str = "raft"  # one of CONSENSUS_TYPES
    identities: str = "cryptogen"  # one of IDENTITY_SOURCES
    fabric_ca: FabricCAPin | None = None

    @property
    def uses_ca(self) -> bool:
        return self.identities == "ca"

    smartbft: SmartBFTOptions | None = None
    # Every orderer topology.yaml declares, for any consensus type (docker-compose.yaml has them all).
    declared_orderers: tuple[OrdererNode, ...] = ()
    # Every chaincode on the channel, the provenance contract (``chaincode``) first.
    chaincodes: tuple[ChaincodeSpec, ...] = ()

    def chaincode_named(self, name: str) -> ChaincodeSpec:
        for spec in self.chaincodes:
            if spec.name == name:
                return spec
        known = ", ".join(spec.name for spec in self.chaincodes)
        raise KeyError(f"unknown chaincode {name!r}; the topology lists: {known}")

    @property
    def is_bft(self) -> bool:
        return self.consensus == "bft"

    @property
    def fault_tolerance(self) -> int:
        """How many orderers may fail: f of 2f+1 (crash, Raft) or of 3f+1 (Byzantine, BFT)."""
        n = len(self.orderer_org.nodes)
        return (n - 1) // 3 if self.is_bft else (n - 1) // 2

    def peer_org(self, key_or_msp: str) -> PeerOrg:
        """Find a peer org by its short key ('farm'), MSP id ('FarmMSP') or name, case-insensitively."""
        wanted = key_or_msp.lower()
        for org in self.peer_orgs:
            if wanted in (org.key.lower(), org.msp_id.lower(), org.name.lower()):
                return org
        known = ", ".join(org.key for org in self.peer_orgs)
        raise KeyError(f"unknown organisation {key_or_msp!r}; known: {known}")

    def joinable_org(self, key_or_msp: str) -> PeerOrg:
        wanted = key_or_msp.lower()
        for org in self.joinable_orgs:
            if wanted in (org.key.lower(), org.msp_id.lower(), org.name.lower()):
                return org
        known = ", ".join(org.key for org in self.joinable_orgs) or "none"
        raise KeyError(f"unknown joinable organisation {key_or_msp!r}; known: {known}")

    def with_members(self, joined_keys: list[str]) -> Topology:
        """The topology with the given joinable orgs as channel members (after `make add-org`)."""
        joined = tuple(org for org in self.joinable_orgs if org.key in joined_keys)
        rest = tuple(org for org in self.joinable_orgs if org.key not in joined_keys)
        return replace(self, peer_orgs=self.peer_orgs + joined, joinable_orgs=rest)

    def orgs_with_role(self, role: str) -> list[PeerOrg]:
        return [org for org in self.peer_orgs if role in org.roles]

    def batch_profile(self, name: str | None) -> BatchProfile:
        chosen = name or self.default_profile
        if chosen not in self.batch_profiles:
            raise KeyError(f"unknown batch profile {chosen!r}; known: {', '.join(self.batch_profiles)}")
        return self.batch_profiles[chosen]

    def all_ports(self) -> list[int]:
        ports: list[int] = []
        for node in self.orderer_org.nodes:
            ports.extend(node.ports)
        if self.orderer_org.ca:
            ports.extend(self.orderer_org.ca.ports)
        for org in (*self.peer_orgs, *self.joinable_orgs):
            ports.extend(org.ports)
            ports.extend(spec.server_port(org) for spec in self.chaincodes[1:])
        return sorted(ports)


def load_topology(
    path: Path,
    port_offset: int = 0,
    dial_by_name: bool = False,
    consensus: str | None = None,
    identities: str | None = None,
) -> Topology:
    """Load the topology; ``port_offset`` shifts every port (a second network beside a running one).

    ``dial_by_name``: node addresses use host names instead of 127.0.0.1 (for a client that runs inside
    the Compose network, such as the app container). ``consensus`` (raft or bft, default the file's
    ``channel.consensus``) picks the ordering service, and with it the orderers that run: a node listed
    with ``consensus: [bft]`` is a member of the BFT orderer set only. ``identities`` (cryptogen or
    ca, default the file's ``identities``) picks where the crypto material comes from.
    """
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if port_offset:
        _shift_ports(raw, port_offset)
    chosen = (consensus or raw["channel"].get("consensus") or "raft").strip().lower()
    if chosen not in CONSENSUS_TYPES:
        raise KeyError(f"unknown consensus {chosen!r}; known: {', '.join(CONSENSUS_TYPES)}")
    identity_source = (identities or raw.get("identities") or "cryptogen").strip().lower()
    if identity_source not in IDENTITY_SOURCES:
        raise KeyError(f"unknown identities {identity_source!r}; known: {', '.join(IDENTITY_SOURCES)}")
    ord_raw = raw["orderer_org"]
    _check_unique_ports_raw(path, raw)
    declared = [
        OrdererNode(
            name=n["name"],
            org_domain=ord_raw["domain"],
            port=int(n["port"]),
            admin_port=int(n["admin_port"]),
            operations_port=int(n["operations_port"]),
            dial_by_name=dial_by_name,
            consensus_types=tuple(n.get("consensus", CONSENSUS_TYPES)),
        )
        for n in ord_raw["nodes"]
    ]
    members = [n for n in declared if chosen in n.consensus_types]
    orderer_org = OrdererOrg(
        key=ord_raw["key"],
        name=ord_raw["name"],
        name_zh=ord_raw.get("name_zh", ord_raw["name"]),
        msp_id=ord_raw["msp_id"],
        domain=ord_raw["domain"],
        nodes=tuple(replace(n, consenter_id=index) for index, n in enumerate(members, start=1)),
        ca=_load_ca(ord_raw, dial_by_name),
    )
    peer_orgs = tuple(_load_peer_org(o, dial_by_name) for o in raw["peer_orgs"])
    channel = raw["channel"]
    chaincodes = _load_chaincodes(raw)
    topology = Topology(
        name=raw["name"],
        fabric=FabricPin(**{k: str(v) for k, v in raw["fabric"].items()}),
        channel_name=channel["name"],
        batch_profiles={
            name: BatchProfile(
                parse_duration_ms(p["timeout"]),
                int(p["max_message_count"]),
                str(p.get("log_spec", "info")),
                bool(p.get("pprof", False)),
                bool(p.get("signature_policy", False)),
                parse_duration_ms(p.get("gossip_interval", "500ms")),
            )
            for name, p in channel["batch_profiles"].items()
        },
        default_profile=channel["default_profile"],
        raft=RaftOptions(
            tick_interval_ms=parse_duration_ms(channel["raft"]["tick_interval"]),
            election_tick=int(channel["raft"]["election_tick"]),
            heartbeat_tick=int(channel["raft"]["heartbeat_tick"]),
        ),
        orderer_org=orderer_org,
        peer_orgs=peer_orgs,
        chaincode=chaincodes[0],
        chaincodes=chaincodes,
        source=path,
        joinable_orgs=tuple(_load_peer_org(o, dial_by_name) for o in raw.get("joinable_orgs", [])),
        consensus=chosen,
        identities=identity_source,
        fabric_ca=FabricCAPin(**{k: str(v) for k, v in raw["fabric_ca"].items()}) if raw.get("fabric_ca") else None,
        smartbft=_load_smartbft(channel.get("smartbft")),
        declared_orderers=tuple(declared),
    )
    _check_unique_ports(topology)
    return topology


def _load_chaincodes(raw: dict) -> tuple[ChaincodeSpec, ...]:
    """``chaincodes:`` (a list, the provenance contract first) or the older single ``chaincode:``."""
    listed = raw.get("chaincodes") or [raw["chaincode"]]
    specs = []
    for index, cc in enumerate(listed):
        language = cc.get("language", "go")
        if language not in CHAINCODE_LANGUAGES:
            raise ValueError(f"chaincode {cc['name']!r}: language {language!r} is not one of {CHAINCODE_LANGUAGES}")
        specs.append(
            ChaincodeSpec(
                name=cc["name"],
                source=cc["source"],
                endorsement_policy=cc.get("endorsement_policy") or "",
                collections=tuple(
                    Collection(
                        name=c["name"],
                        member_roles=tuple(c["member_roles"]),
                        required_peer_count=int(c["required_peer_count"]),
                        max_peer_count=int(c["max_peer_count"]),
                        block_to_live=int(c["block_to_live"]),
                    )
                    for c in cc.get("collections") or []
                ),
                language=language,
                index=index,
            )
        )
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"chaincode names listed twice: {names}")
    return tuple(specs)


def _load_smartbft(raw: dict | None) -> SmartBFTOptions | None:
    if not raw:
        return None
    durations = {k: str(v) for k, v in raw.items() if k != "leader_heartbeat_count"}
    for value in durations.values():
        parse_duration_ms(value)  # a typo fails here, not in configtxgen
    return SmartBFTOptions(leader_heartbeat_count=int(raw["leader_heartbeat_count"]), **durations)


def _check_unique_ports_raw(path: Path, raw: dict) -> None:
    """Every declared port is unique, also those of orderers the chosen consensus does not run."""
    ports: list[int] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("port") and isinstance(value, int):
                    ports.append(value)
                else:
                    collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect({k: raw[k] for k in ("orderer_org", "peer_orgs", "joinable_orgs") if k in raw})
    duplicates = sorted({p for p in ports if ports.count(p) > 1})
    if duplicates:
        raise ValueError(f"{path}: ports used twice: {duplicates}")


def _load_ca(raw_org: dict, dial_by_name: bool = False) -> CAServer | None:
    ca = raw_org.get("ca")
    if not ca:
        return None
    return CAServer(
        org_domain=raw_org["domain"],
        port=int(ca["port"]),
        operations_port=int(ca["operations_port"]),
        dial_by_name=dial_by_name,
    )


def _load_peer_org(raw: dict, dial_by_name: bool = False) -> PeerOrg:
    peer = raw["peer"]
    return PeerOrg(
        key=raw["key"],
        name=raw["name"],
        name_zh=raw.get("name_zh", raw["name"]),
        msp_id=raw["msp_id"],
        domain=raw["domain"],
        roles=tuple(raw.get("roles", [])),
        peer=PeerNode(
            name=peer["name"],
            org_domain=raw["domain"],
            port=int(peer["port"]),
            chaincode_port=int(peer["chaincode_port"]),
            operations_port=int(peer["operations_port"]),
            dial_by_name=dial_by_name,
        ),
        chaincode_server_port=int(raw["chaincode_server_port"]),
        ca=_load_ca(raw, dial_by_name),
    )


def _shift_ports(node: object, offset: int) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("port") and isinstance(value, int):
                node[key] = value + offset
            else:
                _shift_ports(value, offset)
    elif isinstance(node, list):
        for item in node:
            _shift_ports(item, offset)


def _check_unique_ports(topology: Topology) -> None:
    ports = topology.all_ports()
    duplicates = sorted({p for p in ports if ports.count(p) > 1})
    if duplicates:
        raise ValueError(f"{topology.source}: ports used twice: {duplicates}")
