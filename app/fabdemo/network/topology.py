"""The network topology, loaded from ``network/topology.yaml`` into typed objects.

Only this module reads the YAML; everything else asks these objects for names, ports and paths so that
a port or domain is never spelled twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

LOCALHOST = "127.0.0.1"


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
class OrdererOrg:
    key: str
    name: str
    name_zh: str
    msp_id: str
    domain: str
    nodes: tuple[OrdererNode, ...]


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

    @property
    def chaincode_server_host(self) -> str:
        return f"ccaas.{self.domain}"

    @property
    def chaincode_server_address(self) -> str:
        host = self.chaincode_server_host if self.peer.dial_by_name else LOCALHOST
        return f"{host}:{self.chaincode_server_port}"

    @property
    def ports(self) -> tuple[int, ...]:
        return (*self.peer.ports, self.chaincode_server_port)


@dataclass(frozen=True)
class BatchProfile:
    timeout_ms: int
    max_message_count: int


@dataclass(frozen=True)
class RaftOptions:
    tick_interval_ms: int
    election_tick: int
    heartbeat_tick: int


@dataclass(frozen=True)
class Collection:
    name: str
    member_roles: tuple[str, ...]
    required_peer_count: int
    max_peer_count: int
    block_to_live: int


@dataclass(frozen=True)
class ChaincodeSpec:
    name: str
    source: str
    endorsement_policy: str
    collections: tuple[Collection, ...]


@dataclass(frozen=True)
class FabricPin:
    version: str
    module: str
    module_version: str
    commit: str


@dataclass(frozen=True)
class Topology:
    name: str
    fabric: FabricPin
    channel_name: str
    batch_profiles: dict[str, BatchProfile]
    default_profile: str
    raft: RaftOptions
    orderer_org: OrdererOrg
    peer_orgs: tuple[PeerOrg, ...]
    chaincode: ChaincodeSpec
    source: Path = field(compare=False)
    # Orgs that can be added to the running network later (consortium growth); not channel members yet.
    joinable_orgs: tuple[PeerOrg, ...] = ()

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
        for org in (*self.peer_orgs, *self.joinable_orgs):
            ports.extend(org.ports)
        return sorted(ports)


def load_topology(path: Path, port_offset: int = 0, dial_by_name: bool = False) -> Topology:
    """Load the topology; ``port_offset`` shifts every port (a second network beside a running one).

    ``dial_by_name``: node addresses use host names instead of 127.0.0.1 (for a client that runs inside
    the Compose network, such as the app container).
    """
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if port_offset:
        _shift_ports(raw, port_offset)
    ord_raw = raw["orderer_org"]
    orderer_org = OrdererOrg(
        key=ord_raw["key"],
        name=ord_raw["name"],
        name_zh=ord_raw.get("name_zh", ord_raw["name"]),
        msp_id=ord_raw["msp_id"],
        domain=ord_raw["domain"],
        nodes=tuple(
            OrdererNode(
                name=n["name"],
                org_domain=ord_raw["domain"],
                port=int(n["port"]),
                admin_port=int(n["admin_port"]),
                operations_port=int(n["operations_port"]),
                dial_by_name=dial_by_name,
            )
            for n in ord_raw["nodes"]
        ),
    )
    peer_orgs = tuple(_load_peer_org(o, dial_by_name) for o in raw["peer_orgs"])
    channel = raw["channel"]
    cc = raw["chaincode"]
    topology = Topology(
        name=raw["name"],
        fabric=FabricPin(**{k: str(v) for k, v in raw["fabric"].items()}),
        channel_name=channel["name"],
        batch_profiles={
            name: BatchProfile(parse_duration_ms(p["timeout"]), int(p["max_message_count"]))
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
        chaincode=ChaincodeSpec(
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
                for c in cc.get("collections", [])
            ),
        ),
        source=path,
        joinable_orgs=tuple(_load_peer_org(o, dial_by_name) for o in raw.get("joinable_orgs", [])),
    )
    _check_unique_ports(topology)
    return topology


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
