"""``docker-compose.yaml``, rendered from the one topology file.

The file at the repository root is this module's output for ``network/topology.yaml`` (a test keeps the
two in step; ``make compose-file`` rewrites it). Everything that varies between runs is a Compose
variable with the default a user gets, and the Compose runtime writes the actual values into
``<state dir>/compose.env``:

- image names and tags (official ``hyperledger/fabric-peer`` and ``hyperledger/fabric-orderer`` at the
  pinned version by default);
- every published port (``FABDEMO_PORT_OFFSET`` shifts them all; inside its container a node listens
  on the same port number as on the host, so one number names an endpoint everywhere);
- the state directory (crypto material and node configs, bind-mounted read-only);
- the chaincode package id and image tag each chaincode container runs;
- the nodes' log levels (``FABRIC_LOGGING_SPEC``: the batch profile the network started with);
- the user the Fabric CA servers run as (the state dir's owner, so `make down` can delete their files).

Ledgers live in named volumes, one per orderer and peer. A Fabric CA (profile ``ca``, IDENTITIES=ca)
keeps its home in the state dir instead, bind-mounted read-write, where the host's ``fabric-ca-client``
finds its certificate and the kit reads its registry, as natively. The bootstrap (crypto, genesis block, channel
joins, chaincode lifecycle) is not in this file: it is the same Python code as for the native runtime,
run on the host against the published ports.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from fabdemo.network import fabricca
from fabdemo.network.layout import StateLayout
from fabdemo.network.placement import (
    CONTAINER_BUILDERS_DIR,
    CONTAINER_CA_BIN_DIR,
    CONTAINER_CA_HOME,
    CONTAINER_CA_SECRET,
    CONTAINER_CHAINCODE_TLS_DIR,
    CONTAINER_CONFIG_DIR,
    CONTAINER_CRYPTO_DIR,
)
from fabdemo.network.topology import CONSENSUS_TYPES, OrdererNode, PeerOrg, Topology, load_topology
from fabdemo.settings import REPO_ROOT

COMPOSE_FILE = REPO_ROOT / "docker-compose.yaml"

# Image variables and their defaults: the official images. Override any of them in the environment.
IMAGE_DEFAULTS = {
    "FABRIC_PEER_IMAGE": "hyperledger/fabric-peer",
    "FABRIC_ORDERER_IMAGE": "hyperledger/fabric-orderer",
    "FABRIC_CA_IMAGE": "hyperledger/fabric-ca",
    "CHAINCODE_IMAGE": "fabdemo/provenance-chaincode",
    "APP_IMAGE": "fabdemo/app",
    # Build arguments: where the chaincode and app images start from.
    "GO_IMAGE": "golang:1.24-bookworm",
    "CHAINCODE_BASE_IMAGE": "debian:bookworm-slim",
    "PYTHON_IMAGE": "python:3.11-slim-bookworm",
    "COUCHDB_IMAGE": "couchdb:3.4.2",
}
COUCHDB_USER = "admin"
COUCHDB_PASSWORD = "adminpw"
COUCHDB_PORT = 5984
APP_CONTAINER_PORT = 8000
STATE_DIR_VAR = "${FABDEMO_STATE_DIR:-./.state}"
# The container data folder (CONTAINER_DATA_DIR) sits inside this mount point: the official images
# declare VOLUME /var/hyperledger, so mounting the named volume there leaves no anonymous volume.
VOLUME_MOUNT = "/var/hyperledger"
CA_PROFILE = "ca"
# Who the CA servers run as: the kit writes the state dir's owner, so the files they write into their
# bind-mounted home can be deleted without root.
CA_USER = "${FABDEMO_UID:-0}:${FABDEMO_GID:-0}"
# The host folder with fabric-ca-client that the app container mounts (the kit always sets it).
APP_CA_BIN_VAR = "APP_FABRIC_CA_BIN"
KIT_SETS_IT = "run the network through the kit (make up), which sets it"

HEADER = """\
# The farm-to-table network on Docker: 3 Raft orderers (a fourth for SmartBFT), one peer and one
# chaincode-as-a-service container per peer org, a Fabric CA per org (IDENTITIES=ca), and the web app.
# GENERATED from network/topology.yaml by `make compose-file`; do not edit by hand (a test checks that
# the two agree).
#
# Use it through the kit: `make up RUNTIME=compose` (or just `make up` when Docker is running). The
# kit generates crypto material, node configs and the channel in the state dir, writes the values of
# the variables below to .state/compose.env, and runs `docker compose` with it. To look around by hand:
#   docker compose --env-file .state/compose.env -p fabdemo ps
#   docker compose --env-file .state/compose.env -p fabdemo logs peer0.farm.example.com
#
# Images default to the official ones at the pinned Fabric and Fabric CA versions; override
# FABRIC_PEER_IMAGE, FABRIC_ORDERER_IMAGE, FABRIC_VERSION, FABRIC_CA_IMAGE, FABRIC_CA_VERSION,
# CHAINCODE_IMAGE, APP_IMAGE, GO_IMAGE, CHAINCODE_BASE_IMAGE, PYTHON_IMAGE or COUCHDB_IMAGE in the
# environment. Profiles: "couchdb" (STATE_DB=couchdb), "app", "bft" (the fourth orderer, CONSENSUS=bft),
# "ca" (the Fabric CA servers, IDENTITIES=ca) and one per joinable org (`make add-org`).
"""


def image(var: str, tag_var: str | None = None, tag_default: str = "latest") -> str:
    """``${VAR:-default}`` (plus ``:${TAG_VAR:-tag}`` when the tag is a separate variable)."""
    ref = f"${{{var}:-{IMAGE_DEFAULTS[var]}}}"
    return f"{ref}:${{{tag_var}:-{tag_default}}}" if tag_var else ref


# -- variable names -------------------------------------------------------------------------------------
def _key(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).upper()


def _orderers(topology: Topology) -> tuple[OrdererNode, ...]:
    """Every declared orderer (the file serves both consensus types), else the running set."""
    return topology.declared_orderers or topology.orderer_org.nodes


def consensus_profile(node: OrdererNode) -> str | None:
    """The Compose profile of an orderer that only one consensus type runs (``bft`` for the fourth)."""
    only = [c for c in CONSENSUS_TYPES if c in node.consensus_types]
    return only[0] if len(only) == 1 else None


def ca_port_variables(org: fabricca.CAOrg) -> tuple[str, str]:
    """The Compose variables of a CA's API and operations ports."""
    key = _key(org.key)
    return f"{key}_CA_PORT", f"{key}_CA_OPERATIONS_PORT"


def port_variables(topology: Topology) -> dict[str, int]:
    """Every published port as a Compose variable, with its value for this topology (offset applied)."""
    ports: dict[str, int] = {}
    for node in _orderers(topology):
        key = _key(node.name)
        ports[f"{key}_PORT"] = node.port
        ports[f"{key}_ADMIN_PORT"] = node.admin_port
        ports[f"{key}_OPERATIONS_PORT"] = node.operations_port
    for org in (*topology.peer_orgs, *topology.joinable_orgs):
        key = _key(org.key)
        ports[f"{key}_PEER_PORT"] = org.peer.port
        ports[f"{key}_PEER_CHAINCODE_PORT"] = org.peer.chaincode_port
        ports[f"{key}_PEER_OPERATIONS_PORT"] = org.peer.operations_port
        ports[f"{key}_CCAAS_PORT"] = org.chaincode_server_port
    for ca_org in fabricca.declared_ca_orgs(topology):
        port_var, operations_var = ca_port_variables(ca_org)
        ports[port_var] = ca_org.ca.port
        ports[operations_var] = ca_org.ca.operations_port
    return ports


def default_logging_spec(topology: Topology) -> str:
    """FABRIC_LOGGING_SPEC when the kit sets none: the default batch profile's (the demo's)."""
    return topology.batch_profile(topology.default_profile).log_spec


def package_id_variable(org: PeerOrg) -> str:
    return f"{_key(org.key)}_CHAINCODE_PACKAGE_ID"


def chaincode_tag_variable(org: PeerOrg) -> str:
    return f"{_key(org.key)}_CHAINCODE_TAG"


def couchdb_service(org: PeerOrg) -> str:
    return f"couchdb.{org.domain}"


def couchdb_address(org: PeerOrg) -> str:
    return f"{couchdb_service(org)}:{COUCHDB_PORT}"


def org_profile(org: PeerOrg) -> str:
    return org.key


# -- services -------------------------------------------------------------------------------------------
def _var(name: str, default: int | str) -> str:
    return f"${{{name}:-{default}}}"


def _published(var: str, default: int) -> str:
    port = _var(var, default)
    return f"127.0.0.1:{port}:{port}"


def _tcp_healthcheck(var: str, default: int) -> dict[str, Any]:
    # The official images are Ubuntu with bash but no curl: a TCP connect to the operations (or
    # chaincode) port. The kit itself waits on the TLS /healthz endpoint through the published port.
    return {
        "test": ["CMD", "bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{_var(var, default)}"],
        "interval": "2s",
        "timeout": "2s",
        "retries": 30,
    }


def _rel(path: Path, layout: StateLayout) -> str:
    return f"{STATE_DIR_VAR}/{path.relative_to(layout.root).as_posix()}"


def _node_environment(topology: Topology) -> dict[str, str]:
    """What every peer and orderer container gets: its config folder and the network's log levels."""
    return {
        "FABRIC_CFG_PATH": CONTAINER_CONFIG_DIR,
        "FABRIC_LOGGING_SPEC": _var("FABRIC_LOGGING_SPEC", default_logging_spec(topology)),
    }


def _orderer_services(topology: Topology, layout: StateLayout) -> dict[str, Any]:
    services = {}
    for node in _orderers(topology):
        key = _key(node.name)
        services[node.host] = {
            "image": image("FABRIC_ORDERER_IMAGE", "FABRIC_VERSION", topology.fabric.version),
            "command": ["orderer"],
            "environment": _node_environment(topology),
            "volumes": [
                f"{_rel(layout.node_config(node.host), layout)}:{CONTAINER_CONFIG_DIR}:ro",
                f"{_rel(layout.orderer_node_dir(topology, node), layout)}:{CONTAINER_CRYPTO_DIR}:ro",
                f"{node.host}:{VOLUME_MOUNT}",
            ],
            "ports": [
                _published(f"{key}_PORT", node.port),
                _published(f"{key}_ADMIN_PORT", node.admin_port),
                _published(f"{key}_OPERATIONS_PORT", node.operations_port),
            ],
            "healthcheck": _tcp_healthcheck(f"{key}_OPERATIONS_PORT", node.operations_port),
        }
        profile = consensus_profile(node)
        if profile:  # started by name when that consensus runs (`make up CONSENSUS=bft`), never by default
            services[node.host]["profiles"] = [profile]
    return services


def _peer_org_services(topology: Topology, layout: StateLayout, org: PeerOrg, joinable: bool) -> dict[str, Any]:
    key = _key(org.key)
    peer = org.peer
    peer_service: dict[str, Any] = {
        "image": image("FABRIC_PEER_IMAGE", "FABRIC_VERSION", topology.fabric.version),
        "command": ["peer", "node", "start"],
        "environment": _node_environment(topology),
        "volumes": [
            f"{_rel(layout.node_config(peer.host), layout)}:{CONTAINER_CONFIG_DIR}:ro",
            f"{_rel(layout.peer_node_dir(org), layout)}:{CONTAINER_CRYPTO_DIR}:ro",
            f"./network/builders:{CONTAINER_BUILDERS_DIR}:ro",
            f"{peer.host}:{VOLUME_MOUNT}",
        ],
        "ports": [
            _published(f"{key}_PEER_PORT", peer.port),
            _published(f"{key}_PEER_CHAINCODE_PORT", peer.chaincode_port),
            _published(f"{key}_PEER_OPERATIONS_PORT", peer.operations_port),
        ],
        "healthcheck": _tcp_healthcheck(f"{key}_PEER_OPERATIONS_PORT", peer.operations_port),
    }
    tls = layout.chaincode_tls_dir(org)
    ccaas_port = _var(f"{key}_CCAAS_PORT", org.chaincode_server_port)
    chaincode_service: dict[str, Any] = {
        "image": image("CHAINCODE_IMAGE", chaincode_tag_variable(org)),
        "build": {
            "context": "./chaincode",
            "args": {
                "GO_IMAGE": image("GO_IMAGE"),
                "BASE_IMAGE": image("CHAINCODE_BASE_IMAGE"),
            },
        },
        "environment": {
            "CHAINCODE_SERVER_ADDRESS": f"0.0.0.0:{ccaas_port}",
            "CHAINCODE_ID": f"${{{package_id_variable(org)}:-}}",
            "CHAINCODE_TLS_KEY_FILE": f"{CONTAINER_CHAINCODE_TLS_DIR}/server.key",
            "CHAINCODE_TLS_CERT_FILE": f"{CONTAINER_CHAINCODE_TLS_DIR}/server.crt",
        },
        "volumes": [f"{_rel(tls, layout)}:{CONTAINER_CHAINCODE_TLS_DIR}:ro"],
        "ports": [_published(f"{key}_CCAAS_PORT", org.chaincode_server_port)],
        "healthcheck": _tcp_healthcheck(f"{key}_CCAAS_PORT", org.chaincode_server_port),
    }
    couchdb_service_def: dict[str, Any] = {
        "image": image("COUCHDB_IMAGE"),
        "profiles": ["couchdb"],
        "environment": {"COUCHDB_USER": COUCHDB_USER, "COUCHDB_PASSWORD": COUCHDB_PASSWORD},
        "volumes": [f"{couchdb_service(org)}:/opt/couchdb/data"],
    }
    if joinable:
        for service in (peer_service, chaincode_service):
            service["profiles"] = [org_profile(org)]
    return {
        peer.host: peer_service,
        org.chaincode_server_host: chaincode_service,
        couchdb_service(org): couchdb_service_def,
    }


def _ca_command(org: fabricca.CAOrg) -> list[str]:
    """``fabric-ca-server`` with the flags of the native CA (fabricca.server_args), listening on all
    interfaces on the port numbers the host uses. A shell reads the registrar's secret from its mounted
    file at start, so the secret is in no compose file, environment or image."""
    port_var, operations_var = ca_port_variables(org)
    flag, value = fabricca.registrar_flag(f"$(cat {CONTAINER_CA_SECRET})")
    script = f'exec fabric-ca-server "$@" {flag} "{value}"'.replace("$", "$$")  # $$: not a Compose variable
    args = fabricca.server_args(
        org, CONTAINER_CA_HOME, "0.0.0.0", _var(port_var, org.ca.port), _var(operations_var, org.ca.operations_port)
    )
    return ["sh", "-c", script, "fabric-ca-server", *args]


def _ca_services(topology: Topology, layout: StateLayout) -> dict[str, Any]:
    if topology.fabric_ca is None:
        return {}
    services = {}
    for org in fabricca.declared_ca_orgs(topology):
        port_var, operations_var = ca_port_variables(org)
        services[org.host] = {
            "image": image("FABRIC_CA_IMAGE", "FABRIC_CA_VERSION", topology.fabric_ca.version),
            # Started by name when the network uses CA identities (`make up IDENTITIES=ca`), never by default.
            "profiles": [CA_PROFILE],
            "user": CA_USER,
            "command": _ca_command(org),
            "environment": {"FABRIC_CA_HOME": CONTAINER_CA_HOME},
            "volumes": [
                f"{_rel(layout.ca_home(org.host), layout)}:{CONTAINER_CA_HOME}",
                f"{_rel(fabricca.bootstrap_secret_file(layout, org.host), layout)}:{CONTAINER_CA_SECRET}:ro",
            ],
            "ports": [
                _published(port_var, org.ca.port),
                _published(operations_var, org.ca.operations_port),
            ],
            # No Compose health check: the image has no probe for TLS; the kit waits on /cainfo over TLS
            # through the published port, as natively.
        }
    return services


def _app_service() -> dict[str, Any]:
    state = f"${{FABDEMO_STATE_DIR:?{KIT_SETS_IT}}}"
    ca_bin = f"${{{APP_CA_BIN_VAR}:?{KIT_SETS_IT}}}"
    port = f"${{APP_PORT:-{APP_CONTAINER_PORT}}}"
    command = ["python", "-m", "uvicorn", "--factory", "fabdemo.api.app:app_from_env"]
    command += ["--host", "0.0.0.0", "--port", port, "--no-access-log"]
    probe = f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}/healthz')"
    return {
        "image": image("APP_IMAGE", "APP_TAG"),
        "build": {"context": ".", "dockerfile": "app/Dockerfile", "args": {"PYTHON_IMAGE": image("PYTHON_IMAGE")}},
        "profiles": ["app"],
        "command": command,
        "environment": {
            # The state dir is mounted at the same path as on the host, so paths in it (and those the
            # app hands to the Docker API, for snapshots) mean the same inside and out.
            "FABDEMO_STATE_DIR": state,
            "FABDEMO_PORT_OFFSET": "${FABDEMO_PORT_OFFSET:-0}",
            "FABDEMO_INSIDE_COMPOSE": "1",
            "FABDEMO_COMPOSE_PROJECT": "${FABDEMO_COMPOSE_PROJECT:-fabdemo}",
            "FABRIC_BIN": "${FABRIC_BIN:-}",
            # fabric-ca-client for the identity service (IDENTITIES=ca): the host's binaries, mounted below.
            "FABRIC_CA_BIN": CONTAINER_CA_BIN_DIR,
            "RUNTIME": "compose",
            # Room mode (make demo HOST=0.0.0.0): the host's LAN address for links, and the join token.
            "FABDEMO_APP_HOST": "${APP_PUBLIC_HOST:-127.0.0.1}",
            "FABDEMO_APP_PORT": port,
            "FABDEMO_APP_TOKEN": "${FABDEMO_APP_TOKEN:-}",
        },
        "volumes": [
            f"{state}:{state}",
            # Node control for the storyboards (stop/start a node) goes through the Docker API.
            "${DOCKER_SOCKET:-/var/run/docker.sock}:/var/run/docker.sock",
            # Debian bookworm binaries on both sides (the kit's build and the app image), so they run here.
            f"{ca_bin}:{CONTAINER_CA_BIN_DIR}:ro",
        ],
        "ports": [f"${{APP_BIND:-127.0.0.1}}:{port}:{port}"],
        "healthcheck": {"test": ["CMD", "python", "-c", probe], "interval": "2s", "timeout": "2s", "retries": 30},
    }


def render(topology: Topology) -> str:
    layout = StateLayout(Path("/STATE"))  # only for paths relative to the state dir
    services: dict[str, Any] = _orderer_services(topology, layout)
    for org in topology.peer_orgs:
        services.update(_peer_org_services(topology, layout, org, joinable=False))
    for org in topology.joinable_orgs:
        services.update(_peer_org_services(topology, layout, org, joinable=True))
    services.update(_ca_services(topology, layout))
    services["app"] = _app_service()
    volume_keys = [n.host for n in _orderers(topology)]
    for org in (*topology.peer_orgs, *topology.joinable_orgs):
        volume_keys += [org.peer.host, couchdb_service(org)]
    document = {"services": services, "volumes": {v: {} for v in volume_keys}}
    body = yaml.safe_dump(document, sort_keys=False, width=200, default_flow_style=False)
    return HEADER + "\n" + body


def default_topology_file() -> Path:
    return REPO_ROOT / "network" / "topology.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="render docker-compose.yaml from network/topology.yaml")
    parser.add_argument("--check", action="store_true", help="exit 1 if docker-compose.yaml is out of date")
    args = parser.parse_args(argv)
    text = render(load_topology(default_topology_file()))
    if args.check:
        current = COMPOSE_FILE.read_text() if COMPOSE_FILE.is_file() else ""
        if current != text:
            print("docker-compose.yaml is out of date: run `make compose-file`", file=sys.stderr)
            return 1
        return 0
    COMPOSE_FILE.write_text(text)
    print(f"Wrote {COMPOSE_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
