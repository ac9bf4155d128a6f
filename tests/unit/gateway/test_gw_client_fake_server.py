"""The client end to end through the real gRPC stack, against the in-process fake gateway."""

from __future__ import annotations

import threading

import grpc
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from gw_fakes import MVCC, ChaincodeFailure, FakeGateway, FakeServer, key_pem, make_certificate, pem

from fabric_gateway import (
    CommitError,
    CommitTimeoutError,
    EndorseError,
    ErrorDetail,
    EvaluateError,
    GatewayConnectionError,
    GatewayError,
    MvccConflictError,
    connect,
)
from fabric_gateway.connection import ChannelCache
from fabric_gateway.errors import EndorseConnectionError


@pytest.fixture
def gateway(server, credentials):
    cache = ChannelCache()
    with connect(
        server.endpoint, insecure=True, identity=credentials.identity, signer=credentials.signer, cache=cache
    ) as gw:
        yield gw


@pytest.fixture
def contract(gateway):
    return gateway.get_network("mychannel").get_contract("basic")


def test_evaluate_transaction(contract, fake: FakeGateway):
    assert contract.evaluate_transaction("Echo", "a", b"b") == b"a,b"
    kind, request = fake.requests[-1]
    assert kind == "evaluate"
    assert request.channel_id == "mychannel"


def test_submit_transaction_waits_for_commit(contract, fake: FakeGateway):
    assert contract.submit_transaction("Echo", "x", "y") == b"x,y"
    assert [k for k, _ in fake.requests] == ["endorse", "submit", "commit_status"]
    ids = {r.transaction_id for _, r in fake.requests if hasattr(r, "transaction_id")}
    assert len(ids) == 1


def test_proposal_flow_with_transient_data_and_orgs(contract, fake: FakeGateway):
    proposal = contract.new_proposal(
        "Transient",
        arguments=["LOT-1"],
        transient_data={"price": b"12.50"},
        endorsing_organizations=["Org2MSP"],
    )
    transaction = proposal.endorse()
    assert transaction.result == b"12.50"
    assert transaction.transaction_id == proposal.transaction_id
    endorse_request = fake.requests[-1][1]
    assert list(endorse_request.endorsing_organizations) == ["Org2MSP"]

    submitted = transaction.submit()
    assert submitted.transaction_id == proposal.transaction_id
    assert submitted.result == b"12.50"
    status = submitted.get_status()
    assert status.successful
    assert status.code == 0
    assert status.code_name == "VALID"
    assert status.block_number == 1
    assert status.transaction_id == proposal.transaction_id


def test_invalid_commit_raises_commit_error(contract, fake: FakeGateway):
    fake.commit_codes["Echo"] = [10]
    with pytest.raises(CommitError) as info:
        contract.submit_transaction("Echo", "a")
    assert not isinstance(info.value, MvccConflictError)
    assert info.value.code_name == "ENDORSEMENT_POLICY_FAILURE"
    assert info.value.transaction_id
    assert info.value.block_number == 1


def test_mvcc_conflict_error(contract, fake: FakeGateway):
    fake.commit_codes["Echo"] = [MVCC]
    with pytest.raises(MvccConflictError) as info:
        contract.submit_transaction("Echo", "a")
    assert info.value.code_name == "MVCC_READ_CONFLICT"


def test_get_status_of_invalid_transaction_does_not_raise(contract, fake: FakeGateway):
    fake.commit_codes["Echo"] = [MVCC]
    status = contract.submit_async("Echo", arguments=["a"]).get_status()
    assert not status.successful
    assert status.code_name == "MVCC_READ_CONFLICT"


def _not_found(_inv):
    raise ChaincodeFailure(500, "NOT_FOUND: lot LOT-9 does not exist")


def test_evaluate_chaincode_error_details(contract, fake: FakeGateway):
    fake.handlers["Get"] = _not_found
    with pytest.raises(EvaluateError) as info:
        contract.evaluate_transaction("Get", "LOT-9")
    error = info.value
    assert error.grpc_code == grpc.StatusCode.UNKNOWN
    assert error.details == [
        ErrorDetail(
            "peer0.org1.example.com:7051",
            "Org1MSP",
            "chaincode response 500, NOT_FOUND: lot LOT-9 does not exist",
        )
    ]
    assert error.chaincode_code == "NOT_FOUND"
    assert error.chaincode_message == "lot LOT-9 does not exist"
    assert error.chaincode_status == 500
    assert error.transaction_id


def test_endorse_error_details(contract, fake: FakeGateway):
    fake.handlers["Get"] = _not_found
    with pytest.raises(EndorseError) as info:
        contract.submit_transaction("Get", "LOT-9")
    error = info.value
    assert error.grpc_code == grpc.StatusCode.ABORTED
    assert [d.msp_id for d in error.details] == ["Org1MSP", "Org2MSP"]
    assert error.chaincode_code == "NOT_FOUND"
    assert "peer0.org2.example.com:7051" in str(error)


def test_unavailable_is_a_connection_error(contract, fake: FakeGateway):
    fake.unavailable = True
    with pytest.raises(GatewayConnectionError) as info:
        contract.submit_transaction("Echo")
    assert isinstance(info.value, EndorseError)
    assert isinstance(info.value, EndorseConnectionError)
    assert isinstance(info.value, ConnectionError)


def test_unreachable_endpoint(credentials):
    with connect("127.0.0.1:1", insecure=True, identity=credentials.identity, signer=credentials.signer) as gw:
        contract = gw.get_network("c").get_contract("cc")
        with pytest.raises(GatewayConnectionError):
            contract.evaluate("Echo", timeout=2)


def test_commit_status_timeout(contract, fake: FakeGateway):
    fake.commit_delay = 1.0
    with pytest.raises(CommitTimeoutError) as info:
        contract.submit("Echo", arguments=["a"], commit_timeout=0.2)
    assert info.value.grpc_code == grpc.StatusCode.DEADLINE_EXCEEDED
    assert isinstance(info.value, TimeoutError)


def test_concurrent_submits_share_one_channel(contract, gateway, fake: FakeGateway):
    results, errors = [], []

    def work(i: int) -> None:
        try:
            results.append(contract.submit_transaction("Echo", str(i)))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == sorted(str(i).encode() for i in range(16))
    assert len(fake.ledger.blocks) == 17


def test_offline_signing(server, credentials, fake: FakeGateway):
    with connect(server.endpoint, insecure=True, identity=credentials.identity) as gw:  # no signer
        contract = gw.get_network("mychannel").get_contract("basic")
        unsigned = contract.new_proposal("Echo", arguments=["off"])
        proposal = gw.new_signed_proposal(unsigned.to_bytes(), credentials.signer.sign(unsigned.digest))
        unsigned_tx = proposal.endorse()
        transaction = gw.new_signed_transaction(unsigned_tx.to_bytes(), credentials.signer.sign(unsigned_tx.digest))
        assert transaction.result == b"off"
        submitted = transaction.submit()
        with pytest.raises(RuntimeError, match="no signer"):
            submitted.get_status()
        commit = gw.new_signed_commit(submitted.to_bytes(), credentials.signer.sign(submitted.digest))
        assert commit.transaction_id == proposal.transaction_id
        assert commit.get_status().successful


def test_channel_cache_shares_and_closes(server, credentials):
    cache = ChannelCache()
    kwargs = dict(insecure=True, identity=credentials.identity, signer=credentials.signer, cache=cache)
    gw1 = connect(server.endpoint, **kwargs)
    gw2 = connect(server.endpoint, **kwargs)
    assert gw1.channel is gw2.channel
    assert len(cache) == 1
    gw1.close()
    assert len(cache) == 1
    assert gw2.get_network("mychannel").get_contract("basic").evaluate_transaction("Echo", "still") == b"still"
    gw2.close()
    gw2.close()  # idempotent
    assert len(cache) == 0
    with pytest.raises(RuntimeError, match="closed"):
        gw2.get_network("mychannel")


def test_caller_owned_channel_is_not_closed(server, credentials):
    channel = grpc.insecure_channel(server.endpoint)
    with connect(channel=channel, identity=credentials.identity, signer=credentials.signer) as gw:
        assert gw.get_network("mychannel").get_contract("basic").evaluate_transaction("Echo", "1") == b"1"
    # Still usable after the gateway closed.
    with connect(channel=channel, identity=credentials.identity, signer=credentials.signer) as gw:
        assert gw.get_network("mychannel").get_contract("basic").evaluate_transaction("Echo", "2") == b"2"
    channel.close()


def test_connect_needs_exactly_one_of_endpoint_or_channel(credentials):
    with pytest.raises(ValueError):
        connect(identity=credentials.identity, signer=credentials.signer)


def test_tls_with_server_name_override(tmp_path, credentials, fake: FakeGateway):
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = make_certificate(ca_key, "tlsca.test", ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = make_certificate(
        server_key,
        "peer0.test.example.com",
        issuer_key=ca_key,
        issuer_name="tlsca.test",
        san=["peer0.test.example.com"],
    )
    ca_path = tmp_path / "ca.crt"
    ca_path.write_bytes(pem(ca_cert))
    with (
        FakeServer(fake, tls=(key_pem(server_key), pem(server_cert))) as srv,
        connect(
            srv.endpoint,
            tls_root_cert_path=ca_path,
            server_name_override="peer0.test.example.com",
            identity=credentials.identity,
            signer=credentials.signer,
            cache=ChannelCache(),
        ) as gw,
    ):
        contract = gw.get_network("mychannel").get_contract("basic")
        assert contract.evaluate_transaction("Echo", "tls") == b"tls"


def test_gateway_error_str_without_grpc():
    assert str(GatewayError("plain")) == "plain"
