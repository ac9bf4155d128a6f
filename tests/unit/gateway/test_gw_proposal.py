from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fabric_protos.common import common_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2
from gw_fakes import VALID, simple_envelope

from fabric_gateway.commit import build_commit_status_request
from fabric_gateway.identity import SigningIdentity
from fabric_gateway.proposal import build_proposed_transaction, transaction_id_for
from fabric_gateway.signer import curve_order, is_low_s
from fabric_gateway.transaction import parse_prepared_transaction


def _decode(proposed):
    proposal = proposal_pb2.Proposal.FromString(proposed.proposal.proposal_bytes)
    header = common_pb2.Header.FromString(proposal.header)
    channel_header = common_pb2.ChannelHeader.FromString(header.channel_header)
    signature_header = common_pb2.SignatureHeader.FromString(header.signature_header)
    payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
    return proposal, channel_header, signature_header, payload


def test_transaction_id_is_sha256_of_nonce_and_creator(credentials):
    signing = SigningIdentity(credentials.identity, credentials.signer)
    proposed = build_proposed_transaction(signing, "mychannel", "basic", "Fn")
    _, channel_header, signature_header, _ = _decode(proposed)

    assert len(signature_header.nonce) == 24
    assert signature_header.creator == credentials.identity.serialize()
    expected = hashlib.sha256(signature_header.nonce + signature_header.creator).hexdigest()
    assert proposed.transaction_id == expected == channel_header.tx_id
    assert transaction_id_for(signature_header.nonce, signature_header.creator) == expected


def test_nonces_differ_between_proposals(credentials):
    signing = SigningIdentity(credentials.identity, credentials.signer)
    ids = {build_proposed_transaction(signing, "c", "cc", "Fn").transaction_id for _ in range(20)}
    assert len(ids) == 20


def test_header_fields(credentials):
    signing = SigningIdentity(credentials.identity, credentials.signer)
    proposed = build_proposed_transaction(signing, "provenance", "provenance", "Harvest", ["LOT-1", b"\x00\x01"])
    _, channel_header, _, payload = _decode(proposed)

    assert channel_header.type == common_pb2.HeaderType.ENDORSER_TRANSACTION
    assert channel_header.channel_id == "provenance"
    assert channel_header.epoch == 0
    assert channel_header.timestamp.seconds > 1_600_000_000
    extension = proposal_pb2.ChaincodeHeaderExtension.FromString(channel_header.extension)
    assert extension.chaincode_id.name == "provenance"

    spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input).chaincode_spec
    assert spec.chaincode_id.name == "provenance"
    assert list(spec.input.args) == [b"Harvest", b"LOT-1", b"\x00\x01"]
    assert not payload.TransientMap


def test_transient_data_only_in_proposal_payload(credentials):
    signing = SigningIdentity(credentials.identity, credentials.signer)
    proposed = build_proposed_transaction(
        signing,
        "c",
        "cc",
        "SetPrice",
        ["LOT-1"],
        {"price": b"SECRET-42", "note": "hush"},
        ["Org1MSP", "Org2MSP"],
    )
    proposal, _, _, payload = _decode(proposed)
    assert dict(payload.TransientMap) == {"price": b"SECRET-42", "note": b"hush"}
    assert b"SECRET-42" not in proposal.header
    spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input)
    assert b"SECRET-42" not in spec.SerializeToString()
    assert list(proposed.endorsing_organizations) == ["Org1MSP", "Org2MSP"]


def test_proposal_signature_verifies_and_is_low_s(credentials):
    from fabric_gateway.proposal import Proposal

    signing = SigningIdentity(credentials.identity, credentials.signer)
    proposal = Proposal(None, signing, "c", build_proposed_transaction(signing, "c", "cc", "Fn", ["a"]))  # type: ignore[arg-type]
    request = proposal._endorse_request()
    public_key = credentials.identity.certificate.public_key()
    signature = request.proposed_transaction.signature
    public_key.verify(signature, request.proposed_transaction.proposal_bytes, ec.ECDSA(hashes.SHA256()))
    assert is_low_s(signature, curve_order(public_key.curve))
    assert request.channel_id == "c"
    assert request.transaction_id == proposal.transaction_id
    assert proposal.digest == hashlib.sha256(request.proposed_transaction.proposal_bytes).digest()
    # Signing is done once.
    assert proposal._evaluate_request().proposed_transaction.signature == signature


def test_contract_name_qualifies_function(credentials):
    from fabric_gateway.contract import Contract

    signing = SigningIdentity(credentials.identity, credentials.signer)
    contract = Contract(None, signing, "c", "cc", "provenance.Lots")  # type: ignore[arg-type]
    proposal = contract.new_proposal("Get", arguments=["x"])
    _, _, _, payload = _decode(proposal._proposed)
    spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input).chaincode_spec
    assert spec.input.args[0] == b"provenance.Lots:Get"


def test_parse_prepared_transaction_returns_channel_and_result():
    envelope = simple_envelope("tx1", channel="provenance")
    assert parse_prepared_transaction(envelope) == ("provenance", b"ok")


def test_commit_status_request(credentials):
    from fabric_protos.gateway import gateway_pb2

    signing = SigningIdentity(credentials.identity, credentials.signer)
    signed = build_commit_status_request(signing, "c", "tx9")
    inner = gateway_pb2.CommitStatusRequest.FromString(signed.request)
    assert (inner.channel_id, inner.transaction_id, inner.identity) == ("c", "tx9", signing.creator)
    assert not signed.signature
    assert VALID == 0
