"""Readiness and live figures of nodes, read from their operations endpoints (TLS) or ports.

``/healthz`` tells whether a node is ready; the Prometheus ``/metrics`` page gives its ledger height
per channel and, for orderers, whether it leads the ordering service (Raft leader or BFT view leader).
"""

from __future__ import annotations

import re
import socket
import ssl
import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path

from fabdemo.network.nodes import NodeSpec

_HEIGHT_RE = re.compile(r'^ledger_blockchain_height\{channel="(?P<channel>[^"]+)"\}\s+(?P<value>[0-9.e+]+)$', re.M)
# Raft: consensus_etcdraft_is_leader. SmartBFT: consensus_BFT_is_leader, which an orderer updates when
# it starts and with every block it delivers (so after a view change, from the next block on).
_LEADER_RE = re.compile(
    r'^consensus_(?:etcdraft|BFT)_is_leader\{channel="(?P<channel>[^"]+)"\}\s+(?P<value>[0-9.e+]+)$', re.M
)


def _ssl_context(ca_file: str, client_tls_dir: str | None) -> ssl.SSLContext:
    """The TLS context for a CA file, cached by path *and* modification time.

    A process that brings up a second network in the same state dir (a benchmark comparing Raft and
    BFT, a cold start after ``down``) has new crypto at the same paths: a context cached by path alone
    would keep trusting the old CA, and every node would look unhealthy.
    """
    try:
        stamp = Path(ca_file).stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _cached_ssl_context(ca_file, client_tls_dir, stamp)


@lru_cache(maxsize=32)
def _cached_ssl_context(ca_file: str, client_tls_dir: str | None, _stamp: int) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_file)
    if client_tls_dir:
        folder = Path(client_tls_dir)
        context.load_cert_chain(folder / "client.crt", folder / "client.key")
    return context


def _get(url: str, ca: Path, timeout: float, client_tls: Path | None = None) -> tuple[int, str]:
    context = _ssl_context(str(ca), str(client_tls) if client_tls else None)
    try:
        with urllib.request.urlopen(url, context=context, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def is_healthy(spec: NodeSpec, timeout: float = 1.0) -> bool:
    try:
        if spec.operations_address and spec.tls_ca:
            status, _ = _get(f"https://{spec.operations_address}{spec.health_path}", spec.tls_ca, timeout)
            if status != 200:
                return False
            # /healthz can answer a moment before the node's gRPC listener accepts connections, and under
            # Compose Docker's port proxy accepts a connection before anything listens: a TLS handshake.
            host = spec.operations_address.rsplit(":", 1)[0]
            context = _ssl_context(str(spec.tls_ca), None)
            with (
                socket.create_connection((host, spec.ports[0]), timeout=timeout) as sock,
                context.wrap_socket(sock, server_hostname=host),
            ):
                return True
        if spec.health_port:
            with socket.create_connection((spec.health_host, spec.health_port), timeout=timeout) as sock:
                if spec.tls_ca:
                    context = _ssl_context(str(spec.tls_ca), None)
                    with context.wrap_socket(sock, server_hostname=spec.health_host):
                        pass
                return True
    except (OSError, ssl.SSLError):
        return False
    return False


def metrics(spec: NodeSpec, timeout: float = 1.0) -> str | None:
    if not (spec.operations_address and spec.tls_ca):
        return None
    try:
        status, body = _get(f"https://{spec.operations_address}/metrics", spec.tls_ca, timeout, spec.ops_client_tls)
    except (OSError, ssl.SSLError):
        return None
    return body if status == 200 else None


def ledger_heights(spec: NodeSpec) -> dict[str, int]:
    body = metrics(spec)
    if body is None:
        return {}
    return {m["channel"]: int(float(m["value"])) for m in _HEIGHT_RE.finditer(body)}


_GOSSIP_RE = re.compile(
    r'^gossip_membership_total_peers_known\{channel="(?P<channel>[^"]+)"\}\s+(?P<value>[0-9.e+]+)$', re.M
)


def gossip_peers_known(spec: NodeSpec, channel: str) -> int:
    """How many other peers of the channel this peer knows (what the gateway's discovery relies on)."""
    body = metrics(spec)
    if body is None:
        return 0
    return next((int(float(m["value"])) for m in _GOSSIP_RE.finditer(body) if m["channel"] == channel), 0)


def is_leader(spec: NodeSpec, channel: str) -> bool:
    """The orderer leads the channel's ordering service (Raft leader, or the leader of the BFT view)."""
    body = metrics(spec)
    if body is None:
        return False
    return any(m["channel"] == channel and float(m["value"]) == 1 for m in _LEADER_RE.finditer(body))


_BFT_LEADER_ID_RE = re.compile(
    r'^consensus_BFT_leader_id\{channel="(?P<channel>[^"]+)"\}\s+(?P<value>[0-9.e+]+)$', re.M
)


def bft_leader_id(spec: NodeSpec, channel: str) -> int | None:
    """The consenter id this SmartBFT orderer takes for the leader (None if it does not say)."""
    body = metrics(spec)
    if body is None:
        return None
    return next((int(float(m["value"])) for m in _BFT_LEADER_ID_RE.finditer(body) if m["channel"] == channel), None)


def ephemeral_ports() -> tuple[int, int] | None:
    """The range the kernel picks local ports of outgoing connections from (Linux; None elsewhere)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    except (OSError, ValueError):
        return None
    return int(low), int(high)


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0
