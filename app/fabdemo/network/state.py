"""What the kit records about a network it runs (``network.json``) and how it reports its nodes."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


class NetworkError(RuntimeError):
    """A user-facing failure of network control; the CLI prints it as one line."""


@dataclass
class NetworkState:
    """What ``network.json`` records about the running network."""

    bootstrapped: bool = False
    runtime: str = "native"
    batch_profile: str = "demo"
    consensus: str = "raft"  # the ordering service it was started with (raft or bft)
    identities: str = "cryptogen"  # where its identities come from (cryptogen or ca)
    chaincode: dict[str, Any] = field(default_factory=dict)
    # The other chaincodes on the channel (topology ``chaincodes`` after the first), by name: version,
    # sequence, label, package_ids per org, language, and ``build`` (what the servers run now).
    chaincodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Joinable orgs (topology.yaml) that `make add-org` has made channel members.
    joined_orgs: list[str] = field(default_factory=list)
    # The demo data set (demos/seed.yaml) is loaded; a "seeded" snapshot exists for `make reset`.
    seeded: bool = False

    @classmethod
    def load(cls, path: Path) -> NetworkState:
        if not path.is_file():
            return cls()
        return cls(**json.loads(path.read_text()))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2))


@dataclass(frozen=True)
class NodeStatus:
    name: str
    kind: str
    org: str
    msp_id: str
    running: bool
    healthy: bool
    pid: int | None
    ports: list[int]
    ledger_height: int | None
    raft_leader: bool | None  # leads the ordering service (the Raft leader, or the BFT leader of the view)
    log_file: str | None
    container: str | None = None  # the node's container under Compose
