from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from fabric_protos.msp import identities_pb2
from gw_fakes import key_pem, make_certificate, pem, write_msp_dir

from fabric_gateway import EcdsaSigner, Identity, hashing, load_msp_identity
from fabric_gateway.identity import SigningIdentity
from fabric_gateway.signer import Ed25519Signer, as_signer, curve_order, is_low_s, to_low_s

P256_ORDER = curve_order(ec.SECP256R1())


def test_ecdsa_signatures_verify_and_are_low_s():
    key = ec.generate_private_key(ec.SECP256R1())
    signer = EcdsaSigner(key)
    for i in range(64):  # about half of raw ECDSA signatures are high-S
        message = f"message {i}".encode()
        signature = signer.sign(hashing.sha256(message))
        key.public_key().verify(signature, message, ec.ECDSA(hashes.SHA256()))
        assert is_low_s(signature, P256_ORDER)


def test_high_s_is_normalised():
    key = ec.generate_private_key(ec.SECP256R1())
    message = b"normalise me"
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
    high = encode_dss_signature(r, s if s > P256_ORDER // 2 else P256_ORDER - s)
    assert not is_low_s(high, P256_ORDER)

    low = to_low_s(high, P256_ORDER)
    assert is_low_s(low, P256_ORDER)
    assert decode_dss_signature(low) == (r, min(s, P256_ORDER - s))
    key.public_key().verify(low, message, ec.ECDSA(hashes.SHA256()))  # still valid
    assert to_low_s(low, P256_ORDER) == low  # idempotent


def test_p384_signer_with_sha384():
    key = ec.generate_private_key(ec.SECP384R1())
    signature = EcdsaSigner(key).sign(hashing.sha384(b"x"))
    key.public_key().verify(signature, b"x", ec.ECDSA(hashes.SHA384()))
    assert is_low_s(signature, curve_order(ec.SECP384R1()))


def test_ecdsa_signer_rejects_odd_digest_sizes():
    with pytest.raises(ValueError):
        EcdsaSigner(ec.generate_private_key(ec.SECP256R1())).sign(b"short")


def test_ed25519_signer_signs_whole_message():
    key = ed25519.Ed25519PrivateKey.generate()
    signature = Ed25519Signer(key).sign(hashing.none(b"hello"))
    key.public_key().verify(signature, b"hello")


def test_plain_function_is_accepted_as_signer():
    signer = as_signer(lambda digest: b"sig:" + digest)
    assert signer.sign(b"d") == b"sig:d"


def test_identity_serializes_as_serialized_identity():
    identity = Identity("Org1MSP", b"CERT")
    creator = identities_pb2.SerializedIdentity.FromString(identity.serialize())
    assert creator.mspid == "Org1MSP"
    assert creator.id_bytes == b"CERT"


def test_load_msp_identity(tmp_path: Path):
    msp = write_msp_dir(tmp_path)
    identity, signer = load_msp_identity(msp, "Org1MSP")
    assert identity.msp_id == "Org1MSP"
    cert = x509.load_pem_x509_certificate(identity.credentials)
    assert identity.certificate == cert
    digest = hashing.sha256(b"payload")
    cert.public_key().verify(signer.sign(digest), b"payload", ec.ECDSA(hashes.SHA256()))


def test_load_msp_identity_picks_the_key_matching_the_certificate(tmp_path: Path):
    msp = write_msp_dir(tmp_path, key_file="0123abcd_sk")
    # An unrelated key and a non-key file in the keystore must be skipped.
    (msp / "keystore" / "aaa_sk").write_bytes(key_pem(ec.generate_private_key(ec.SECP256R1())))
    (msp / "keystore" / "README").write_text("not a key")
    identity, signer = load_msp_identity(msp, "Org1MSP")
    identity.certificate.public_key().verify(signer.sign(hashing.sha256(b"m")), b"m", ec.ECDSA(hashes.SHA256()))


def test_load_msp_identity_errors(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="certificate"):
        load_msp_identity(tmp_path, "Org1MSP")
    msp = write_msp_dir(tmp_path / "x")
    for key in (msp / "keystore").iterdir():
        key.unlink()
    other = ec.generate_private_key(ec.SECP256R1())
    (msp / "keystore" / "priv_sk").write_bytes(key_pem(other))
    with pytest.raises(FileNotFoundError, match="private key"):
        load_msp_identity(msp, "Org1MSP")


def test_signing_identity_hashes_then_signs():
    key = ec.generate_private_key(ec.SECP256R1())
    identity = Identity("Org1MSP", pem(make_certificate(key, "user")))
    seen = []

    def sign(digest: bytes) -> bytes:
        seen.append(digest)
        return b"s"

    signing = SigningIdentity(identity, sign)
    assert signing.sign_message(b"abc") == b"s"
    assert seen == [hashlib.sha256(b"abc").digest()]
    assert signing.creator == identity.serialize()


def test_signing_identity_without_signer_refuses_to_sign():
    with pytest.raises(RuntimeError, match="no signer"):
        SigningIdentity(Identity("Org1MSP", b"c"), None).sign_message(b"m")
