"""How the web app is served: host, port and, in room mode, the session token."""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass

DEFAULT_PORT = 8000
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
TOKEN_COOKIE = "fabdemo_token"


@dataclass(frozen=True)
class AppConfig:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    # Room mode (served beyond this machine): without this token only the consumer pages are reachable.
    token: str | None = None
    # Requests from this machine itself (the presenter's browser) need no token.
    trust_loopback: bool = True

    @property
    def room_mode(self) -> bool:
        return self.token is not None

    @property
    def local_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def lan_url(self) -> str:
        host = lan_address() if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def join_url(self) -> str | None:
        return f"{self.lan_url}/join?token={self.token}" if self.token else None

    @classmethod
    def from_env(cls) -> AppConfig:
        return cls(
            host=os.environ.get("FABDEMO_APP_HOST", "127.0.0.1"),
            port=int(os.environ.get("FABDEMO_APP_PORT") or os.environ.get("APP_PORT") or DEFAULT_PORT),
            token=os.environ.get("FABDEMO_APP_TOKEN") or None,
        )

    @classmethod
    def for_host(cls, host: str, port: int) -> AppConfig:
        """Room mode (with a fresh random token) whenever the app listens beyond the loopback interface."""
        token = None if host in LOOPBACK_HOSTS else secrets.token_urlsafe(12)
        return cls(host=host, port=port, token=token)


def lan_address() -> str:
    """This machine's address on the local network (a UDP 'connect' sends no packet; it only picks a route)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.connect(("10.255.255.255", 1))
        return sock.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        sock.close()
