"""gRPC channel creation and a small reference-counted channel cache.

Every :class:`~fabric_gateway.gateway.Gateway` connected to the same endpoint with the same TLS settings
shares one HTTP/2 channel; the channel is closed when the last gateway using it is closed. Channels
supplied by the caller are never cached nor closed by this package.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
from cryptography import x509
from cryptography.hazmat.primitives import serialization

ChannelOption = tuple[str, Any]

# Fabric peers enforce a minimum client ping interval (peer.keepalive.minInterval, 60s by default) and
# drop clients that ping more often, so the client keepalive stays above it.
DEFAULT_CHANNEL_OPTIONS: tuple[ChannelOption, ...] = (
    ("grpc.keepalive_time_ms", 120_000),
    ("grpc.keepalive_timeout_ms", 20_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.max_receive_message_length", 100 * 1024 * 1024),
    ("grpc.max_send_message_length", 100 * 1024 * 1024),
    ("grpc.enable_retries", 1),
)


@dataclass(frozen=True)
class ChannelConfig:
    """Everything that identifies a channel: where it connects and how it authenticates the server."""

    target: str
    secure: bool = True
    root_certificates: bytes | None = None
    client_key: bytes | None = None
    client_certificate: bytes | None = None
    server_name_override: str | None = None
    options: tuple[ChannelOption, ...] = DEFAULT_CHANNEL_OPTIONS

    @classmethod
    def create(
        cls,
        endpoint: str,
        *,
        tls_root_cert: bytes | None = None,
        tls_root_cert_path: str | Path | None = None,
        tls_client_cert_path: str | Path | None = None,
        tls_client_key_path: str | Path | None = None,
        server_name_override: str | None = None,
        insecure: bool = False,
        grpc_options: Sequence[ChannelOption] = (),
    ) -> ChannelConfig:
        target, scheme_secure = parse_endpoint(endpoint)
        if tls_root_cert is None and tls_root_cert_path is not None:
            tls_root_cert = Path(tls_root_cert_path).read_bytes()
        secure = not insecure and scheme_secure is not False
        client_key = Path(tls_client_key_path).read_bytes() if tls_client_key_path else None
        client_cert = Path(tls_client_cert_path).read_bytes() if tls_client_cert_path else None
        options = dict(DEFAULT_CHANNEL_OPTIONS)
        options.update(dict(grpc_options))
        if secure and server_name_override:
            options["grpc.ssl_target_name_override"] = server_name_override
            options.setdefault("grpc.default_authority", server_name_override)
        return cls(
            target=target,
            secure=secure,
            root_certificates=tls_root_cert if secure else None,
            client_key=client_key if secure else None,
            client_certificate=client_cert if secure else None,
            server_name_override=server_name_override if secure else None,
            options=tuple(sorted(options.items())),
        )

    @property
    def cache_key(self) -> tuple[Any, ...]:
        def digest(data: bytes | None) -> str | None:
            return hashlib.sha256(data).hexdigest() if data is not None else None

        return (
            self.target,
            self.secure,
            digest(self.root_certificates),
            digest(self.client_key),
            digest(self.client_certificate),
            self.server_name_override,
            self.options,
        )

    def tls_certificate_hash(self) -> bytes | None:
        """SHA-256 of the DER client TLS certificate, needed by the peer's deliver service for mutual TLS."""
        if not self.client_certificate:
            return None
        return client_certificate_hash(self.client_certificate)

    def _credentials(self) -> grpc.ChannelCredentials:
        return grpc.ssl_channel_credentials(
            root_certificates=self.root_certificates,
            private_key=self.client_key,
            certificate_chain=self.client_certificate,
        )

    def open_sync(self) -> grpc.Channel:
        if self.secure:
            return grpc.secure_channel(self.target, self._credentials(), options=list(self.options))
        return grpc.insecure_channel(self.target, options=list(self.options))

    def open_async(self) -> grpc.aio.Channel:
        if self.secure:
            return grpc.aio.secure_channel(self.target, self._credentials(), options=list(self.options))
        return grpc.aio.insecure_channel(self.target, options=list(self.options))


def client_certificate_hash(pem: bytes) -> bytes:
    cert = x509.load_pem_x509_certificate(pem)
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest()


def parse_endpoint(endpoint: str) -> tuple[str, bool | None]:
    """Split ``grpcs://host:port`` / ``grpc://host:port`` / ``host:port`` into target and TLS hint."""
    for scheme, secure in (("grpcs://", True), ("grpc://", False), ("https://", True), ("http://", False)):
        if endpoint.startswith(scheme):
            return endpoint[len(scheme) :].rstrip("/"), secure
    return endpoint, None


class _Entry:
    __slots__ = ("channel", "refs")

    def __init__(self, channel: Any) -> None:
        self.channel = channel
        self.refs = 0


class ChannelCache:
    """Reference-counted channels keyed by :attr:`ChannelConfig.cache_key` (and event loop, for asyncio)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[Any, ...], _Entry] = {}

    def _acquire(self, key: tuple[Any, ...], factory: Callable[[], Any]) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry(factory())
            entry.refs += 1
            return entry.channel

    def _release(self, key: tuple[Any, ...]) -> Any | None:
        """Drop one reference; return the channel when it is no longer used (the caller closes it)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            entry.refs -= 1
            if entry.refs > 0:
                return None
            del self._entries[key]
            return entry.channel

    def acquire_sync(self, config: ChannelConfig) -> grpc.Channel:
        return self._acquire(("sync", *config.cache_key), config.open_sync)

    def release_sync(self, config: ChannelConfig) -> None:
        channel = self._release(("sync", *config.cache_key))
        if channel is not None:
            channel.close()

    def acquire_async(self, config: ChannelConfig) -> grpc.aio.Channel:
        loop = asyncio.get_running_loop()
        self._prune_closed_loops()
        return self._acquire(("async", id(loop), *config.cache_key), config.open_async)

    async def release_async(self, config: ChannelConfig) -> None:
        loop = asyncio.get_running_loop()
        channel = self._release(("async", id(loop), *config.cache_key))
        if channel is not None:
            await channel.close()

    def _prune_closed_loops(self) -> None:
        # Entries of event loops that were closed without closing their gateways cannot be reused (a new
        # loop may even get the same id), so forget them.
        with self._lock:
            for key, entry in list(self._entries.items()):
                if key[0] == "async":
                    loop = getattr(entry.channel, "_loop", None)
                    if loop is not None and loop.is_closed():
                        del self._entries[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


channel_cache = ChannelCache()
"""The process-wide channel cache used by :func:`~fabric_gateway.gateway.connect`."""
