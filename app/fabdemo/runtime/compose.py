"""Docker Compose runtime: the same network as the native runtime, each node in its own container.

- ``docker-compose.yaml`` (rendered from the topology by :mod:`fabdemo.runtime.composefile`) declares the
  orderers, peers, chaincode servers, the Fabric CAs (IDENTITIES=ca), the app and the named volumes. The
  official ``hyperledger/fabric-peer``, ``hyperledger/fabric-orderer`` and ``hyperledger/fabric-ca``
  images run the nodes. A CA keeps its home in the state dir (a bind mount), not in a volume.
- The bootstrap is the one in ``network/bootstrap.py``, run on the host against the published ports;
  this module only creates, starts and stops node containers (through :class:`ComposeProject`) and
  copies their data volumes for snapshots. The app container lives in :mod:`fabdemo.appcontainer`.
- The chaincode image is built from ``chaincode/Dockerfile`` with the Docker SDK. Its image id names the
  package label and version, as the binary hash does natively; every build keeps its own tag.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fabdemo.network import chaincode as cc
from fabdemo.network.layout import StateLayout
from fabdemo.network.nodeconfig import CouchDB
from fabdemo.network.nodes import NodeKind, NodeSpec
from fabdemo.network.placement import CONTAINERS
from fabdemo.network.snapshot import StateDirStore
from fabdemo.network.topology import PeerOrg, Topology
from fabdemo.runtime import composefile as cf
from fabdemo.runtime.compose_ledgers import VolumeLedgers
from fabdemo.runtime.compose_project import (
    SERVICE_LABEL,
    ComposeError,
    ComposeProject,
    compose_cli,
    image_setting,
    unavailable_reason,
)
from fabdemo.settings import Settings

__all__ = ["ComposeError", "ComposeRuntime", "unavailable_reason"]

STOP_TIMEOUT = 10
APP_SERVICE = "app"
# The node kinds that run an image the kit pulls (chaincode and app images are built here).
PULLED = (NodeKind.PEER, NodeKind.ORDERER, NodeKind.CA)


def _quiet(_message: str) -> None:
    pass


def _runs_spec(container: Any, spec: NodeSpec) -> bool:
    """A chaincode container must run the package the spec names (a redeploy changes it)."""
    if spec.kind != NodeKind.CHAINCODE:
        return True
    env = dict(item.partition("=")[::2] for item in container.attrs["Config"].get("Env") or [])
    return env.get("CHAINCODE_ID") == spec.extra.get("package_id")


def _by_storage(specs: list[NodeSpec]) -> tuple[list[NodeSpec], list[NodeSpec]]:
    """CA servers (their home is bind-mounted from the state dir) apart from nodes with a named volume."""
    return [s for s in specs if s.kind == NodeKind.CA], [s for s in specs if s.kind != NodeKind.CA]


class ComposeRuntime:
    name = "compose"
    placement = CONTAINERS

    def __init__(
        self, settings: Settings, topology: Topology, layout: StateLayout, progress: Callable[[str], None] = _quiet
    ) -> None:
        if settings.state_database not in ("leveldb", "couchdb"):
            raise ComposeError(f"unknown STATE_DB={settings.state_database!r}; use leveldb or couchdb")
        self.settings = settings
        self.layout = layout
        self.project = ComposeProject(settings, topology, layout)
        self._ledgers = VolumeLedgers(self.project, layout)
        self._progress = progress  # for the slow first start (image pulls); a runtime never prints

    @property
    def docker(self) -> Any:
        return self.project.docker

    def _couchdb_on(self) -> bool:
        return self.settings.state_database == "couchdb"

    # -- Runtime -----------------------------------------------------------------------------------------
    def describe(self) -> str:
        try:
            version = self.docker.version().get("Version", "?")
        except Exception:
            version = "?"
        command = compose_cli() or ("no compose CLI",)
        cli = " ".join([Path(command[0]).name, *command[1:]])
        images = self.project.images()
        shown = [images["orderer"], images["peer"], *([images["ca"]] if self.project.topology.uses_ca else [])]
        return f"compose (Docker Engine {version}, {cli}, project {self.project.name}; images {', '.join(shown)})"

    def start(self, spec: NodeSpec) -> None:
        self.start_many([spec])

    def start_many(self, specs: Iterable[NodeSpec]) -> None:
        """Start stopped containers through the Docker API; create missing (or outdated) ones with Compose."""
        specs = list(specs)
        create: list[str] = []
        stopped: list[Any] = []
        existing = {c.labels.get(SERVICE_LABEL): c for c in self.project.containers()}
        for spec in specs:
            if spec.kind == NodeKind.CHAINCODE:
                self.project.remember_chaincode(spec.org_key, spec.extra["package_id"])
            if spec.kind == NodeKind.CA:
                # Docker would create a missing bind-mount source as root; the CA runs as the state dir's owner.
                self.layout.ca_home(spec.name).mkdir(parents=True, exist_ok=True)
            container = existing.get(spec.name)
            if container is None or not _runs_spec(container, spec):
                create.append(spec.name)
                if spec.kind == NodeKind.PEER and self._couchdb_on():
                    create.insert(0, cf.couchdb_service(self.project.org(spec.org_key)))
            elif container.status != "running":
                stopped.append(container)
        if stopped:
            with ThreadPoolExecutor(max_workers=len(stopped)) as pool:
                list(pool.map(lambda c: c.start(), stopped))
        self.project.write_env_file()
        if create:
            self._pull_missing(specs)
            self.project.compose("up", "-d", "--no-deps", *create)

    def _pull_missing(self, specs: list[NodeSpec]) -> None:
        """Pull the Fabric images a first start needs, saying so (it takes a while, once)."""
        import docker.errors

        images = self.project.images()
        wanted = {images[str(s.kind)] for s in specs if s.kind in PULLED}
        for ref in sorted(wanted):
            try:
                self.docker.images.get(ref)
            except docker.errors.ImageNotFound:
                self._progress(f"Pulling {ref} (first start only)...")
                repository, _, tag = ref.rpartition(":")
                try:
                    self.docker.images.pull(repository, tag=tag)
                except docker.errors.APIError as err:
                    raise ComposeError(
                        f"cannot pull {ref}: {err.explanation or err}. Check the network, or point "
                        "FABRIC_PEER_IMAGE / FABRIC_ORDERER_IMAGE / FABRIC_CA_IMAGE at images you have "
                        "(docs/runtimes.md)"
                    ) from None

    def _running(self, spec: NodeSpec) -> Any:
        container = self.project.container(spec.name)
        return container if container is not None and container.status == "running" else None

    def stop(self, spec: NodeSpec) -> bool:
        container = self._running(spec)
        if container is None:
            return False
        container.stop(timeout=STOP_TIMEOUT)
        return True

    def is_running(self, spec: NodeSpec) -> bool:
        return self._running(spec) is not None

    def pid(self, spec: NodeSpec) -> int | None:
        container = self._running(spec)
        return (container.attrs["State"].get("Pid") or None) if container is not None else None

    def container_id(self, spec: NodeSpec) -> str | None:
        container = self.project.container(spec.name)
        return container.name if container is not None else None

    def log_file(self, spec: NodeSpec) -> str | None:
        container = self.project.container(spec.name)
        return f"`docker logs {container.name}`" if container is not None else None

    def stop_all(self) -> int:
        running = [
            c for c in self.project.containers() if c.status == "running" and c.labels.get(SERVICE_LABEL) != APP_SERVICE
        ]
        # Chaincode servers first (as natively), then everything else at once.
        for group in (
            [c for c in running if c.labels.get(SERVICE_LABEL, "").startswith("ccaas.")],
            [c for c in running if not c.labels.get(SERVICE_LABEL, "").startswith("ccaas.")],
        ):
            if group:
                with ThreadPoolExecutor(max_workers=len(group)) as pool:
                    list(pool.map(lambda c: c.stop(timeout=STOP_TIMEOUT), group))
        return len(running)

    def teardown(self) -> int:
        """``docker compose down -v``, then a sweep by label so nothing of the project is left."""
        import docker.errors

        try:
            containers = self.project.containers()
        except docker.errors.DockerException as err:
            raise ComposeError(f"the Docker engine is not reachable: {err}") from None
        running = sum(1 for c in containers if c.status == "running" and c.labels.get(SERVICE_LABEL) != APP_SERVICE)
        if containers or self.project.volumes():
            if compose_cli() is not None:
                self.project.compose("down", "--volumes", "--remove-orphans", "--timeout", str(STOP_TIMEOUT))
            for container in self.project.containers():  # services of profiles that were not active
                container.remove(force=True, v=True)
        for volume in self.project.volumes():
            with contextlib.suppress(docker.errors.NotFound):
                volume.remove(force=True)
        for network in self.project.networks():
            with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                network.remove()
        return running

    def build_chaincode(self, source_dir: Path, out_dir: Path, name: str) -> cc.ChaincodeBinary:
        """Build the chaincode image from ``<source_dir>/Dockerfile`` and tag it with its id."""
        repository = image_setting("CHAINCODE_IMAGE")
        image = self.project.build_image(
            source_dir,
            "Dockerfile",
            {"GO_IMAGE": image_setting("GO_IMAGE"), "BASE_IMAGE": image_setting("CHAINCODE_BASE_IMAGE")},
            f"{repository}:latest",
            "chaincode image",
        )
        digest = image.id.split(":", 1)[1][:12]
        image.tag(repository, digest)
        out_dir.mkdir(parents=True, exist_ok=True)
        marker = out_dir / f"{name}_{digest}"
        marker.write_text(f"{repository}:{digest}\n")  # where the build is: an image, not a file
        return cc.ChaincodeBinary(marker, digest)

    def couchdb(self, org: PeerOrg) -> CouchDB | None:
        if not self._couchdb_on():
            return None
        return CouchDB(cf.couchdb_address(org), cf.COUCHDB_USER, cf.COUCHDB_PASSWORD)

    def discard(self, name: str) -> None:
        self._remove_with_volume(name)

    def _remove_with_volume(self, service: str) -> None:
        import docker.errors

        container = self.project.container(service)
        if container is not None:
            container.remove(force=True, v=True)
        with contextlib.suppress(docker.errors.NotFound):
            self.docker.volumes.get(self.project.volume(service)).remove(force=True)

    # -- snapshots: node data lives in named volumes, a CA's in the state dir ----------------------------------
    def save_ledgers(self, specs: list[NodeSpec], folder: Path) -> None:
        in_state_dir, in_volumes = _by_storage(specs)
        StateDirStore(self.layout).save_ledgers(in_state_dir, folder)
        if in_volumes:
            self._ledgers.save(in_volumes, folder)

    def load_ledgers(self, specs: list[NodeSpec], folder: Path) -> None:
        in_state_dir, in_volumes = _by_storage(specs)
        StateDirStore(self.layout).load_ledgers(in_state_dir, folder)
        if in_volumes:
            self._ledgers.load(in_volumes, folder)
        if self._couchdb_on():
            # A restored peer rebuilds its CouchDB state from its blocks when the database is empty.
            for spec in specs:
                if spec.kind == NodeKind.PEER:
                    self._remove_with_volume(cf.couchdb_service(self.project.org(spec.org_key)))
