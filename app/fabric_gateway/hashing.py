"""Hash functions used to produce the digests that a :class:`~fabric_gateway.signer.Signer` signs.

The Fabric Gateway protocol signs a digest of each serialized message. ECDSA keys pair with a SHA-2 hash
(SHA-256 for P-256, SHA-384 for P-384); Ed25519 signs the whole message, so it pairs with :func:`none`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

HashFunction = Callable[[bytes], bytes]
"""Turns a message into the bytes handed to the signer."""


def sha256(message: bytes) -> bytes:
    return hashlib.sha256(message).digest()


def sha384(message: bytes) -> bytes:
    return hashlib.sha384(message).digest()


def sha3_256(message: bytes) -> bytes:
    return hashlib.sha3_256(message).digest()


def sha3_384(message: bytes) -> bytes:
    return hashlib.sha3_384(message).digest()


def none(message: bytes) -> bytes:
    """No hashing: the signer receives the full message (use with Ed25519)."""
    return message
