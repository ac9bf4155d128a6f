"""Per-node configuration files, derived from Fabric's sample configs at setup time.

Each node gets its own folder with a ``core.yaml`` or ``orderer.yaml``: Fabric's sample file (from the
module cache or the user's release) with the handful of settings our topology needs changed. Keeping
the rest of the sample's defaults means a Fabric operator finds the files familiar.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fabdemo.network.layout import StateLayout
from fabdemo.network.placement import NATIVE, Placement
from fabdemo.network.state import NetworkState
from fabdemo.network.topology import BatchProfile, OrdererNode, PeerOrg, Topology

# The peer's gateway rejects requests beyond this many in flight; open commit-status calls and event
# streams count too, so the default (500) is tight for a room full of browsers plus a benchmark.
GATEWAY_CONCURRENCY = 2500


def set_path(doc: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``doc['a']['b']['c'] = value`` for ``dotted='a.b.c'``, creating missing levels."""
    keys = dotted.split(".")
    node = doc
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[keys[-1]] = value


def _load(sampleconfig: Path, name: str) -> dict[str, Any]:
    return yaml.safe_load((sampleconfig / name).read_text(encoding="utf-8"))


def pprof_port(operations_port: int) -> int:
    """Where a node serves Go's pprof when its batch profile asks for it (``pprof: true``)."""
    return operations_port + 1000


def recorded_profile(topology: Topology, layout: StateLayout) -> BatchProfile:
    """The batch profile the network was started with (network.json; the default before that)."""
    recorded = NetworkState.load(layout.network_file).batch_profile
    return topology.batch_profiles.get(recorded) or topology.batch_profile(None)


def pprof_enabled(topology: Topology, layout: StateLayout) -> bool:
    """The batch profile the network was started with turns pprof on."""
    return recorded_profile(topology, layout).pprof


def _gossip_timing(profile: BatchProfile) -> dict[str, str]:
    interval = profile.gossip_interval_ms
    return {
        "peer.gossip.aliveTimeInterval": f"{interval}ms",
        "peer.gossip.publishStateInfoInterval": f"{interval}ms",
        "peer.gossip.aliveExpirationTimeout": f"{max(5000, 10 * interval)}ms",
    }


def _tls(folder: str) -> dict[str, str]:
    return {
        "cert": f"{folder}/server.crt",
        "key": f"{folder}/server.key",
        "ca": f"{folder}/ca.crt",
    }


def peer_core_yaml(
    topology: Topology,
    layout: StateLayout,
    org: PeerOrg,
    sampleconfig: Path,
    builders_dir: Path,
    placement: Placement = NATIVE,
    couchdb: CouchDB | None = None,
) -> dict[str, Any]:
    """The peer's core.yaml; ``placement`` says where it runs (addresses and paths as the peer sees them)."""
    doc = _load(sampleconfig, "core.yaml")
    peer = org.peer
    files = placement.peer_files(layout, org)
    tls = _tls(files.tls)
    advertised = placement.advertised(peer.host, peer.port)
    settings: dict[str, Any] = {
        "peer.id": peer.host,
        "peer.networkId": topology.name,
        "peer.listenAddress": placement.listen(peer.port),
        "peer.address": advertised,
        "peer.chaincodeListenAddress": placement.listen(peer.chaincode_port),
        "peer.chaincodeAddress": placement.advertised(peer.host, peer.chaincode_port),
        "peer.gossip.bootstrap": advertised,
        "peer.gossip.endpoint": advertised,
        "peer.gossip.externalEndpoint": advertised,
        # Faster gossip than the defaults (5s/25s/25s, state info every 4s): peers discover each other
        # (which the gateway's endorsement planning needs) within about a second of a cold start, and a
        # stopped peer is noticed (and a restarted one rejoins) quickly. Fine for a handful of peers.
        # The batch profile's gossip_interval replaces the alive/state-info timing (_gossip_timing).
        "peer.gossip.aliveTimeInterval": "500ms",
        "peer.gossip.publishStateInfoInterval": "500ms",
        "peer.gossip.membershipTrackerInterval": "250ms",
        "peer.gossip.aliveExpirationTimeout": "5s",
        "peer.gossip.reconnectInterval": "1s",
        # Loopback dials answer in microseconds; the defaults (3s/2s) only make a probe of a peer that is
        # still starting wait longer before the retry.
        "peer.gossip.dialTimeout": "1s",
        "peer.gossip.connTimeout": "500ms",
        "peer.tls.enabled": True,
        "peer.tls.cert.file": tls["cert"],
        "peer.tls.key.file": tls["key"],
        "peer.tls.rootcert.file": tls["ca"],
        "peer.tls.clientAuthRequired": False,
        "peer.fileSystemPath": files.data,
        "peer.mspConfigPath": files.msp,
        "peer.localMspId": org.msp_id,
        "peer.gateway.enabled": True,
        "peer.limits.concurrency.gatewayService": GATEWAY_CONCURRENCY,
        "peer.limits.concurrency.deliverService": GATEWAY_CONCURRENCY,
        # No Docker here: an empty endpoint also stops the peer registering a Docker health check
        # that would fail /healthz on hosts without Docker.
        "vm.endpoint": "",
        "chaincode.externalBuilders": [
            {"name": "ccaas", "path": f"{placement.builders_dir(builders_dir)}/ccaas", "propagateEnvironment": ["HOME"]}
        ],
        "ledger.state.stateDatabase": "goleveldb",
        "operations.listenAddress": placement.listen(peer.operations_port),
        "operations.tls.enabled": True,
        "operations.tls.cert.file": tls["cert"],
        "operations.tls.key.file": tls["key"],
        # /healthz is open; /metrics needs a client certificate from the org's TLS CA (status uses
        # the org admin's TLS client certificate).
        "operations.tls.clientAuthRequired": False,
        "operations.tls.clientRootCAs.files": [tls["ca"]],
        "metrics.provider": "prometheus",
    }
    profile = recorded_profile(topology, layout)
    settings.update(_gossip_timing(profile))
    if profile.pprof:
        settings.update(
            {
                "peer.profile.enabled": True,
                "peer.profile.listenAddress": placement.listen(pprof_port(peer.operations_port)),
            }
        )
    if couchdb is not None:
        settings.update(
            {
                "ledger.state.stateDatabase": "CouchDB",
                "ledger.state.couchDBConfig.couchDBAddress": couchdb.address,
                "ledger.state.couchDBConfig.username": couchdb.username,
                "ledger.state.couchDBConfig.password": couchdb.password,
            }
        )
    for dotted, value in settings.items():
        set_path(doc, dotted, value)
    return doc


@dataclass(frozen=True)
class CouchDB:
    """The peer's CouchDB state database (optional; LevelDB, embedded in the peer, is the default)."""

    address: str
    username: str
    password: str


def orderer_yaml(
    topology: Topology, layout: StateLayout, node: OrdererNode, sampleconfig: Path, placement: Placement = NATIVE
) -> dict[str, Any]:
    doc = _load(sampleconfig, "orderer.yaml")
    files = placement.orderer_files(layout, topology, node)
    tls = _tls(files.tls)
    data = files.data
    # Clients of the admin API (osnadmin) present certificates from the orderer org's TLS CA, which is
    # also the node's tls/ca.crt; natively the CA file is read from the org folder directly.
    admin_tls_ca = tls["ca"] if placement.in_containers else str(layout.orderer_tls_ca(topology))
    settings: dict[str, Any] = {
        "General.ListenAddress": placement.listen_host,
        "General.ListenPort": node.port,
        "General.TLS.Enabled": True,
        "General.TLS.PrivateKey": tls["key"],
        "General.TLS.Certificate": tls["cert"],
        "General.TLS.RootCAs": [tls["ca"]],
        "General.TLS.ClientAuthRequired": False,
        # Cluster traffic reuses the general listener; these are the client credentials for it.
        "General.Cluster.ClientCertificate": tls["cert"],
        "General.Cluster.ClientPrivateKey": tls["key"],
        "General.Cluster.RootCAs": [tls["ca"]],
        "General.BootstrapMethod": "none",
        "General.LocalMSPDir": files.msp,
        "General.LocalMSPID": topology.orderer_org.msp_id,
        "FileLedger.Location": f"{data}/ledger",
        "Consensus.WALDir": f"{data}/etcdraft/wal",
        "Consensus.SnapDir": f"{data}/etcdraft/snapshot",
        "Admin.ListenAddress": placement.listen(node.admin_port),
        "Admin.TLS.Enabled": True,
        "Admin.TLS.PrivateKey": tls["key"],
        "Admin.TLS.Certificate": tls["cert"],
        "Admin.TLS.RootCAs": [tls["ca"]],
        "Admin.TLS.ClientAuthRequired": True,
        "Admin.TLS.ClientRootCAs": [admin_tls_ca],
        "ChannelParticipation.Enabled": True,
        "Operations.ListenAddress": placement.listen(node.operations_port),
        "Operations.TLS.Enabled": True,
        "Operations.TLS.PrivateKey": tls["key"],
        "Operations.TLS.Certificate": tls["cert"],
        "Operations.TLS.ClientAuthRequired": False,
        "Operations.TLS.ClientRootCAs": [tls["ca"]],
        "Metrics.Provider": "prometheus",
    }
    if pprof_enabled(topology, layout):
        settings.update(
            {
                "General.Profile.Enabled": True,
                "General.Profile.Address": placement.listen(pprof_port(node.operations_port)),
            }
        )
    for dotted, value in settings.items():
        set_path(doc, dotted, value)
    return doc


def write_peer(
    topology: Topology,
    layout: StateLayout,
    org: PeerOrg,
    sampleconfig: Path,
    builders_dir: Path,
    placement: Placement = NATIVE,
    couchdb: CouchDB | None = None,
) -> None:
    folder = layout.node_config(org.peer.host)
    folder.mkdir(parents=True, exist_ok=True)
    doc = peer_core_yaml(topology, layout, org, sampleconfig, builders_dir, placement, couchdb)
    (folder / "core.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


def write_all(
    topology: Topology,
    layout: StateLayout,
    sampleconfig: Path,
    builders_dir: Path,
    placement: Placement = NATIVE,
    couchdb_for: Callable[[PeerOrg], CouchDB | None] = lambda _org: None,
) -> None:
    for org in topology.peer_orgs:
        write_peer(topology, layout, org, sampleconfig, builders_dir, placement, couchdb_for(org))
    for node in topology.orderer_org.nodes:
        folder = layout.node_config(node.host)
        folder.mkdir(parents=True, exist_ok=True)
        doc = orderer_yaml(topology, layout, node, sampleconfig, placement)
        (folder / "orderer.yaml").write_text(yaml.safe_dump(doc))
    # The peer CLI needs a core.yaml even when it only acts as a client; the sample one is fine.
    layout.cli_config.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sampleconfig / "core.yaml", layout.cli_config / "core.yaml")
