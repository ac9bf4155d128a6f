"""Channel membership changes: add or remove a peer org with a channel config update.

The update is computed from the channel's current config, never hand-written:
fetch the config block -> decode it (configtxlator) -> add or drop the org's group -> compute the
update -> have a majority of the member orgs' admins sign it (the channel's Admins policy is MAJORITY)
-> submit. The org's group itself (MSP, policies, anchor peer) comes from ``configtxgen -printOrg``.
"""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

from fabdemo.network.admin import CommandError, orderer_tls_args, run_peer
from fabdemo.network.binaries import FabricInstall
from fabdemo.network.channel import peer_org_section
from fabdemo.network.layout import StateLayout
from fabdemo.network.placement import NATIVE, Placement
from fabdemo.network.topology import PeerOrg, Topology


class Membership:
    def __init__(
        self, topology: Topology, layout: StateLayout, fabric: FabricInstall, placement: Placement = NATIVE
    ) -> None:
        self.topology = topology
        self.layout = layout
        self.fabric = fabric
        self.placement = placement
        self.work = layout.channel_artifacts / "updates"

    # -- configtxlator / configtxgen ----------------------------------------------------------------
    def _tool(self, *args: str, stdin: bytes | None = None) -> bytes:
        command = [str(self.fabric.tool(args[0])), *args[1:]]
        proc = subprocess.run(command, input=stdin, capture_output=True, check=False, timeout=60)
        if proc.returncode != 0:
            raise CommandError(command, proc.stderr.decode(errors="replace"))
        return proc.stdout

    def _decode(self, proto_type: str, data: bytes) -> dict[str, Any]:
        return json.loads(self._tool("configtxlator", "proto_decode", "--type", proto_type, stdin=data))

    def _encode(self, proto_type: str, value: dict[str, Any]) -> bytes:
        return self._tool("configtxlator", "proto_encode", "--type", proto_type, stdin=json.dumps(value).encode())

    def org_group(self, org: PeerOrg) -> dict[str, Any]:
        """The org's channel config group (MSP, policies, anchor peer) as configtxgen renders it."""
        with tempfile.TemporaryDirectory() as folder:
            config = {"Organizations": [peer_org_section(org, self.layout, self.placement)]}
            (Path(folder) / "configtx.yaml").write_text(yaml.safe_dump(config))
            return json.loads(self._tool("configtxgen", "-printOrg", org.msp_id, "-configPath", folder))

    # -- the channel's current config ---------------------------------------------------------------
    def current_config(self, acting: PeerOrg) -> dict[str, Any]:
        self.work.mkdir(parents=True, exist_ok=True)
        block_file = self.work / "config_block.pb"
        run_peer(
            self.topology,
            self.layout,
            self.fabric,
            acting,
            [
                "channel",
                "fetch",
                "config",
                str(block_file),
                "-c",
                self.topology.channel_name,
                *orderer_tls_args(self.topology, self.layout),
            ],
        )
        block = self._decode("common.Block", block_file.read_bytes())
        return block["data"]["data"][0]["payload"]["data"]["config"]

    def members(self, acting: PeerOrg) -> list[str]:
        groups = self.current_config(acting)["channel_group"]["groups"]["Application"]["groups"]
        return sorted(groups)

    # -- updates --------------------------------------------------------------------------------------
    def add(self, org: PeerOrg, signers: list[PeerOrg]) -> bool:
        """Add ``org`` to the channel. Returns False if it is a member already."""
        original = self.current_config(signers[0])
        groups = original["channel_group"]["groups"]["Application"]["groups"]
        if org.msp_id in groups:
            return False
        updated = copy.deepcopy(original)
        updated["channel_group"]["groups"]["Application"]["groups"][org.msp_id] = self.org_group(org)
        self._submit(original, updated, signers, f"add-{org.key}")
        return True

    def remove(self, org: PeerOrg, signers: list[PeerOrg]) -> bool:
        """Remove ``org`` from the channel. Returns False if it is not a member."""
        original = self.current_config(signers[0])
        if org.msp_id not in original["channel_group"]["groups"]["Application"]["groups"]:
            return False
        updated = copy.deepcopy(original)
        del updated["channel_group"]["groups"]["Application"]["groups"][org.msp_id]
        self._submit(original, updated, signers, f"remove-{org.key}")
        return True

    def set_revocation_list(self, org: PeerOrg, crls: list[bytes]) -> bool:
        """Put the org's CRLs (PEM) into its MSP in the channel config; the org's own admin signs.

        The MSP value's modification policy is the org's Admins, so no other org needs to sign. Peers
        and orderers check every creator against this list: a revoked user's next proposal is refused.
        Returns False when the config holds exactly these CRLs already.
        """
        original = self.current_config(org)
        updated = copy.deepcopy(original)
        msp = updated["channel_group"]["groups"]["Application"]["groups"][org.msp_id]["values"]["MSP"]
        wanted = [base64.b64encode(crl).decode() for crl in crls]
        if msp["value"]["config"].get("revocation_list", []) == wanted:
            return False
        msp["value"]["config"]["revocation_list"] = wanted
        self._submit(original, updated, [org], f"crl-{org.key}")
        return True

    def _submit(self, original: dict, updated: dict, signers: list[PeerOrg], name: str) -> None:
        original_pb = self.work / f"{name}-original.pb"
        updated_pb = self.work / f"{name}-updated.pb"
        original_pb.write_bytes(self._encode("common.Config", original))
        updated_pb.write_bytes(self._encode("common.Config", updated))
        update_pb = self._tool(
            "configtxlator",
            "compute_update",
            "--channel_id",
            self.topology.channel_name,
            "--original",
            str(original_pb),
            "--updated",
            str(updated_pb),
        )
        update = self._decode("common.ConfigUpdate", update_pb)
        envelope = {
            "payload": {
                "header": {"channel_header": {"channel_id": self.topology.channel_name, "type": 2}},
                "data": {"config_update": update},
            }
        }
        envelope_file = self.work / f"{name}-envelope.pb"
        envelope_file.write_bytes(self._encode("common.Envelope", envelope))
        # Every signer but the last signs the file; the last one signs while submitting it.
        for signer in signers[:-1]:
            run_peer(
                self.topology, self.layout, self.fabric, signer, ["channel", "signconfigtx", "-f", str(envelope_file)]
            )
        run_peer(
            self.topology,
            self.layout,
            self.fabric,
            signers[-1],
            [
                "channel",
                "update",
                "-f",
                str(envelope_file),
                "-c",
                self.topology.channel_name,
                *orderer_tls_args(self.topology, self.layout),
            ],
        )
