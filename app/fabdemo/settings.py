"""Typed settings of the kit: where things live and which runtime to use.

Every value can be overridden by an environment variable (for example ``FABDEMO_STATE_DIR``); the
Makefile passes user choices through that way, so scripts, tests and the app agree on one set of paths.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


def _default_cache_dir() -> Path:
    # Outside the work tree so that a fresh clone (and CI) reuses binaries that were built once.
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fabric-demo-kit"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FABDEMO_", extra="ignore")

    repo_root: Path = REPO_ROOT
    topology_file: Path = REPO_ROOT / "network" / "topology.yaml"
    state_dir: Path = REPO_ROOT / ".state"
    cache_dir: Path = Field(default_factory=_default_cache_dir)
    # Pre-built Fabric binaries (peer, orderer, ...). Read without the prefix, as users know it.
    fabric_bin: Path | None = Field(default=None, validation_alias="FABRIC_BIN")
    # Shifts every port of the topology, so a test network can run beside a developer's network.
    port_offset: int = 0
    batch_profile: str | None = Field(default=None, validation_alias="PROFILE")
    # The ordering service of a new network: "raft" or "bft" (default: topology.yaml's
    # channel.consensus). A network that exists keeps the consensus it was started with.
    consensus: str | None = Field(default=None, validation_alias=AliasChoices("CONSENSUS", "consensus"))
    # Where identities come from: "cryptogen" or "ca" (one Fabric CA server per org); default
    # topology.yaml's ``identities``. A network that exists keeps the source it was started with.
    identities: str | None = Field(default=None, validation_alias=AliasChoices("IDENTITIES", "identities"))
    # Pre-built Fabric CA binaries (fabric-ca-server, fabric-ca-client), read without the prefix.
    fabric_ca_bin: Path | None = Field(default=None, validation_alias="FABRIC_CA_BIN")
    # Which runtime runs the nodes: "auto" (Compose if a Docker engine is reachable, else native),
    # "native" or "compose". A network that exists keeps the runtime it was started with.
    runtime: str = Field(default="auto", validation_alias=AliasChoices("RUNTIME", "runtime"))
    # Compose: the project name (prefix of container, network and volume names).
    compose_project: str = "fabdemo"
    # Compose: the peers' state database, "leveldb" (embedded, the default) or "couchdb" (a CouchDB
    # container per peer, the Compose profile "couchdb").
    state_database: str = Field(default="leveldb", validation_alias=AliasChoices("STATE_DB", "state_database"))
    # Set inside the app container: dial nodes by host name on the Compose network, no Fabric CLIs.
    inside_compose: bool = False
    # Webhooks: comma-separated endpoints that receive every contract event, signed with HMAC-SHA256
    # of the secret (service/webhooks.py). Empty: no webhooks.
    webhook_urls: str = Field(default="", validation_alias=AliasChoices("WEBHOOK_URLS", "webhook_urls"))
    webhook_secret: str = Field(default="", validation_alias=AliasChoices("WEBHOOK_SECRET", "webhook_secret"))

    @property
    def chaincode_dir(self) -> Path:
        return self.repo_root / "chaincode"

    @property
    def builders_dir(self) -> Path:
        return self.repo_root / "network" / "builders"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
