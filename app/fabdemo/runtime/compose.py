"""Docker Compose runtime: the same network as the native runtime, each node in its own container.

- ``docker-compose.yaml`` (rendered from the topology by :mod:`fabdemo.runtime.composefile`) declares the
  orderers, peers, chaincode servers, the app and the named volumes. The official
  ``hyperledger/fabric-peer`` and ``hyperledger/fabric-orderer`` images run the nodes.
- The bootstrap is the one in ``network/manager.py``, run on the host against the published ports; this
  module only creates, starts and stops containers. Containers are created with the Compose CLI
  (``docker compose``, or the older ``docker-compose``); everything else (start or stop a node for a
  storyboard, status, snapshots, teardown sweeps) goes through the Docker SDK for Python, which finds
  the containers by the labels Compose puts on them.
- The chaincode image is built from ``chaincode/Dockerfile`` with the Docker SDK. Its image id names the
  package label and version, as the binary hash does natively; every build keeps its own tag.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

from fabdemo.network import chaincode as cc
from fabdemo.network.layout import StateLayout
from fabdemo.network.manager import NetworkError
from fabdemo.network.nodeconfig import CouchDB
from fabdemo.network.nodes import NodeKind, NodeSpec
from fabdemo.network.placement import CONTAINER_DATA_DIR, CONTAINERS
from fabdemo.network.topology import PeerOrg, Topology
from fabdemo.runtime import composefile as cf
from fabdemo.settings import Settings

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
STOP_TIMEOUT = 10
APP_SERVICE = "app"
APP_START_TIMEOUT = 60.0


class ComposeError(NetworkError):
    pass


# -- is Docker there? -------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def compose_cli() -> tuple[str, ...] | None:
    """The Compose command: ``FABDEMO_COMPOSE`` if set, else ``docker compose`` (v2), else ``docker-compose``."""
    override = os.environ.get("FABDEMO_COMPOSE")
    if override:
        return tuple(shlex.split(override))
    docker = shutil.which("docker")
    if docker:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30, check=False)
            if probe.returncode == 0:
                return (docker, "compose")
    legacy = shutil.which("docker-compose")
    return (legacy,) if legacy else None


def _docker_client(timeout: int = 120):
    import docker  # the Docker SDK for Python; imported here so the native runtime never needs it

    return docker.from_env(timeout=timeout)


def unavailable_reason() -> str | None:
    """None if the Compose runtime can run here, else why not (for the automatic choice)."""
    try:
        client = _docker_client(timeout=3)
        client.ping()
    except Exception:
        return "no Docker engine reachable"
    if compose_cli() is None:
        return "a Docker engine is reachable but no Compose CLI (docker compose or docker-compose) was found"
    return None


def image_setting(var: str) -> str:
    return os.environ.get(var) or cf.IMAGE_DEFAULTS[var]


class ComposeRuntime:
    name = "compose"
    placement = CONTAINERS

    def __init__(self, settings: Settings, topology: Topology, layout: StateLayout) -> None:
        if settings.state_database not in ("leveldb", "couchdb"):
            raise ComposeError(f"unknown STATE_DB={settings.state_database!r}; use leveldb or couchdb")
        self.settings = settings
        self.topology = topology  # the full topology, joinable orgs included (they have services too)
        self.layout = layout
        self.project = settings.compose_project
        self.compose_file = settings.repo_root / "docker-compose.yaml"
        self._client = None
        self._chaincode_vars = self._read_env_file()

    # -- plumbing ------------------------------------------------------------------------------------------
    @property
    def docker(self):
        if self._client is None:
            self._client = _docker_client()
        return self._client

    @property
    def env_file(self) -> Path:
        return self.layout.root / "compose.env"

    def fabric_version(self) -> str:
        return os.environ.get("FABRIC_VERSION") or self.topology.fabric.version

    def images(self) -> dict[str, str]:
        version = self.fabric_version()
        return {
            "peer": f"{image_setting('FABRIC_PEER_IMAGE')}:{version}",
            "orderer": f"{image_setting('FABRIC_ORDERER_IMAGE')}:{version}",
            "chaincode": image_setting("CHAINCODE_IMAGE"),
            "app": image_setting("APP_IMAGE"),
        }

    def variables(self) -> dict[str, str]:
        """Values of every variable docker-compose.yaml uses, for this state dir and port offset."""
        env = {
            "FABDEMO_STATE_DIR": str(self.layout.root.resolve()),
            "FABDEMO_PORT_OFFSET": str(self.settings.port_offset),
            "FABDEMO_COMPOSE_PROJECT": self.project,
            "FABRIC_VERSION": self.fabric_version(),
        }
        env.update({var: image_setting(var) for var in cf.IMAGE_DEFAULTS})
        env.update({var: str(port) for var, port in cf.port_variables(self.topology).items()})
        host = os.environ.get("DOCKER_HOST", "")
        if host.startswith("unix://"):
            env["DOCKER_SOCKET"] = host.removeprefix("unix://")
        for var in ("DOCKER_SOCKET", "APP_PORT", "APP_BIND", "APP_PUBLIC_HOST", "FABDEMO_APP_TOKEN"):
            if os.environ.get(var):
                env[var] = os.environ[var]
        if self.settings.fabric_bin:
            env["FABRIC_BIN"] = str(self.settings.fabric_bin)
        env.update(self._chaincode_vars)
        return env

    def _read_env_file(self) -> dict[str, str]:
        """Chaincode package ids and tags recorded by an earlier run (other variables are recomputed)."""
        found: dict[str, str] = {}
        if self.env_file.is_file():
            for line in self.env_file.read_text().splitlines():
                key, sep, value = line.partition("=")
                if sep and (key.endswith("_CHAINCODE_PACKAGE_ID") or key.endswith("_CHAINCODE_TAG")):
                    found[key] = value
        return found

    def _write_env_file(self) -> None:
        """``.state/compose.env``: the values the kit used, for running ``docker compose`` by hand."""
        if not self.layout.root.is_dir():
            return
        lines = ["# Written by the kit: docker compose --env-file .state/compose.env -p PROJECT ..."]
        lines += [f"{key}={value}" for key, value in sorted(self.variables().items())]
        self.env_file.write_text("\n".join(lines) + "\n")

    def compose(self, *args: str, timeout: float = 900) -> str:
        command = compose_cli()
        if command is None:
            raise ComposeError("no Compose CLI found: install Docker Compose (`docker compose` or `docker-compose`)")
        self._write_env_file()
        full = [*command, "-f", str(self.compose_file), "-p", self.project, *args]
        proc = subprocess.run(
            full,
            cwd=self.compose_file.parent,
            env={**os.environ, **self.variables()},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0:
            output = (proc.stderr + proc.stdout).strip()
            raise ComposeError(f"`{' '.join(full[-len(args) - 2 :])}` failed:\n{output[-3000:]}")
        return proc.stdout + proc.stderr

    def _containers(self, service: str | None = None) -> list[Any]:
        labels = [f"{PROJECT_LABEL}={self.project}"]
        if service:
            labels.append(f"{SERVICE_LABEL}={service}")
        return self.docker.containers.list(all=True, filters={"label": labels})

    def _container(self, service: str):
        found = self._containers(service)
        return found[0] if found else None

    def volume(self, node_name: str) -> str:
        """The Docker volume holding a node's data (Compose prefixes the project name)."""
        return f"{self.project}_{cf.volume_name(node_name)}"

    # -- Runtime -----------------------------------------------------------------------------------------
    def describe(self) -> str:
        try:
            version = self.docker.version().get("Version", "?")
        except Exception:
            version = "?"
        command = compose_cli() or ("no compose CLI",)
        cli = " ".join([Path(command[0]).name, *command[1:]])
        images = self.images()
        return (
            f"compose (Docker Engine {version}, {cli}, project {self.project}; "
            f"images {images['orderer']}, {images['peer']})"
        )

    def start(self, spec: NodeSpec) -> None:
        self.start_many([spec])

    def start_many(self, specs: Iterable[NodeSpec]) -> None:
        """Start stopped containers through the Docker API; create missing (or outdated) ones with Compose."""
        specs = list(specs)
        create: list[str] = []
        stopped: list[Any] = []
        existing = {c.labels.get(SERVICE_LABEL): c for c in self._containers()}
        for spec in specs:
            if spec.kind == NodeKind.CHAINCODE:
                self._remember_chaincode(spec)
            container = existing.get(spec.name)
            if container is None or not self._matches(container, spec):
                create.append(spec.name)
                if spec.kind == NodeKind.PEER and self.settings.state_database == "couchdb":
                    create.insert(0, cf.couchdb_service(self.topology_org(spec.org_key)))
            elif container.status != "running":
                stopped.append(container)
        if stopped:
            with ThreadPoolExecutor(max_workers=len(stopped)) as pool:
                list(pool.map(lambda c: c.start(), stopped))
        self._write_env_file()
        if create:
            self._pull_missing(specs)
            self.compose("up", "-d", "--no-deps", *create)

    def _matches(self, container: Any, spec: NodeSpec) -> bool:
        """A chaincode container must run the package the spec names (a redeploy changes it)."""
        if spec.kind != NodeKind.CHAINCODE:
            return True
        env = dict(item.partition("=")[::2] for item in container.attrs["Config"].get("Env") or [])
        return env.get("CHAINCODE_ID") == spec.extra.get("package_id")

    def _remember_chaincode(self, spec: NodeSpec) -> None:
        org = self.topology_org(spec.org_key)
        package_id = spec.extra["package_id"]
        self._chaincode_vars[cf.package_id_variable(org)] = package_id
        self._chaincode_vars[cf.chaincode_tag_variable(org)] = _tag_of(package_id)

    def topology_org(self, key: str) -> PeerOrg:
        for org in (*self.topology.peer_orgs, *self.topology.joinable_orgs):
            if org.key == key:
                return org
        raise KeyError(key)

    def _pull_missing(self, specs: list[NodeSpec]) -> None:
        """Pull the Fabric images a first start needs, saying so (it takes a while, once)."""
        import docker.errors

        wanted = {self.images()[str(s.kind)] for s in specs if s.kind in (NodeKind.PEER, NodeKind.ORDERER)}
        for ref in sorted(wanted):
            try:
                self.docker.images.get(ref)
            except docker.errors.ImageNotFound:
                print(f"Pulling {ref} (first start only)...", file=sys.stderr, flush=True)
                repository, _, tag = ref.rpartition(":")
                try:
                    self.docker.images.pull(repository, tag=tag)
                except docker.errors.APIError as err:
                    raise ComposeError(
                        f"cannot pull {ref}: {err.explanation or err}. Check the network, or point "
                        "FABRIC_PEER_IMAGE / FABRIC_ORDERER_IMAGE at images you have (docs/runtimes.md)"
                    ) from None

    def stop(self, spec: NodeSpec) -> bool:
        container = self._container(spec.name)
        if container is None or container.status != "running":
            return False
        container.stop(timeout=STOP_TIMEOUT)
        return True

    def is_running(self, spec: NodeSpec) -> bool:
        container = self._container(spec.name)
        return container is not None and container.status == "running"

    def pid(self, spec: NodeSpec) -> int | None:
        container = self._container(spec.name)
        if container is None or container.status != "running":
            return None
        return container.attrs["State"].get("Pid") or None

    def container_id(self, spec: NodeSpec) -> str | None:
        container = self._container(spec.name)
        return container.name if container is not None else None

    def log_file(self, spec: NodeSpec) -> str | None:
        container = self._container(spec.name)
        return f"`docker logs {container.name}`" if container is not None else None

    def stop_all(self) -> int:
        running = [c for c in self._containers() if c.status == "running" and c.labels.get(SERVICE_LABEL) != "app"]
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
            containers = self._containers()
        except docker.errors.DockerException as err:
            raise ComposeError(f"the Docker engine is not reachable: {err}") from None
        running = sum(1 for c in containers if c.status == "running" and c.labels.get(SERVICE_LABEL) != APP_SERVICE)
        if containers or self._project_volumes():
            if compose_cli() is not None:
                self.compose("down", "--volumes", "--remove-orphans", "--timeout", str(STOP_TIMEOUT))
            for container in self._containers():  # services of profiles that were not active
                container.remove(force=True, v=True)
        for volume in self._project_volumes():
            with contextlib.suppress(docker.errors.NotFound):
                volume.remove(force=True)
        for network in self.docker.networks.list(filters={"label": f"{PROJECT_LABEL}={self.project}"}):
            with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                network.remove()
        return running

    def _project_volumes(self) -> list[Any]:
        return self.docker.volumes.list(filters={"label": f"{PROJECT_LABEL}={self.project}"})

    def build_chaincode(self, source_dir: Path, out_dir: Path, name: str) -> cc.ChaincodeBinary:
        """Build the chaincode image from ``<source_dir>/Dockerfile`` and tag it with its id."""
        import docker.errors

        repository = image_setting("CHAINCODE_IMAGE")
        try:
            image, _logs = self.docker.images.build(
                path=str(source_dir),
                dockerfile="Dockerfile",
                buildargs={"GO_IMAGE": image_setting("GO_IMAGE"), "BASE_IMAGE": image_setting("CHAINCODE_BASE_IMAGE")},
                tag=f"{repository}:latest",
                rm=True,
                forcerm=True,
            )
        except docker.errors.BuildError as err:
            lines = "".join(str(chunk.get("stream") or chunk.get("error") or "") for chunk in err.build_log)
            raise RuntimeError(f"chaincode image build failed in {source_dir}:\n{lines.strip()[-3000:]}") from None
        digest = image.id.split(":", 1)[1][:12]
        image.tag(repository, digest)
        out_dir.mkdir(parents=True, exist_ok=True)
        marker = out_dir / f"{name}_{digest}"
        marker.write_text(f"{repository}:{digest}\n")  # where the build is: an image, not a file
        return cc.ChaincodeBinary(marker, digest)

    def couchdb(self, org: PeerOrg) -> CouchDB | None:
        if self.settings.state_database != "couchdb":
            return None
        return CouchDB(cf.couchdb_address(org), cf.COUCHDB_USER, cf.COUCHDB_PASSWORD)

    def discard(self, name: str) -> None:
        import docker.errors

        container = self._container(name)
        if container is not None:
            container.remove(force=True, v=True)
        with contextlib.suppress(docker.errors.NotFound):
            self.docker.volumes.get(self.volume(name)).remove(force=True)

    # -- snapshots: node data lives in named volumes ---------------------------------------------------------
    def _helper(self, script: str, volumes: dict[str, dict[str, str]]) -> None:
        """Run a shell script in a throwaway container of the orderer image (it has sh and cp)."""
        import docker.errors

        container = self.docker.containers.run(
            self.images()["orderer"],
            ["sh", "-c", script],
            volumes=volumes,
            detach=True,
            user="0:0",
            network_mode="none",
            labels={PROJECT_LABEL: self.project, "fabdemo.role": "ledger-copy"},
        )
        try:
            exit_code = container.wait().get("StatusCode", 1)
            if exit_code != 0:
                output = container.logs().decode(errors="replace")
                raise ComposeError(f"copying ledgers failed ({exit_code}): {output.strip()[-2000:]}")
        finally:
            # v=True: the image's VOLUME folders would otherwise stay behind as anonymous volumes.
            with contextlib.suppress(docker.errors.APIError):
                container.remove(force=True, v=True)

    def _owner(self) -> str:
        # Files the helper writes into the state dir belong to whoever owns the state dir.
        info = self.layout.root.stat()
        return f"{info.st_uid}:{info.st_gid}"

    def save_ledgers(self, specs: list[NodeSpec], folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        volumes = {self.volume(s.name): {"bind": f"/v/{s.name}", "mode": "ro"} for s in specs}
        volumes[str(folder.resolve())] = {"bind": "/snap", "mode": "rw"}
        data = CONTAINER_DATA_DIR.removeprefix(cf.VOLUME_MOUNT).strip("/")
        steps = [
            f"rm -rf /snap/{n} && mkdir -p /snap/{n} && cp -a --sparse=always /v/{n}/{data}/. /snap/{n}/"
            for n in (s.name for s in specs)
        ]
        self._helper(" && ".join([*steps, f"chown -R {self._owner()} /snap"]), volumes)

    def load_ledgers(self, specs: list[NodeSpec], folder: Path) -> None:
        volumes = {self.volume(s.name): {"bind": f"/v/{s.name}", "mode": "rw"} for s in specs}
        volumes[str(folder.resolve())] = {"bind": "/snap", "mode": "ro"}
        data = CONTAINER_DATA_DIR.removeprefix(cf.VOLUME_MOUNT).strip("/")
        steps = [
            f"rm -rf /v/{n}/{data} && mkdir -p /v/{n}/{data} && cp -a --sparse=always /snap/{n}/. /v/{n}/{data}/"
            for n in (s.name for s in specs)
        ]
        self._helper(" && ".join(steps), volumes)
        if self.settings.state_database == "couchdb":
            self._drop_couchdb(specs)

    def _drop_couchdb(self, specs: list[NodeSpec]) -> None:
        """A restored peer rebuilds its CouchDB state from its blocks when the database is empty."""
        import docker.errors

        for spec in specs:
            if spec.kind != NodeKind.PEER:
                continue
            service = cf.couchdb_service(self.topology_org(spec.org_key))
            container = self._container(service)
            if container is not None:
                container.remove(force=True, v=True)
            with contextlib.suppress(docker.errors.NotFound):
                self.docker.volumes.get(self.volume(service)).remove(force=True)

    # -- the app container ------------------------------------------------------------------------------------
    def start_app(self, host: str = "127.0.0.1", port: int | None = None, token: str | None = None) -> str:
        """Build the app image (app/Dockerfile), start its container, wait for /healthz; returns its URL."""
        import docker.errors

        port = port or int(os.environ.get("APP_PORT") or cf.APP_CONTAINER_PORT)
        os.environ["APP_PORT"] = str(port)
        os.environ["APP_BIND"] = host if host in ("0.0.0.0", "::") else "127.0.0.1"
        if token:
            os.environ["FABDEMO_APP_TOKEN"] = token
        repository = image_setting("APP_IMAGE")
        try:
            self.docker.images.build(
                path=str(self.settings.repo_root),
                dockerfile="app/Dockerfile",
                buildargs={"PYTHON_IMAGE": image_setting("PYTHON_IMAGE")},
                tag=f"{repository}:latest",
                rm=True,
                forcerm=True,
            )
        except docker.errors.BuildError as err:
            lines = "".join(str(chunk.get("stream") or chunk.get("error") or "") for chunk in err.build_log)
            raise ComposeError(f"app image build failed:\n{lines.strip()[-3000:]}") from None
        self.compose("up", "-d", "--no-deps", APP_SERVICE)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + APP_START_TIMEOUT
        while time.monotonic() < deadline:
            container = self._container(APP_SERVICE)
            if container is not None and container.status == "exited":
                raise ComposeError(f"the app container exited; see `docker logs {container.name}`")
            with (
                contextlib.suppress(urllib.error.URLError, OSError),
                urllib.request.urlopen(f"{url}/healthz", timeout=1) as response,
            ):
                if response.status == 200:
                    return url
            time.sleep(0.3)
        raise ComposeError(f"the app container did not answer on {url} within {APP_START_TIMEOUT:.0f}s")

    def app_container(self):
        container = self._container(APP_SERVICE)
        return container if container is not None and container.status == "running" else None

    def stop_app(self) -> bool:
        container = self._container(APP_SERVICE)
        if container is None:
            return False
        running = container.status == "running"
        container.remove(force=True)
        return running


def _tag_of(package_id: str) -> str:
    """``provenance_<hash>:<package hash>`` -> ``<hash>``, the chaincode image's tag."""
    label = package_id.split(":", 1)[0]
    return label.rsplit("_", 1)[-1]


def app_command(action: str, host: str = "127.0.0.1", port: int | None = None) -> int | None:
    """``make app`` / ``app-stop`` / the end of ``make demo`` when the network runs on Compose: the app
    runs in its container. Returns None when the network is native (the caller starts a process)."""
    from fabdemo import context
    from fabdemo.api.config import AppConfig

    settings, topology, layout = context.load()
    if context.choose_runtime(settings, layout)[0] != "compose":
        return None
    runtime = ComposeRuntime(settings, topology, layout)
    if action == "stop":
        print("Stopped the web app container." if runtime.stop_app() else "The web app is not running.")
        return 0
    if action == "status":
        container = runtime.app_container()
        port_now = os.environ.get("APP_PORT") or str(cf.APP_CONTAINER_PORT)
        print(
            f"Web app running in container {container.name}: http://127.0.0.1:{port_now}"
            if container is not None
            else "The web app is not running. Start it with `make app`."
        )
        return 0
    config = AppConfig.for_host(host, port or int(os.environ.get("APP_PORT") or cf.APP_CONTAINER_PORT))
    if config.room_mode:
        os.environ["APP_PUBLIC_HOST"] = config.lan_url.split("//", 1)[1].rsplit(":", 1)[0]
    url = runtime.start_app(host, config.port, config.token)
    container = runtime.app_container()
    print(f"Web app running in container {container.name if container else APP_SERVICE}: {url}", flush=True)
    if config.join_url:
        from fabdemo.api.qr import qr_text

        print(f"Room mode: people in the room join at {config.lan_url} with this link (or scan the code):")
        print(f"  {config.join_url}")
        print(qr_text(config.join_url), flush=True)
    print("Stop it with `make app-stop` (log: `docker logs` of the container above).")
    return 0
