"""docker-compose.yaml serves IDENTITIES=ca: a Fabric CA service per org in the "ca" profile, the same
flags as the native CA, no secret in the file; the variables the kit writes for it (no Docker needed)."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from fabdemo.network import fabricca
from fabdemo.network.binaries import FabricCAInstall
from fabdemo.network.layout import StateLayout
from fabdemo.network.placement import CONTAINER_CA_BIN_DIR, CONTAINER_CA_HOME, CONTAINER_CA_SECRET
from fabdemo.network.topology import LOCALHOST, load_topology
from fabdemo.runtime import composefile
from fabdemo.runtime.compose_project import ComposeProject
from fabdemo.settings import Settings


def _services() -> dict:
    return yaml.safe_load(composefile.COMPOSE_FILE.read_text())["services"]


def _published(entry: str) -> int:
    return int(entry.split(":-")[1].split("}")[0])


def test_every_org_has_a_ca_service_of_the_ca_profile_with_the_native_ports() -> None:
    topology = load_topology(composefile.default_topology_file())
    services = _services()
    orgs = fabricca.declared_ca_orgs(topology)
    domains = ("orderer", "farm", "processor", "retail", "carrier")
    assert {o.host for o in orgs} == {f"ca.{d}.example.com" for d in domains}
    for org in orgs:
        service = services[org.host]
        assert service["profiles"] == ["ca"], org.host  # never started by a plain `docker compose up`
        assert [_published(p) for p in service["ports"]] == list(org.ca.ports), org.host
        assert all(p.startswith("127.0.0.1:") for p in service["ports"]), org.host
        assert (
            service["image"]
            == f"${{FABRIC_CA_IMAGE:-hyperledger/fabric-ca}}:${{FABRIC_CA_VERSION:-{topology.fabric_ca.version}}}"
        )
        assert service["user"] == "${FABDEMO_UID:-0}:${FABDEMO_GID:-0}"
        home, secret = service["volumes"]
        assert home == f"${{FABDEMO_STATE_DIR:-./.state}}/nodes/{org.host}/data:{CONTAINER_CA_HOME}"  # read-write
        assert secret == f"${{FABDEMO_STATE_DIR:-./.state}}/nodes/{org.host}/bootstrap.secret:{CONTAINER_CA_SECRET}:ro"
    for name, service in services.items():
        if not name.startswith("ca."):
            assert "ca" not in service.get("profiles", []), name


def test_the_ca_command_is_the_native_flag_list_and_reads_the_secret_from_its_file(tmp_path: Path) -> None:
    topology = load_topology(composefile.default_topology_file())
    org = fabricca.peer_ca_org(topology.peer_org("farm"))
    command = _services()[org.host]["command"]
    shell, flag, script, arg0, *args = command
    assert (shell, flag, arg0) == ("sh", "-c", "fabric-ca-server")
    # $$ is Compose's escape: the container's shell runs `$(cat ...)`, the secret is in no file or variable.
    assert script == f'exec fabric-ca-server "$$@" -b "admin:$$(cat {CONTAINER_CA_SECRET})"'
    assert args == list(
        fabricca.server_args(
            org, CONTAINER_CA_HOME, "0.0.0.0", "${FARM_CA_PORT:-7054}", "${FARM_CA_OPERATIONS_PORT:-9461}"
        )
    )
    assert args[args.index("--csr.hosts") + 1].split(",") == [org.host, "localhost", "127.0.0.1"]
    # ...and the native CA runs the very same list, with its own home, loopback and the secret itself.
    layout = StateLayout(tmp_path)
    spec = fabricca.ca_spec(layout, org, FabricCAInstall(Path("/bin"), "cache"))
    secret = fabricca.bootstrap_secret(layout, org)
    native = list(fabricca.server_args(org, str(layout.ca_home(org.host)), LOCALHOST, 7054, 9461))
    assert list(spec.command) == ["/bin/fabric-ca-server", *native, "-b", f"admin:{secret}"]
    assert secret not in composefile.COMPOSE_FILE.read_text()


def test_the_ca_port_variables_follow_the_offset() -> None:
    variables = composefile.port_variables(load_topology(composefile.default_topology_file(), port_offset=11900))
    assert variables["FARM_CA_PORT"] == 7054 + 11900 and variables["FARM_CA_OPERATIONS_PORT"] == 9461 + 11900
    assert variables["ORDERER_CA_PORT"] == 9054 + 11900 and variables["CARRIER_CA_PORT"] == 13054 + 11900


def test_the_app_container_mounts_the_hosts_fabric_ca_binaries() -> None:
    app = _services()["app"]
    assert app["environment"]["FABRIC_CA_BIN"] == CONTAINER_CA_BIN_DIR
    assert any(
        v.startswith("${APP_FABRIC_CA_BIN:?") and v.endswith(f":{CONTAINER_CA_BIN_DIR}:ro") for v in app["volumes"]
    )


def test_the_kit_writes_the_ca_variables(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path / "state", cache_dir=tmp_path / "cache", port_offset=11900)
    topology = load_topology(composefile.default_topology_file(), port_offset=11900, identities="ca")
    layout = StateLayout(settings.state_dir)
    layout.root.mkdir()
    variables = ComposeProject(settings, topology, layout).variables()
    info = layout.root.stat()
    assert (variables["FABDEMO_UID"], variables["FABDEMO_GID"]) == (str(info.st_uid), str(info.st_gid))
    assert variables["FABRIC_CA_VERSION"] == os.environ.get("FABRIC_CA_VERSION", topology.fabric_ca.version)
    assert variables["FARM_CA_PORT"] == str(7054 + 11900)
    # No Fabric CA binaries in this cache: the app's mount point gets the state dir, which it mounts anyway.
    assert variables["APP_FABRIC_CA_BIN"] == str(layout.root.resolve())
    ca_bin = tmp_path / "ca-bin"
    ca_bin.mkdir()
    for tool in ("fabric-ca-server", "fabric-ca-client"):
        (ca_bin / tool).write_text("#!/bin/sh\n")
        (ca_bin / tool).chmod(0o755)
    with_ca = ComposeProject(settings.model_copy(update={"fabric_ca_bin": ca_bin}), topology, layout).variables()
    assert with_ca["APP_FABRIC_CA_BIN"] == str(ca_bin.resolve())
