from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from gw_fakes import make_certificate, pem

from fabric_gateway.connection import ChannelCache, ChannelConfig, client_certificate_hash, parse_endpoint


def test_parse_endpoint():
    assert parse_endpoint("grpcs://peer0:7051") == ("peer0:7051", True)
    assert parse_endpoint("grpc://peer0:7051/") == ("peer0:7051", False)
    assert parse_endpoint("127.0.0.1:7051") == ("127.0.0.1:7051", None)


def test_channel_config_tls_options(tmp_path):
    ca = tmp_path / "ca.crt"
    ca.write_bytes(b"CA")
    config = ChannelConfig.create(
        "grpcs://127.0.0.1:7051",
        tls_root_cert_path=ca,
        server_name_override="peer0.farm.example.com",
        grpc_options=[("grpc.keepalive_time_ms", 300_000)],
    )
    options = dict(config.options)
    assert config.target == "127.0.0.1:7051"
    assert config.secure and config.root_certificates == b"CA"
    assert options["grpc.ssl_target_name_override"] == "peer0.farm.example.com"
    assert options["grpc.keepalive_time_ms"] == 300_000  # caller options override the defaults
    assert options["grpc.keepalive_time_ms"] >= 60_000  # never below Fabric's default minimum ping interval

    plain = ChannelConfig.create("grpc://127.0.0.1:7051", server_name_override="x")
    assert not plain.secure and "grpc.ssl_target_name_override" not in dict(plain.options)
    assert ChannelConfig.create("127.0.0.1:7051", insecure=True).secure is False


def test_cache_key_distinguishes_tls_settings():
    a = ChannelConfig.create("h:1", tls_root_cert=b"A")
    b = ChannelConfig.create("h:1", tls_root_cert=b"B")
    assert a.cache_key != b.cache_key
    assert a.cache_key == ChannelConfig.create("h:1", tls_root_cert=b"A").cache_key


def test_sync_cache_refcounts():
    cache = ChannelCache()
    config = ChannelConfig.create("127.0.0.1:1", insecure=True)
    first = cache.acquire_sync(config)
    assert cache.acquire_sync(config) is first
    cache.release_sync(config)
    assert len(cache) == 1
    cache.release_sync(config)
    assert len(cache) == 0
    cache.release_sync(config)  # releasing an unknown entry is harmless
    assert cache.acquire_sync(config) is not first
    cache.release_sync(config)


def test_client_certificate_hash():
    cert = make_certificate(ec.generate_private_key(ec.SECP256R1()), "client")
    expected = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest()
    assert client_certificate_hash(pem(cert)) == expected
