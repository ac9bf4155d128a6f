"""Client identities: an MSP ID plus an X.509 certificate, serialized as ``msp.SerializedIdentity``."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fabric_protos.msp import identities_pb2

from fabric_gateway.hashing import HashFunction, sha256
from fabric_gateway.signer import Signer, SignFunction, as_signer, signer_from_private_key


@dataclass(frozen=True)
class Identity:
    """A Fabric client identity: the MSP ID of its organization and its PEM encoded certificate."""

    msp_id: str
    credentials: bytes
    _serialized: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.msp_id:
            raise ValueError("msp_id must not be empty")
        if isinstance(self.credentials, str):
            object.__setattr__(self, "credentials", self.credentials.encode())
        creator = identities_pb2.SerializedIdentity(mspid=self.msp_id, id_bytes=self.credentials)
        object.__setattr__(self, "_serialized", creator.SerializeToString())

    @classmethod
    def from_certificate_file(cls, msp_id: str, path: str | Path) -> Identity:
        return cls(msp_id, Path(path).read_bytes())

    def serialize(self) -> bytes:
        """The ``msp.SerializedIdentity`` bytes used as the creator of every request."""
        return self._serialized

    @cached_property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.credentials)


class SigningIdentity:
    """An identity together with the hash and sign functions used to sign requests on its behalf."""

    __slots__ = ("creator", "hash", "identity", "signer")

    def __init__(
        self,
        identity: Identity,
        signer: Signer | SignFunction | None,
        hash_function: HashFunction = sha256,
    ) -> None:
        self.identity = identity
        self.signer = as_signer(signer) if signer is not None else None
        self.hash = hash_function
        self.creator = identity.serialize()

    def sign_message(self, message: bytes) -> bytes:
        """Hash ``message`` and sign the digest."""
        if self.signer is None:
            raise RuntimeError("no signer supplied: sign the request offline or connect with a signer")
        return self.signer.sign(self.hash(message))


class MspCredentials(NamedTuple):
    """What :func:`load_msp_identity` returns; unpacks as ``identity, signer``."""

    identity: Identity
    signer: Signer


def _pem_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))


def _load_private_key(path: Path, password: bytes | None) -> object | None:
    try:
        return serialization.load_pem_private_key(path.read_bytes(), password=password)
    except (ValueError, TypeError):
        return None


def _public_bytes(key: object) -> bytes:
    return key.public_key().public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_msp_identity(msp_dir: str | Path, msp_id: str, *, key_password: bytes | None = None) -> MspCredentials:
    """Load the identity and signer of an MSP directory as laid out by cryptogen or fabric-ca-client.

    The certificate is the PEM file in ``signcerts/``; the private key is the key file in ``keystore/``
    (``priv_sk``, ``<ski>_sk`` or any PEM key) whose public key matches the certificate.
    """
    msp_path = Path(msp_dir)
    certs = [p for p in _pem_files(msp_path / "signcerts") if p.suffix in {".pem", ".crt", ""}]
    if not certs:
        raise FileNotFoundError(f"no certificate found in {msp_path / 'signcerts'}")
    credentials = certs[0].read_bytes()
    certificate = x509.load_pem_x509_certificate(credentials)
    cert_public = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    key_files = _pem_files(msp_path / "keystore")
    # Prefer the conventional names, then anything else that parses as a private key.
    key_files.sort(key=lambda p: (not p.name.endswith("_sk"), p.name))
    for key_file in key_files:
        key = _load_private_key(key_file, key_password)
        if key is not None and _public_bytes(key) == cert_public:
            return MspCredentials(Identity(msp_id, credentials), signer_from_private_key(key))
    raise FileNotFoundError(f"no private key matching {certs[0].name} found in {msp_path / 'keystore'}")
