"""The kit's Compose project: finding Docker and a Compose CLI, the variables docker-compose.yaml reads,
and the project's containers and volumes by label.

Both the Compose runtime (nodes) and the app container use it. Containers are created with the Compose
CLI (``docker compose``, or the older ``docker-compose``); everything else goes through the Docker SDK
for Python, which finds the containers by the labels Compose puts on them.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from fabdemo.network import binaries
from fabdemo.network.layout import StateLayout
from fabdemo.network.nodes import logging_spec
from fabdemo.network.state import NetworkError
from fabdemo.network.topology import PeerOrg, Topology
from fabdemo.runtime import composefile as cf
from fabdemo.settings import Settings

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
# Variables a user (or `make app`) sets for the app container; passed through when present.
PASSED_THROUGH = ("DOCKER_SOCKET", "APP_PORT", "APP_BIND", "APP_PUBLIC_HOST", "FABDEMO_APP_TOKEN")


class ComposeError(NetworkError):
    pass


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


def docker_client(timeout: int = 120) -> Any:
    import docker  # the Docker SDK for Python; imported here so the native runtime never needs it

    return docker.from_env(timeout=timeout)


def unavailable_reason() -> str | None:
    """None if the Compose runtime can run here, else why not (for the automatic choice)."""
    try:
        client = docker_client(timeout=3)
        client.ping()
    except Exception:
        return "no Docker engine reachable"
    if compose_cli() is None:
        return "a Docker engine is reachable but no Compose CLI (docker compose or docker-compose) was found"
    return None


def image_setting(var: str) -> str:
    return os.environ.get(var) or cf.IMAGE_DEFAULTS[var]


class ComposeProject:
    """docker-compose.yaml run as one project for one state directory and port offset."""

    def __init__(self, settings: Settings, topology: Topology, layout: StateLayout) -> None:
        self.settings = settings
        self.topology = topology  # the full topology, joinable orgs included (they have services too)
        self.layout = layout
        self.name = settings.compose_project
        self.compose_file = settings.repo_root / "docker-compose.yaml"
        self._client: Any = None
        self._chaincode_vars = self._read_env_file()

    @property
    def docker(self) -> Any:
        if self._client is None:
            self._client = docker_client()
        return self._client

    @property
    def env_file(self) -> Path:
        return self.layout.root / "compose.env"

    def fabric_version(self) -> str:
        return os.environ.get("FABRIC_VERSION") or self.topology.fabric.version

    def fabric_ca_version(self) -> str:
        pinned = self.topology.fabric_ca.version if self.topology.fabric_ca else "latest"
        return os.environ.get("FABRIC_CA_VERSION") or pinned

    def images(self) -> dict[str, str]:
        version = self.fabric_version()
        return {
            "peer": f"{image_setting('FABRIC_PEER_IMAGE')}:{version}",
            "orderer": f"{image_setting('FABRIC_ORDERER_IMAGE')}:{version}",
            "ca": f"{image_setting('FABRIC_CA_IMAGE')}:{self.fabric_ca_version()}",
            "chaincode": image_setting("CHAINCODE_IMAGE"),
            "app": image_setting("APP_IMAGE"),
        }

    def org(self, key: str) -> PeerOrg:
        for org in (*self.topology.peer_orgs, *self.topology.joinable_orgs):
            if org.key == key:
                return org
        raise KeyError(key)

    # -- variables ------------------------------------------------------------------------------------------
    def variables(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Values of every variable docker-compose.yaml uses, for this state dir and port offset."""
        env = {
            "FABDEMO_STATE_DIR": str(self.layout.root.resolve()),
            "FABDEMO_PORT_OFFSET": str(self.settings.port_offset),
            "FABDEMO_COMPOSE_PROJECT": self.name,
            "FABRIC_VERSION": self.fabric_version(),
            "FABRIC_CA_VERSION": self.fabric_ca_version(),
            # The log levels of the batch profile the network started with, as natively (network_specs).
            "FABRIC_LOGGING_SPEC": logging_spec(self.topology, self.layout),
            cf.APP_CA_BIN_VAR: str(self._app_ca_bin()),
            **self._state_owner(),
        }
        env.update({var: image_setting(var) for var in cf.IMAGE_DEFAULTS})
        env.update({var: str(port) for var, port in cf.port_variables(self.topology).items()})
        host = os.environ.get("DOCKER_HOST", "")
        if host.startswith("unix://"):
            env["DOCKER_SOCKET"] = host.removeprefix("unix://")
        env.update({var: os.environ[var] for var in PASSED_THROUGH if os.environ.get(var)})
        if self.settings.fabric_bin:
            env["FABRIC_BIN"] = str(self.settings.fabric_bin)
        env.update(self._chaincode_vars)
        env.update(extra or {})
        return env

    def _app_ca_bin(self) -> Path:
        """The host folder with fabric-ca-client for the app container. Without Fabric CA binaries (a
        network of cryptogen identities never builds them) the app needs none: the state dir, which the
        app mounts anyway, fills the mount point."""
        pin = self.topology.fabric_ca
        try:
            found = binaries.locate_ca(self.settings.cache_dir, pin, self.settings.fabric_ca_bin) if pin else None
        except binaries.SetupError:
            found = None  # a FABRIC_CA_BIN without the tools: the CA network's own start says so
        return (found.bin_dir if found else self.layout.root).resolve()

    def _state_owner(self) -> dict[str, str]:
        """FABDEMO_UID/GID: the CA servers write their home in the state dir as its owner, so `make down`
        (and a user without root) can delete what they wrote."""
        owner = self.layout.root if self.layout.root.exists() else self.layout.root.parent
        info = owner.stat() if owner.exists() else None
        uid, gid = (info.st_uid, info.st_gid) if info else (os.getuid(), os.getgid())
        return {"FABDEMO_UID": str(uid), "FABDEMO_GID": str(gid)}

    def remember_chaincode(self, org_key: str, package_id: str) -> None:
        """The package a chaincode container of this org runs (and the image tag it comes from)."""
        org = self.org(org_key)
        label = package_id.split(":", 1)[0]  # "provenance_<image id>:<package hash>"
        self._chaincode_vars[cf.package_id_variable(org)] = package_id
        self._chaincode_vars[cf.chaincode_tag_variable(org)] = label.rsplit("_", 1)[-1]

    def _read_env_file(self) -> dict[str, str]:
        """Chaincode package ids and tags recorded by an earlier run (other variables are recomputed)."""
        found: dict[str, str] = {}
        if self.env_file.is_file():
            for line in self.env_file.read_text().splitlines():
                key, sep, value = line.partition("=")
                if sep and (key.endswith("_CHAINCODE_PACKAGE_ID") or key.endswith("_CHAINCODE_TAG")):
                    found[key] = value
        return found

    def write_env_file(self, extra: dict[str, str] | None = None) -> None:
        """``.state/compose.env``: the values the kit used, for running ``docker compose`` by hand."""
        if not self.layout.root.is_dir() or self.settings.inside_compose:
            return  # the host's values only: paths inside the app container differ (its CA binaries)
        lines = ["# Written by the kit: docker compose --env-file .state/compose.env -p PROJECT ..."]
        lines += [f"{key}={value}" for key, value in sorted(self.variables(extra).items())]
        self.env_file.write_text("\n".join(lines) + "\n")

    # -- the Compose CLI and the Docker API -----------------------------------------------------------------
    def compose(self, *args: str, timeout: float = 900, extra: dict[str, str] | None = None) -> str:
        """Run the Compose CLI on this project with its variables (``extra`` added for this call)."""
        command = compose_cli()
        if command is None:
            raise ComposeError("no Compose CLI found: install Docker Compose (`docker compose` or `docker-compose`)")
        self.write_env_file(extra)
        full = [*command, "-f", str(self.compose_file), "-p", self.name, *args]
        proc = subprocess.run(
            full,
            cwd=self.compose_file.parent,
            env={**os.environ, **self.variables(extra)},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0:
            output = (proc.stderr + proc.stdout).strip()
            raise ComposeError(f"`{' '.join(full[-len(args) - 2 :])}` failed:\n{output[-3000:]}")
        return proc.stdout + proc.stderr

    def containers(self, service: str | None = None) -> list[Any]:
        labels = [f"{PROJECT_LABEL}={self.name}"]
        if service:
            labels.append(f"{SERVICE_LABEL}={service}")
        return self.docker.containers.list(all=True, filters={"label": labels})

    def container(self, service: str) -> Any:
        found = self.containers(service)
        return found[0] if found else None

    def volume(self, service: str) -> str:
        """The Docker volume holding a service's data (Compose prefixes the project name)."""
        return f"{self.name}_{service}"

    def volumes(self) -> list[Any]:
        return self.docker.volumes.list(filters={"label": f"{PROJECT_LABEL}={self.name}"})

    def build_image(self, context_dir: Path, dockerfile: str, buildargs: dict[str, str], tag: str, what: str) -> Any:
        """Build an image with the Docker SDK; a failed build raises ComposeError with the build's last lines."""
        import docker.errors

        try:
            image, _logs = self.docker.images.build(
                path=str(context_dir), dockerfile=dockerfile, buildargs=buildargs, tag=tag, rm=True, forcerm=True
            )
        except docker.errors.BuildError as err:
            lines = "".join(str(chunk.get("stream") or chunk.get("error") or "") for chunk in err.build_log)
            raise ComposeError(f"{what} build failed in {context_dir}:\n{lines.strip()[-3000:]}") from None
        return image

    def networks(self) -> list[Any]:
        return self.docker.networks.list(filters={"label": f"{PROJECT_LABEL}={self.name}"})
