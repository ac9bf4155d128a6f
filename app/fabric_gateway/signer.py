"""Signing implementations.

A signer turns the digest produced by the gateway's hash function into a signature. Anything with a
``sign(digest) -> bytes`` method (or a plain callable taking the digest) can be used, so a key held in an
HSM or a remote signing service plugs in the same way as a local key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed,
    decode_dss_signature,
    encode_dss_signature,
)

# Group orders of the NIST curves Fabric accepts (FIPS 186-4, D.1.2.3 and D.1.2.4).
_CURVE_ORDERS: dict[str, int] = {
    "secp256r1": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "secp384r1": int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
}

_ECDSA_BY_DIGEST_SIZE = {
    size: ec.ECDSA(Prehashed(algorithm))
    for size, algorithm in ((32, hashes.SHA256()), (48, hashes.SHA384()), (64, hashes.SHA512()))
}


@runtime_checkable
class Signer(Protocol):
    """Signs a digest (or, for Ed25519 with ``hashing.none``, the whole message)."""

    def sign(self, digest: bytes) -> bytes: ...


SignFunction = Callable[[bytes], bytes]


def curve_order(curve: ec.EllipticCurve) -> int:
    try:
        return _CURVE_ORDERS[curve.name]
    except KeyError:
        raise ValueError(f"unsupported elliptic curve: {curve.name}") from None


def to_low_s(signature: bytes, order: int) -> bytes:
    """Return the DER ECDSA signature with S normalised to the lower half of the curve order.

    ``(r, s)`` and ``(r, n - s)`` are both valid signatures of the same digest; Fabric accepts only the
    low-S form to rule out signature malleability, and rejects signatures with ``s > n / 2``.
    """
    r, s = decode_dss_signature(signature)
    if s > order // 2:
        return encode_dss_signature(r, order - s)
    return signature


def is_low_s(signature: bytes, order: int) -> bool:
    _, s = decode_dss_signature(signature)
    return s <= order // 2


class EcdsaSigner:
    """ECDSA signer for a NIST P-256 (or P-384) private key, producing low-S DER signatures.

    The input is the digest computed by the gateway's hash function (SHA-256 by default); it is signed
    as-is (pre-hashed), matching the official Fabric Gateway clients.
    """

    __slots__ = ("_key", "_order")

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        if not isinstance(private_key, ec.EllipticCurvePrivateKey):
            raise TypeError("EcdsaSigner needs an elliptic curve private key")
        self._key = private_key
        self._order = curve_order(private_key.curve)

    @classmethod
    def from_pem(cls, pem: bytes, password: bytes | None = None) -> EcdsaSigner:
        key = serialization.load_pem_private_key(pem, password=password)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise TypeError("PEM does not hold an elliptic curve private key")
        return cls(key)

    @classmethod
    def from_file(cls, path: str | Path, password: bytes | None = None) -> EcdsaSigner:
        return cls.from_pem(Path(path).read_bytes(), password)

    @property
    def private_key(self) -> ec.EllipticCurvePrivateKey:
        return self._key

    @property
    def curve_order(self) -> int:
        return self._order

    def sign(self, digest: bytes) -> bytes:
        try:
            algorithm = _ECDSA_BY_DIGEST_SIZE[len(digest)]
        except KeyError:
            raise ValueError(f"ECDSA signer expects a 32, 48 or 64 byte digest, got {len(digest)} bytes") from None
        signature = self._key.sign(digest, algorithm)
        return to_low_s(signature, self._order)

    __call__ = sign


class Ed25519Signer:
    """Ed25519 signer. Ed25519 signs the full message: connect with ``hash_function=hashing.none``."""

    __slots__ = ("_key",)

    def __init__(self, private_key: ed25519.Ed25519PrivateKey) -> None:
        self._key = private_key

    def sign(self, digest: bytes) -> bytes:
        return self._key.sign(digest)

    __call__ = sign


class _CallableSigner:
    __slots__ = ("_fn",)

    def __init__(self, fn: SignFunction) -> None:
        self._fn = fn

    def sign(self, digest: bytes) -> bytes:
        return self._fn(digest)


def as_signer(signer: Signer | SignFunction) -> Signer:
    """Accept either a :class:`Signer` or a plain ``digest -> signature`` function."""
    if hasattr(signer, "sign"):
        return signer  # type: ignore[return-value]
    if callable(signer):
        return _CallableSigner(signer)
    raise TypeError(f"not a signer: {signer!r}")


def signer_from_private_key(private_key: object) -> Signer:
    """Pick the signer implementation for a ``cryptography`` private key object."""
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return EcdsaSigner(private_key)
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return Ed25519Signer(private_key)
    raise TypeError(f"unsupported private key type: {type(private_key).__name__}")
