"""The application channel: its configtx.yaml, its genesis block, and joining orderers to it.

The ordering service is etcd/raft or SmartBFT (``topology.consensus``); only the orderer type and its
consenter section differ, the rest of the channel (orgs, policies, batch profile) is the same.

There is no system channel (Fabric v3): the genesis block of the application channel is given to each
orderer through the channel participation API. Anchor peers are part of the genesis block, so no
separate config update is needed to set them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from fabdemo.network.layout import StateLayout
from fabdemo.network.placement import NATIVE, Placement
from fabdemo.network.topology import BatchProfile, PeerOrg, Topology

PROFILE_NAME = "ProvenanceChannel"


def _signature(rule: str) -> dict:
    return {"Type": "Signature", "Rule": rule}


def _implicit(rule: str) -> dict:
    return {"Type": "ImplicitMeta", "Rule": rule}


def peer_org_section(org: PeerOrg, layout: StateLayout, placement: Placement = NATIVE) -> dict:
    msp = org.msp_id
    return {
        "Name": msp,
        "ID": msp,
        "MSPDir": str(layout.org_msp(org)),
        "Policies": {
            "Readers": _signature(f"OR('{msp}.admin', '{msp}.peer', '{msp}.client')"),
            "Writers": _signature(f"OR('{msp}.admin', '{msp}.client')"),
            "Admins": _signature(f"OR('{msp}.admin')"),
            "Endorsement": _signature(f"OR('{msp}.peer')"),
        },
        "AnchorPeers": [{"Host": placement.advertised_host(org.peer.host), "Port": org.peer.port}],
    }


def configtx(topology: Topology, layout: StateLayout, batch: BatchProfile, placement: Placement = NATIVE) -> dict:
    """The channel's configtx.yaml: addresses are the ones nodes use among themselves (``placement``)."""
    orderer = topology.orderer_org
    omsp = orderer.msp_id
    orderer_section = {
        "Name": omsp,
        "ID": omsp,
        "MSPDir": str(layout.orderer_org_dir(topology) / "msp"),
        "Policies": {
            "Readers": _signature(f"OR('{omsp}.member')"),
            "Writers": _signature(f"OR('{omsp}.member')"),
            "Admins": _signature(f"OR('{omsp}.admin')"),
        },
        "OrdererEndpoints": [placement.advertised(node.host, node.port) for node in orderer.nodes],
    }
    return {
        "Profiles": {
            PROFILE_NAME: {
                "Policies": {
                    "Readers": _implicit("ANY Readers"),
                    "Writers": _implicit("ANY Writers"),
                    "Admins": _implicit("MAJORITY Admins"),
                },
                # V3_0 is also what BFT ordering requires.
                "Capabilities": {"V3_0": True},
                "Orderer": {
                    **consensus_section(topology, layout, batch, placement),
                    "BatchTimeout": f"{batch.timeout_ms}ms",
                    "BatchSize": {
                        "MaxMessageCount": batch.max_message_count,
                        "AbsoluteMaxBytes": "10 MB",
                        "PreferredMaxBytes": "2 MB",
                    },
                    "Organizations": [orderer_section],
                    "Policies": {
                        "Readers": _implicit("ANY Readers"),
                        "Writers": _implicit("ANY Writers"),
                        "Admins": _implicit("MAJORITY Admins"),
                        "BlockValidation": _implicit("ANY Writers"),
                    },
                    "Capabilities": {"V2_0": True},
                },
                "Application": {
                    "Organizations": [peer_org_section(org, layout, placement) for org in topology.peer_orgs],
                    "Policies": {
                        "Readers": _implicit("ANY Readers"),
                        "Writers": _implicit("ANY Writers"),
                        "Admins": _implicit("MAJORITY Admins"),
                        "LifecycleEndorsement": _implicit("MAJORITY Endorsement"),
                        "Endorsement": _implicit("MAJORITY Endorsement"),
                    },
                    "Capabilities": {"V2_5": True},
                },
            }
        }
    }


def consensus_label(topology: Topology) -> str:
    n, f = len(topology.orderer_org.nodes), topology.fault_tolerance
    return f"{'SmartBFT' if topology.is_bft else 'Raft'}, {n} orderers, f={f}"


def consensus_section(
    topology: Topology, layout: StateLayout, batch: BatchProfile, placement: Placement = NATIVE
) -> dict:
    """The orderer type and its consenters: etcdraft ``EtcdRaft``, or BFT ``ConsenterMapping`` + ``SmartBFT``.

    A BFT consenter is named by id and by its signing identity as well as its TLS certificates, because
    every block carries the signatures of a quorum of consenters and peers check them against this list
    (configtxgen derives the BlockValidation policy from it).
    """
    orderer = topology.orderer_org
    if not topology.is_bft:
        consenters = []
        for node in orderer.nodes:
            tls = layout.orderer_node_dir(topology, node) / "tls" / "server.crt"
            host = placement.advertised_host(node.host)
            consenters.append({"Host": host, "Port": node.port, "ClientTLSCert": str(tls), "ServerTLSCert": str(tls)})
        raft = topology.raft
        return {
            "OrdererType": "etcdraft",
            "EtcdRaft": {
                "Consenters": consenters,
                "Options": {
                    "TickInterval": f"{raft.tick_interval_ms}ms",
                    "ElectionTick": raft.election_tick,
                    "HeartbeatTick": raft.heartbeat_tick,
                    "MaxInflightBlocks": 5,
                    "SnapshotIntervalSize": "16 MB",
                },
            },
        }
    mapping = []
    for node in orderer.nodes:
        folder = layout.orderer_node_dir(topology, node)
        tls = folder / "tls" / "server.crt"
        mapping.append(
            {
                "ID": node.consenter_id,
                "Host": placement.advertised_host(node.host),
                "Port": node.port,
                "MSPID": orderer.msp_id,
                "Identity": str(folder / "msp" / "signcerts" / f"{node.host}-cert.pem"),
                "ClientTLSCert": str(tls),
                "ServerTLSCert": str(tls),
            }
        )
    bft = topology.smartbft
    if bft is None:
        raise ValueError(f"{topology.source}: channel.smartbft is required for CONSENSUS=bft")
    return {
        "OrdererType": "BFT",
        "ConsenterMapping": mapping,
        # A section given here replaces configtxgen's defaults as a whole, so every option is set.
        # RequestBatchMaxCount/Bytes are taken from BatchSize by the orderer; they are repeated for clarity.
        "SmartBFT": {
            "RequestBatchMaxCount": batch.max_message_count,
            "RequestBatchMaxBytes": 10 * 1024 * 1024,
            # The batch profile's timeout: how long the leader waits to fill a block (BatchTimeout in Raft).
            "RequestBatchMaxInterval": f"{batch.timeout_ms}ms",
            "IncomingMessageBufferSize": 200,
            "RequestPoolSize": 100000,
            "RequestForwardTimeout": bft.request_forward_timeout,
            "RequestComplainTimeout": bft.request_complain_timeout,
            "RequestAutoRemoveTimeout": bft.request_auto_remove_timeout,
            "ViewChangeResendInterval": bft.view_change_resend_interval,
            "ViewChangeTimeout": bft.view_change_timeout,
            "LeaderHeartbeatTimeout": bft.leader_heartbeat_timeout,
            "LeaderHeartbeatCount": bft.leader_heartbeat_count,
            "CollectTimeout": bft.collect_timeout,
            # No sync attempt when an orderer starts: on a fresh channel the others have not joined yet
            # and it costs a 5 s timeout. A restarted orderer still catches up: it syncs as soon as the
            # leader's heartbeats show it is behind.
            "SyncOnStart": False,
            "SpeedUpViewChange": False,
        },
    }


def create_genesis_block(
    topology: Topology, layout: StateLayout, batch: BatchProfile, configtxgen: Path, placement: Placement = NATIVE
) -> Path:
    config_dir = layout.config / "configtx"
    config_dir.mkdir(parents=True, exist_ok=True)
    doc = configtx(topology, layout, batch, placement)
    (config_dir / "configtx.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    layout.channel_artifacts.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [
            str(configtxgen),
            "-profile",
            PROFILE_NAME,
            "-channelID",
            topology.channel_name,
            "-outputBlock",
            str(layout.genesis_block),
            "-configPath",
            str(config_dir),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"configtxgen failed: {proc.stderr.strip()[-2000:]}")
    return layout.genesis_block
