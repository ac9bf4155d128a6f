"""Network control for storyboards, over the one FabricNetwork object (native or Compose runtime).

Stopping and starting nodes, onboarding an org and upgrading the contract are the same calls that
``make`` uses; they block, so they run in a worker thread while the app keeps serving.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from fabdemo.network.manager import FabricNetwork
from fabdemo.network.nodes import NodeKind
from fabdemo.service.errors import ServiceError

log = logging.getLogger(__name__)

LEADER = "orderer-leader"  # a storyboard may stop "whichever orderer leads Raft right now"


class FabricControl:
    def __init__(self, network: FabricNetwork, repo_root: Path) -> None:
        self.network = network
        self.repo_root = repo_root

    def _node_name(self, name: str) -> str:
        if name == LEADER:
            leader = self.network.raft_leader()
            if leader is None:
                raise ServiceError("NO_LEADER", "no orderer is leading the Raft cluster right now")
            return leader
        try:
            return self.network.spec(name).name
        except KeyError as err:
            raise ServiceError("UNKNOWN_NODE", str(err.args[0])) from None

    async def stop_node(self, name: str) -> dict[str, Any]:
        node = self._node_name(name)
        stopped = await asyncio.to_thread(self.network.stop_node, node)
        outcome: dict[str, Any] = {"node": node, "stopped": stopped}
        if self.network.spec(node).kind == NodeKind.ORDERER:
            # The story is "the cluster carries on": show who leads now, once the election is over.
            started = asyncio.get_running_loop().time()
            outcome["newLeader"] = await asyncio.to_thread(self.network.wait_for_raft_leader, 15.0)
            outcome["electionSeconds"] = round(asyncio.get_running_loop().time() - started, 2)
        return outcome

    async def start_node(self, name: str) -> dict[str, Any]:
        node = self._node_name(name)
        await asyncio.to_thread(self.network.start_node, node)
        spec = self.network.spec(node)
        if spec.kind == NodeKind.PEER:
            await asyncio.to_thread(self.network.wait_for_gossip)
        # The restarted node pulls the blocks it missed: wait until every ledger is at the same height.
        heights = await asyncio.to_thread(
            self.network.wait_for_equal_heights, (NodeKind.PEER, NodeKind.ORDERER), 30.0, f"{node} to catch up"
        )
        return {"node": node, "started": True, "heights": heights}

    async def add_org(self, key: str) -> dict[str, Any]:
        outcome = await asyncio.to_thread(self.network.add_org, key, log.info)
        return {"org": key, "outcome": outcome, "orgs": [o.msp_id for o in self.network.topology.peer_orgs]}

    async def remove_org(self, key: str) -> dict[str, Any]:
        outcome = await asyncio.to_thread(self.network.remove_org, key, log.info)
        return {"org": key, "outcome": outcome}

    async def deploy_change(self, change: str) -> dict[str, Any]:
        return await asyncio.to_thread(self._deploy_change, change)

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
        original = self.network.chaincode_source
        self.network.chaincode_source = source
        try:
            return self.network.deploy_chaincode(log.info)
        finally:
            self.network.chaincode_source = original

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
        }
