"""Test doubles for the gateway client: key material, protobuf builders and a fake Gateway/Deliver server."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2, gateway_pb2_grpc
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import (
    chaincode_event_pb2,
    chaincode_pb2,
    events_pb2,
    events_pb2_grpc,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)
from google.protobuf import any_pb2

from fabric_gateway.errors import STATUS_DETAILS_KEY, RpcStatus
from fabric_gateway.signer import curve_order, is_low_s

VALID = transaction_pb2.TxValidationCode.VALID
MVCC = transaction_pb2.TxValidationCode.MVCC_READ_CONFLICT


# --------------------------------------------------------------------------------------------------- keys


def make_certificate(
    key: ec.EllipticCurvePrivateKey,
    common_name: str,
    *,
    issuer_key: ec.EllipticCurvePrivateKey | None = None,
    issuer_name: str | None = None,
    san: list[str] | None = None,
    ca: bool = False,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name or common_name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in san]), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def write_msp_dir(root: Path, name: str = "User1@org1.example.com", *, key_file: str = "priv_sk") -> Path:
    """Create ``root/msp`` laid out like cryptogen output; return the MSP directory."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = make_certificate(key, name)
    msp = root / "msp"
    (msp / "signcerts").mkdir(parents=True)
    (msp / "keystore").mkdir()
    (msp / "signcerts" / f"{name}-cert.pem").write_bytes(pem(cert))
    (msp / "keystore" / key_file).write_bytes(key_pem(key))
    return msp


def verify_signature(creator: bytes, message: bytes, signature: bytes) -> None:
    """Check a request signature the way a peer does: ECDSA/SHA-256 by the creator's cert, low-S."""
    identity = identities_pb2.SerializedIdentity.FromString(creator)
    public_key = x509.load_pem_x509_certificate(identity.id_bytes).public_key()
    public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    assert is_low_s(signature, curve_order(public_key.curve)), "high-S signature"


# ----------------------------------------------------------------------------------------------- builders


def serialized_identity(msp_id: str, cert: bytes = b"-----BEGIN CERTIFICATE-----\n") -> bytes:
    return identities_pb2.SerializedIdentity(mspid=msp_id, id_bytes=cert).SerializeToString()


def channel_header(
    tx_id: str, channel: str = "mychannel", header_type: int = common_pb2.HeaderType.ENDORSER_TRANSACTION
) -> common_pb2.ChannelHeader:
    header = common_pb2.ChannelHeader(type=header_type, channel_id=channel, tx_id=tx_id)
    header.timestamp.FromSeconds(1_700_000_000)
    return header


def endorsed_envelope(
    *,
    header: common_pb2.Header,
    proposal_payload: bytes,
    result: bytes,
    endorser_msp_ids: list[str],
    chaincode_name: str,
    event: chaincode_event_pb2.ChaincodeEvent | None = None,
    rwset: bytes = b"",
) -> common_pb2.Envelope:
    """A transaction envelope as the gateway assembles it from endorsements (unsigned)."""
    chaincode_action = proposal_pb2.ChaincodeAction(
        results=rwset,
        response=proposal_response_pb2.Response(status=200, payload=result),
        chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode_name, version="1.0"),
        events=event.SerializeToString() if event is not None else b"",
    )
    response_payload = proposal_response_pb2.ProposalResponsePayload(
        proposal_hash=b"\x01" * 32, extension=chaincode_action.SerializeToString()
    )
    action_payload = transaction_pb2.ChaincodeActionPayload(
        chaincode_proposal_payload=proposal_payload,
        action=transaction_pb2.ChaincodeEndorsedAction(
            proposal_response_payload=response_payload.SerializeToString(),
            endorsements=[
                proposal_response_pb2.Endorsement(endorser=serialized_identity(m), signature=b"sig")
                for m in endorser_msp_ids
            ],
        ),
    )
    transaction = transaction_pb2.Transaction(
        actions=[
            transaction_pb2.TransactionAction(
                header=header.signature_header, payload=action_payload.SerializeToString()
            )
        ]
    )
    payload = common_pb2.Payload(header=header, data=transaction.SerializeToString())
    return common_pb2.Envelope(payload=payload.SerializeToString())


def invocation_payload(chaincode: str, args: list[bytes]) -> bytes:
    spec = chaincode_pb2.ChaincodeInvocationSpec(
        chaincode_spec=chaincode_pb2.ChaincodeSpec(
            chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode),
            input=chaincode_pb2.ChaincodeInput(args=args),
        )
    )
    return proposal_pb2.ChaincodeProposalPayload(input=spec.SerializeToString()).SerializeToString()


def simple_envelope(
    tx_id: str,
    *,
    creator_msp: str = "Org1MSP",
    channel: str = "mychannel",
    chaincode: str = "basic",
    args: list[bytes] | None = None,
    endorsers: list[str] | None = None,
    event_name: str | None = None,
    event_payload: bytes = b"",
    writes: list[tuple[str, bytes | None]] | None = None,
) -> common_pb2.Envelope:
    """``writes``: (key, value) pairs the transaction wrote in ``chaincode``'s namespace (None: a delete)."""
    header = common_pb2.Header(
        channel_header=channel_header(tx_id, channel).SerializeToString(),
        signature_header=common_pb2.SignatureHeader(
            creator=serialized_identity(creator_msp), nonce=b"n" * 24
        ).SerializeToString(),
    )
    event = None
    if event_name:
        event = chaincode_event_pb2.ChaincodeEvent(
            chaincode_id=chaincode, tx_id=tx_id, event_name=event_name, payload=event_payload
        )
    return endorsed_envelope(
        header=header,
        proposal_payload=invocation_payload(chaincode, args or [b"Fn"]),
        result=b"ok",
        endorser_msp_ids=endorsers or ["Org1MSP"],
        chaincode_name=chaincode,
        event=event,
        rwset=write_set(chaincode, writes) if writes else b"",
    )


def write_set(namespace: str, writes: list[tuple[str, bytes | None]]) -> bytes:
    kv = kv_rwset_pb2.KVRWSet(
        writes=[kv_rwset_pb2.KVWrite(key=k, value=v or b"", is_delete=v is None) for k, v in writes]
    )
    return rwset_pb2.TxReadWriteSet(
        data_model=rwset_pb2.TxReadWriteSet.KV,
        ns_rwset=[rwset_pb2.NsReadWriteSet(namespace=namespace, rwset=kv.SerializeToString())],
    ).SerializeToString()


def config_envelope(channel: str = "mychannel") -> common_pb2.Envelope:
    payload = common_pb2.Payload(
        header=common_pb2.Header(
            channel_header=channel_header("", channel, common_pb2.HeaderType.CONFIG).SerializeToString(),
            signature_header=common_pb2.SignatureHeader(creator=serialized_identity("OrdererMSP")).SerializeToString(),
        ),
        data=b"",
    )
    return common_pb2.Envelope(payload=payload.SerializeToString())


def make_block(number: int, envelopes: list[common_pb2.Envelope], codes: list[int] | None) -> common_pb2.Block:
    block = common_pb2.Block(
        header=common_pb2.BlockHeader(number=number, previous_hash=b"p" * 32, data_hash=b"d" * 32),
        data=common_pb2.BlockData(data=[e.SerializeToString() for e in envelopes]),
    )
    metadata = [b""] * 5
    if codes is not None:
        metadata[common_pb2.BlockMetadataIndex.TRANSACTIONS_FILTER] = bytes(codes)
    block.metadata.metadata.extend(metadata)
    return block


def rpc_status_bytes(code: grpc.StatusCode, message: str, details: list[gateway_pb2.ErrorDetail]) -> bytes:
    status = RpcStatus(code=code.value[0], message=message)
    for detail in details:
        packed = any_pb2.Any()
        packed.Pack(detail)
        status.details.add(type_url=packed.type_url, value=packed.value)
    return status.SerializeToString()


class _Status(grpc.Status):
    def __init__(self, code: grpc.StatusCode, details: str, trailing_metadata: tuple) -> None:
        self.code = code
        self.details = details
        self.trailing_metadata = trailing_metadata


def abort_with_details(
    context: grpc.ServicerContext, code: grpc.StatusCode, message: str, details: list[gateway_pb2.ErrorDetail]
) -> None:
    metadata = ((STATUS_DETAILS_KEY, rpc_status_bytes(code, message, details)),)
    context.abort_with_status(_Status(code, message, metadata))


# ------------------------------------------------------------------------------------------- fake server


class ChaincodeFailure(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Invocation:
    function: str
    args: list[bytes]
    transient: dict[str, bytes]


@dataclass
class FakeLedger:
    """Committed blocks; block 0 is a config block."""

    channel: str = "mychannel"
    blocks: list[common_pb2.Block] = field(default_factory=list)
    status: dict[str, tuple[int, int]] = field(default_factory=dict)
    lock: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.blocks.append(make_block(0, [config_envelope(self.channel)], [VALID]))

    def commit(self, envelope: common_pb2.Envelope, tx_id: str, code: int) -> int:
        with self.lock:
            number = len(self.blocks)
            self.blocks.append(make_block(number, [envelope], [code]))
            self.status[tx_id] = (code, number)
            self.lock.notify_all()
            return number


Handler = Callable[[Invocation], bytes]


class FakeGateway(gateway_pb2_grpc.GatewayServicer, events_pb2_grpc.DeliverServicer):
    """In-process stand-in for a peer's Gateway and Deliver services.

    ``handlers`` maps transaction function names to Python functions; ``commit_codes`` forces a
    validation code per function name (a list is consumed one code per submit).
    """

    def __init__(self, channel: str = "mychannel", chaincode: str = "basic") -> None:
        self.channel = channel
        self.chaincode = chaincode
        self.ledger = FakeLedger(channel)
        self.handlers: dict[str, Handler] = {}
        self.commit_codes: dict[str, list[int]] = {}
        self.events: dict[str, str] = {}  # function name -> chaincode event name
        self.endorsers = ["Org1MSP", "Org2MSP"]
        self.prepared: dict[str, tuple[common_pb2.Envelope, str]] = {}
        self.requests: list[tuple[str, object]] = []
        self.commit_delay = 0.0
        self.unavailable = False

    # helpers

    def _unpack(self, signed: proposal_pb2.SignedProposal):
        proposal = proposal_pb2.Proposal.FromString(signed.proposal_bytes)
        header = common_pb2.Header.FromString(proposal.header)
        signature_header = common_pb2.SignatureHeader.FromString(header.signature_header)
        verify_signature(signature_header.creator, signed.proposal_bytes, signed.signature)
        payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
        spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input).chaincode_spec
        args = list(spec.input.args)
        invocation = Invocation(args[0].decode(), args[1:], dict(payload.TransientMap))
        return header, payload, invocation

    def _run(self, invocation: Invocation) -> bytes:
        handler = self.handlers.get(invocation.function)
        if handler is None:
            raise ChaincodeFailure(500, f"Function {invocation.function} not found in contract")
        return handler(invocation)

    def _check_available(self, context: grpc.ServicerContext) -> None:
        if self.unavailable:
            context.abort(grpc.StatusCode.UNAVAILABLE, "no peers available")

    # Gateway service

    def Evaluate(self, request, context):
        self.requests.append(("evaluate", request))
        self._check_available(context)
        _, _, invocation = self._unpack(request.proposed_transaction)
        try:
            result = self._run(invocation)
        except ChaincodeFailure as e:
            message = f"chaincode response {e.status}, {e.message}"
            abort_with_details(
                context,
                grpc.StatusCode.UNKNOWN,
                f"evaluate call to endorser returned error: {message}",
                [gateway_pb2.ErrorDetail(address="peer0.org1.example.com:7051", msp_id="Org1MSP", message=message)],
            )
        return gateway_pb2.EvaluateResponse(result=proposal_response_pb2.Response(status=200, payload=result))

    def Endorse(self, request, context):
        self.requests.append(("endorse", request))
        self._check_available(context)
        header, payload, invocation = self._unpack(request.proposed_transaction)
        try:
            result = self._run(invocation)
        except ChaincodeFailure as e:
            message = f"chaincode response {e.status}, {e.message}"
            abort_with_details(
                context,
                grpc.StatusCode.ABORTED,
                "failed to endorse transaction, see attached details for more info",
                [
                    gateway_pb2.ErrorDetail(address=f"peer0.org{i + 1}.example.com:7051", msp_id=m, message=message)
                    for i, m in enumerate(self.endorsers)
                ],
            )
        event = None
        if invocation.function in self.events:
            event = chaincode_event_pb2.ChaincodeEvent(
                chaincode_id=self.chaincode,
                tx_id=request.transaction_id,
                event_name=self.events[invocation.function],
                payload=result,
            )
        # The committed transaction carries the proposal payload without the transient map.
        public_payload = proposal_pb2.ChaincodeProposalPayload(input=payload.input).SerializeToString()
        envelope = endorsed_envelope(
            header=header,
            proposal_payload=public_payload,
            result=result,
            endorser_msp_ids=list(request.endorsing_organizations) or self.endorsers,
            chaincode_name=self.chaincode,
            event=event,
        )
        self.prepared[request.transaction_id] = (envelope, invocation.function)
        return gateway_pb2.EndorseResponse(prepared_transaction=envelope)

    def Submit(self, request, context):
        self.requests.append(("submit", request))
        self._check_available(context)
        envelope = request.prepared_transaction
        payload = common_pb2.Payload.FromString(envelope.payload)
        creator = common_pb2.SignatureHeader.FromString(payload.header.signature_header).creator
        verify_signature(creator, envelope.payload, envelope.signature)
        _, function = self.prepared.pop(request.transaction_id)
        codes = self.commit_codes.get(function)
        code = codes.pop(0) if codes else VALID
        self.ledger.commit(envelope, request.transaction_id, code)
        return gateway_pb2.SubmitResponse()

    def CommitStatus(self, request, context):
        self.requests.append(("commit_status", request))
        self._check_available(context)
        inner = gateway_pb2.CommitStatusRequest.FromString(request.request)
        verify_signature(inner.identity, request.request, request.signature)
        if self.commit_delay:
            time.sleep(self.commit_delay)
        code, block = self.ledger.status[inner.transaction_id]
        return gateway_pb2.CommitStatusResponse(result=code, block_number=block)

    def _wait_blocks(self, start: int, context) -> common_pb2.Block | None:
        """Next block at ``start`` (waiting for it while the call is active)."""
        with self.ledger.lock:
            while len(self.ledger.blocks) <= start:
                if not context.is_active():
                    return None
                self.ledger.lock.wait(0.05)
            return self.ledger.blocks[start]

    @staticmethod
    def _start(position) -> int | None:
        if position.WhichOneof("Type") == "specified":
            return position.specified.number
        return None

    def ChaincodeEvents(self, request, context):
        inner = gateway_pb2.ChaincodeEventsRequest.FromString(request.request)
        verify_signature(inner.identity, request.request, request.signature)
        self.requests.append(("chaincode_events", inner))
        number = self._start(inner.start_position)
        if number is None:
            number = len(self.ledger.blocks)
        skip_until = inner.after_transaction_id
        while True:
            block = self._wait_blocks(number, context)
            if block is None:
                return
            from fabric_gateway.blockparser import parse_block

            parsed = parse_block(block)
            events = []
            for tx in parsed.transactions:
                if skip_until and number == inner.start_position.specified.number:
                    if tx.transaction_id == skip_until:
                        skip_until = ""
                    continue
                if tx.valid and tx.chaincode_name == inner.chaincode_id:
                    for ev in tx.chaincode_events:
                        events.append(
                            chaincode_event_pb2.ChaincodeEvent(
                                chaincode_id=ev.chaincode_name,
                                tx_id=ev.transaction_id,
                                event_name=ev.event_name,
                                payload=ev.payload,
                            )
                        )
            skip_until = ""
            if events:
                yield gateway_pb2.ChaincodeEventsResponse(events=events, block_number=number)
            number += 1

    # Deliver service

    def _deliver(self, request_iterator, context, filtered: bool):
        envelope = next(request_iterator)
        payload = common_pb2.Payload.FromString(envelope.payload)
        creator = common_pb2.SignatureHeader.FromString(payload.header.signature_header).creator
        verify_signature(creator, envelope.payload, envelope.signature)
        header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
        self.requests.append(("deliver", header))
        if header.channel_id != self.channel:
            yield events_pb2.DeliverResponse(status=common_pb2.Status.NOT_FOUND)
            return
        from fabric_protos.orderer import ab_pb2

        seek = ab_pb2.SeekInfo.FromString(payload.data)
        number = self._start(seek.start)
        if number is None:
            number = len(self.ledger.blocks)
        while True:
            block = self._wait_blocks(number, context)
            if block is None:
                return
            if filtered:
                yield events_pb2.DeliverResponse(filtered_block=self._filtered(block))
            else:
                yield events_pb2.DeliverResponse(block=block)
            number += 1

    def _filtered(self, block: common_pb2.Block) -> events_pb2.FilteredBlock:
        from fabric_gateway.blockparser import parse_block

        parsed = parse_block(block)
        result = events_pb2.FilteredBlock(channel_id=self.channel, number=parsed.number)
        for tx in parsed.transactions:
            ftx = result.filtered_transactions.add(
                txid=tx.transaction_id, type=tx.type, tx_validation_code=tx.validation_code
            )
            for ev in tx.chaincode_events:
                ftx.transaction_actions.chaincode_actions.add(
                    chaincode_event=chaincode_event_pb2.ChaincodeEvent(
                        chaincode_id=ev.chaincode_name, tx_id=ev.transaction_id, event_name=ev.event_name
                    )
                )
        return result

    def Deliver(self, request_iterator, context):
        yield from self._deliver(request_iterator, context, filtered=False)

    def DeliverFiltered(self, request_iterator, context):
        yield from self._deliver(request_iterator, context, filtered=True)


class FakeServer:
    def __init__(self, servicer: FakeGateway, *, tls: tuple[bytes, bytes] | None = None) -> None:
        self.servicer = servicer
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
        gateway_pb2_grpc.add_GatewayServicer_to_server(servicer, self.server)
        events_pb2_grpc.add_DeliverServicer_to_server(servicer, self.server)
        if tls is None:
            self.port = self.server.add_insecure_port("127.0.0.1:0")
        else:
            key, cert = tls
            credentials = grpc.ssl_server_credentials([(key, cert)])
            self.port = self.server.add_secure_port("127.0.0.1:0", credentials)
        self.endpoint = f"127.0.0.1:{self.port}"

    def __enter__(self) -> FakeServer:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop(grace=None).wait()
