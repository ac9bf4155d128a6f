"""Network control for storyboards, over the one FabricNetwork object (native or Compose runtime).

Stopping and starting nodes, onboarding an org, upgrading the contract and rewinding to a snapshot are
the same calls that ``make`` uses; they block, so they run in a worker thread while the app keeps
serving. One change to the network's shape runs at a time: a second one, asked for while the first is
under way, is refused (409 ``NETWORK_BUSY``) rather than interleaved with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fabdemo.network.manager import FabricNetwork
from fabdemo.network.nodes import NodeKind
from fabdemo.service.errors import ServiceError
from fabdemo.service.identities import IdentityService

log = logging.getLogger(__name__)

LEADER = "orderer-leader"  # a storyboard may stop "whichever orderer leads the ordering service right now"


class FabricControl:
    def __init__(self, network: FabricNetwork, repo_root: Path) -> None:
        self.network = network
        self.repo_root = repo_root
        self.changing: str | None = None  # what is reshaping the network right now, if anything

    @property
    def consensus(self) -> str:
        """The ordering service ("raft" or "bft"): storyboard actions may be meant for one of them."""
        return self.network.topology.consensus

    @property
    def identities(self) -> str:
        """Where identities come from ("cryptogen" or "ca"): a scene may need Fabric CA users."""
        return self.network.topology.identities

    @contextlib.asynccontextmanager
    async def _exclusive(self, what: str) -> AsyncIterator[None]:
        """Run one change of the network at a time; refuse (never queue or interleave) a second one."""
        if self.changing is not None:
            raise ServiceError(
                "NETWORK_BUSY",
                f"the network is busy ({self.changing}); try again when it has finished",
                409,
                message_zh=f"网络正忙（{self.changing}），请在完成后再试",
            )
        self.changing = what
        try:
            yield
        finally:
            self.changing = None

    def _node_name(self, name: str) -> str:
        if name == LEADER:
            leader = self.network.nodes.leader()
            if leader is None:
                raise ServiceError("NO_LEADER", "no orderer is leading the ordering service right now")
            return leader
        try:
            return self.network.nodes.spec(name).name
        except KeyError as err:
            raise ServiceError("UNKNOWN_NODE", str(err.args[0])) from None

    async def stop_node(self, name: str) -> dict[str, Any]:
        async with self._exclusive(f"stopping {name}"):
            node = self._node_name(name)
            stopped = await asyncio.to_thread(self.network.nodes.stop_node, node)
            outcome: dict[str, Any] = {"node": node, "stopped": stopped}
            if self.network.nodes.spec(node).kind == NodeKind.ORDERER:
                outcome.update(await self._after_orderer_stop())
            return outcome

    async def _after_orderer_stop(self) -> dict[str, Any]:
        """The story is "the cluster carries on": who leads now, and how many orderers still run.

        Raft elects a new leader within about a second, so we wait for it. SmartBFT changes view only
        when it needs to (the next transaction, or missed heartbeats) and reports the new leader with
        the next block, so there is nothing to wait for: the next transaction shows it carries on.
        """
        nodes = self.network.nodes
        running = sum(1 for n in nodes.nodes((NodeKind.ORDERER,)) if n.is_running())
        outcome: dict[str, Any] = {"orderersRunning": running, "consensus": self.consensus}
        if self.consensus == "bft":
            outcome["newLeader"] = await asyncio.to_thread(nodes.leader)
            return outcome
        started = asyncio.get_running_loop().time()
        outcome["newLeader"] = await asyncio.to_thread(nodes.wait_for_leader, 15.0)
        outcome["electionSeconds"] = round(asyncio.get_running_loop().time() - started, 2)
        return outcome

    async def start_node(self, name: str) -> dict[str, Any]:
        async with self._exclusive(f"starting {name}"):
            node = self._node_name(name)
            await asyncio.to_thread(self.network.nodes.start_node, node)
            spec = self.network.nodes.spec(node)
            if spec.kind == NodeKind.PEER:
                await asyncio.to_thread(self.network.nodes.wait_for_gossip)
            # The restarted node pulls the blocks it missed: wait until every ledger is at the same height.
            nodes = self.network.nodes
            heights = await asyncio.to_thread(
                nodes.wait_for_equal_heights, (NodeKind.PEER, NodeKind.ORDERER), 30.0, f"{node} to catch up"
            )
            return {"node": node, "started": True, "heights": heights}

    async def add_org(self, key: str) -> dict[str, Any]:
        async with self._exclusive(f"adding {key}"):
            outcome = await asyncio.to_thread(self.network.add_org, key, log.info)
            return {"org": key, "outcome": outcome, "orgs": [o.msp_id for o in self.network.topology.peer_orgs]}

    async def remove_org(self, key: str) -> dict[str, Any]:
        async with self._exclusive(f"removing {key}"):
            outcome = await asyncio.to_thread(self.network.remove_org, key, log.info)
            return {"org": key, "outcome": outcome}

    async def deploy_change(self, change: str) -> dict[str, Any]:
        async with self._exclusive(f"deploying {change}"):
            return await asyncio.to_thread(self._deploy_change, change)

    async def register_user(self, org: str, name: str, attrs: str | dict[str, str] | None) -> dict[str, Any]:
        """Register and enroll a user with the org's Fabric CA (the identity service, as `make user` does)."""
        record = await asyncio.to_thread(IdentityService(self.network).register, org, name, attrs)
        return record.to_dict()

    async def revoke_user(self, org: str, name: str) -> dict[str, Any]:
        """Revoke a user; its CRL goes into the channel config (a config update, so one change at a time)."""
        async with self._exclusive(f"revoking {name}"):
            return await asyncio.to_thread(IdentityService(self.network).revoke, org, name)

    async def restore(self, snapshot: str) -> float:
        """Rewind every ledger to ``snapshot`` (``make reset``); returns the seconds it took."""
        async with self._exclusive(f"restoring {snapshot!r}"):
            if not self.network.has_snapshot(snapshot):
                raise ServiceError(
                    "NO_SNAPSHOT",
                    f"no {snapshot!r} snapshot: start the demo with `make demo`",
                    409,
                    message_zh=f"没有快照 {snapshot}：请先用 make demo 启动演示",
                )
            return await asyncio.to_thread(self.network.restore_snapshot, snapshot, log.info)

    def _deploy_change(self, change: str) -> dict[str, Any]:
        """Copy the chaincode, apply ``demos/changes/<change>``, regenerate its metadata, redeploy."""
        overlay = self.repo_root / "demos" / "changes" / change
        if not overlay.is_dir():
            raise ServiceError("UNKNOWN_CHANGE", f"no prepared change {change!r} in demos/changes")
        source = self.network.layout.root / "chaincode-src" / change
        if source.exists():
            shutil.rmtree(source)
        shutil.copytree(self.repo_root / "chaincode", source, ignore=shutil.ignore_patterns("provenance", "bin"))
        shutil.copytree(overlay, source, dirs_exist_ok=True)
        # The contract serves its metadata from a generated file; regenerate it so the new function
        # is listed (the same command a developer runs after changing a signature). Without Go (the app
        # container of the Compose runtime, whose chaincode builds happen in Docker) the upgrade still
        # works; only GetMetadata does not list the new function yet.
        if shutil.which("go") is None:
            log.warning("go not found: the upgraded contract's metadata is not regenerated")
        else:
            self._regenerate_metadata(source)
        return self.network.deploy_chaincode(log.info, source)

    @staticmethod
    def _regenerate_metadata(source: Path) -> None:
        proc = subprocess.run(
            ["go", "test", "./contract", "-run", "TestMetadataFileUpToDate"],
            cwd=source,
            env={**os.environ, "UPDATE_METADATA": "1"},
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise ServiceError("BUILD_FAILED", f"the prepared change does not build: {proc.stdout[-1500:]}")

    async def status(self) -> dict[str, Any]:
        statuses = await asyncio.to_thread(self.network.status)
        return {
            "nodes": [
                {"name": s.name, "kind": s.kind, "org": s.msp_id, "healthy": s.healthy, "height": s.ledger_height}
                for s in statuses
            ],
            "orgs": [o.msp_id for o in self.network.topology.peer_orgs],
            "consensus": self._consensus_summary(statuses),
        }

    def _consensus_summary(self, statuses: list) -> dict[str, Any]:
        """What the consensus comparison scene shows: the ordering service, its size and what it tolerates."""
        topology = self.network.topology
        orderers = [s for s in statuses if s.kind == NodeKind.ORDERER]
        return {
            "type": topology.consensus,
            "orderers": len(orderers),
            "running": sum(1 for s in orderers if s.running),
            "tolerates": topology.fault_tolerance,
            "faults": "byzantine" if topology.is_bft else "crash",
            "leader": next((s.name for s in orderers if s.raft_leader), None),
        }
