"""Decode ``common.Block`` (and ``protos.FilteredBlock``) messages into plain Python objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from cryptography.x509.oid import NameOID
from fabric_protos.common import common_pb2
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import chaincode_event_pb2, chaincode_pb2, events_pb2, proposal_pb2, transaction_pb2
from fabric_protos.peer import proposal_response_pb2 as prp_pb2

from fabric_gateway.errors import validation_code_name
from fabric_gateway.events import ChaincodeEvent

_NOT_VALIDATED = transaction_pb2.TxValidationCode.NOT_VALIDATED
_VALID = transaction_pb2.TxValidationCode.VALID
_ENDORSER_TRANSACTION = common_pb2.HeaderType.ENDORSER_TRANSACTION


def header_type_name(header_type: int) -> str:
    try:
        return common_pb2.HeaderType.Name(header_type)
    except ValueError:
        return f"UNKNOWN_{header_type}"


@dataclass(frozen=True)
class StateWrite:
    """One key a transaction wrote (or deleted) in a chaincode's public world state."""

    namespace: str
    key: str
    value: bytes
    is_delete: bool


def _state_writes(results: bytes) -> list[StateWrite]:
    """The public writes of a ``TxReadWriteSet`` (private data appears only as hashes: skipped)."""
    writes = []
    for ns in rwset_pb2.TxReadWriteSet.FromString(results).ns_rwset:
        kv = kv_rwset_pb2.KVRWSet.FromString(ns.rwset)
        writes.extend(StateWrite(ns.namespace, w.key, w.value, w.is_delete) for w in kv.writes)
    return writes


@dataclass
class ParsedTransaction:
    """One transaction envelope of a block."""

    index: int
    transaction_id: str
    channel_id: str
    type: int
    validation_code: int
    creator_msp_id: str | None = None
    creator_name: str | None = None  # the common name of the creator's certificate (who signed)
    timestamp: datetime | None = None
    chaincode_name: str | None = None
    function_name: str | None = None
    arguments: list[bytes] = field(default_factory=list)
    endorser_msp_ids: list[str] = field(default_factory=list)
    chaincode_events: list[ChaincodeEvent] = field(default_factory=list)
    # The serialized read/write set, decoded only when ``writes`` is asked for: most readers of a
    # block (the live ledger, proofs) never need it.
    rwset: bytes = field(default=b"", repr=False)

    @property
    def writes(self) -> list[StateWrite]:
        """What this transaction wrote to the world state (whatever its validation code)."""
        return _state_writes(self.rwset) if self.rwset else []

    @property
    def type_name(self) -> str:
        return header_type_name(self.type)

    @property
    def validation_code_name(self) -> str:
        return validation_code_name(self.validation_code)

    @property
    def valid(self) -> bool:
        return self.validation_code == _VALID


@dataclass
class ParsedBlock:
    """A decoded block; ``raw`` keeps the original protobuf message."""

    number: int
    previous_hash: bytes
    data_hash: bytes
    transactions: list[ParsedTransaction]
    raw: common_pb2.Block = field(repr=False)

    @property
    def channel_id(self) -> str | None:
        return self.transactions[0].channel_id if self.transactions else None

    def chaincode_events(self, *, valid_only: bool = True) -> list[ChaincodeEvent]:
        return [event for tx in self.transactions if tx.valid or not valid_only for event in tx.chaincode_events]


def _msp_id(serialized_identity: bytes) -> str | None:
    if not serialized_identity:
        return None
    try:
        return identities_pb2.SerializedIdentity.FromString(serialized_identity).mspid
    except Exception:
        return None


def _creator_name(serialized_identity: bytes) -> str | None:
    """The subject common name of the creator's X.509 certificate (None for anything else)."""
    try:
        pem = identities_pb2.SerializedIdentity.FromString(serialized_identity).id_bytes
        names = x509.load_pem_x509_certificate(pem).subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    except Exception:
        return None
    value = names[0].value if names else None
    return value if isinstance(value, str) else None


def _timestamp(ts: object) -> datetime | None:
    seconds = getattr(ts, "seconds", 0)
    nanos = getattr(ts, "nanos", 0)
    if not seconds and not nanos:
        return None
    return datetime.fromtimestamp(seconds + nanos / 1e9, tz=UTC)


def transaction_filter(block: common_pb2.Block) -> bytes:
    """The per-transaction validation codes from the block metadata (empty if not validated yet)."""
    metadata = block.metadata.metadata
    index = common_pb2.BlockMetadataIndex.TRANSACTIONS_FILTER
    return bytes(metadata[index]) if len(metadata) > index else b""


def _parse_endorser_transaction(tx: ParsedTransaction, data: bytes, block_number: int) -> None:
    transaction = transaction_pb2.Transaction.FromString(data)
    for action in transaction.actions:
        action_payload = transaction_pb2.ChaincodeActionPayload.FromString(action.payload)

        proposal_payload = proposal_pb2.ChaincodeProposalPayload.FromString(action_payload.chaincode_proposal_payload)
        spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(proposal_payload.input).chaincode_spec
        if tx.chaincode_name is None and spec.chaincode_id.name:
            tx.chaincode_name = spec.chaincode_id.name
        args = list(spec.input.args)
        if tx.function_name is None and args:
            tx.function_name = args[0].decode("utf-8", errors="replace")
            tx.arguments = args[1:]

        for endorsement in action_payload.action.endorsements:
            msp_id = _msp_id(endorsement.endorser)
            if msp_id and msp_id not in tx.endorser_msp_ids:
                tx.endorser_msp_ids.append(msp_id)

        response_payload = prp_pb2.ProposalResponsePayload.FromString(action_payload.action.proposal_response_payload)
        chaincode_action = proposal_pb2.ChaincodeAction.FromString(response_payload.extension)
        tx.rwset = tx.rwset or chaincode_action.results
        if tx.chaincode_name is None and chaincode_action.chaincode_id.name:
            tx.chaincode_name = chaincode_action.chaincode_id.name
        if chaincode_action.events:
            event = chaincode_event_pb2.ChaincodeEvent.FromString(chaincode_action.events)
            if event.event_name:
                tx.chaincode_events.append(
                    ChaincodeEvent(
                        block_number=block_number,
                        transaction_id=event.tx_id or tx.transaction_id,
                        chaincode_name=event.chaincode_id,
                        event_name=event.event_name,
                        payload=event.payload,
                    )
                )


def parse_transaction(envelope_bytes: bytes, index: int, validation_code: int, block_number: int) -> ParsedTransaction:
    envelope = common_pb2.Envelope.FromString(envelope_bytes)
    payload = common_pb2.Payload.FromString(envelope.payload)
    channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    signature_header = common_pb2.SignatureHeader.FromString(payload.header.signature_header)
    tx = ParsedTransaction(
        index=index,
        transaction_id=channel_header.tx_id,
        channel_id=channel_header.channel_id,
        type=channel_header.type,
        validation_code=validation_code,
        creator_msp_id=_msp_id(signature_header.creator),
        creator_name=_creator_name(signature_header.creator),
        timestamp=_timestamp(channel_header.timestamp),
    )
    if channel_header.type == _ENDORSER_TRANSACTION:
        _parse_endorser_transaction(tx, payload.data, block_number)
    return tx


def parse_block(block: common_pb2.Block) -> ParsedBlock:
    """Decode every transaction of ``block`` with its validation code from the TRANSACTIONS_FILTER."""
    number = block.header.number
    flags = transaction_filter(block)
    transactions = [
        parse_transaction(data, i, flags[i] if i < len(flags) else _NOT_VALIDATED, number)
        for i, data in enumerate(block.data.data)
    ]
    return ParsedBlock(
        number=number,
        previous_hash=block.header.previous_hash,
        data_hash=block.header.data_hash,
        transactions=transactions,
        raw=block,
    )


@dataclass
class FilteredTransactionInfo:
    transaction_id: str
    type: int
    validation_code: int
    chaincode_events: list[ChaincodeEvent]

    @property
    def type_name(self) -> str:
        return header_type_name(self.type)

    @property
    def validation_code_name(self) -> str:
        return validation_code_name(self.validation_code)

    @property
    def valid(self) -> bool:
        return self.validation_code == _VALID


@dataclass
class ParsedFilteredBlock:
    """A decoded filtered block: transaction IDs, validation codes and chaincode events (no payloads)."""

    number: int
    channel_id: str
    transactions: list[FilteredTransactionInfo]
    raw: events_pb2.FilteredBlock = field(repr=False)


def parse_filtered_block(block: events_pb2.FilteredBlock) -> ParsedFilteredBlock:
    transactions = []
    for ftx in block.filtered_transactions:
        events = [
            ChaincodeEvent(
                block_number=block.number,
                transaction_id=action.chaincode_event.tx_id or ftx.txid,
                chaincode_name=action.chaincode_event.chaincode_id,
                event_name=action.chaincode_event.event_name,
                payload=action.chaincode_event.payload,
            )
            for action in ftx.transaction_actions.chaincode_actions
            if action.HasField("chaincode_event") and action.chaincode_event.event_name
        ]
        transactions.append(FilteredTransactionInfo(ftx.txid, ftx.type, ftx.tx_validation_code, events))
    return ParsedFilteredBlock(block.number, block.channel_id, transactions, block)
