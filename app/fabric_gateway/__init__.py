"""Python client for the Hyperledger Fabric Gateway API (Fabric v2.4+ / v3 peers).

Blocking API::

    identity, signer = load_msp_identity(msp_dir, "Org1MSP")
    with connect("localhost:7051", tls_root_cert_path=ca, identity=identity, signer=signer) as gw:
        contract = gw.get_network("mychannel").get_contract("basic")
        contract.submit_transaction("CreateAsset", "asset1", "blue")

The asyncio API (:func:`connect_async`) has the same objects and methods, awaitable.
"""

from fabric_gateway import hashing
from fabric_gateway.blockparser import (
    FilteredTransactionInfo,
    ParsedBlock,
    ParsedFilteredBlock,
    ParsedTransaction,
    StateWrite,
    parse_block,
    parse_filtered_block,
)
from fabric_gateway.checkpoint import Checkpoint, Checkpointer, FileCheckpointer, InMemoryCheckpointer
from fabric_gateway.client import Timeouts
from fabric_gateway.commit import AsyncSubmittedTransaction, Status, SubmittedTransaction
from fabric_gateway.contract import AsyncContract, Contract
from fabric_gateway.errors import (
    ChaincodeErrorInfo,
    CommitError,
    CommitStatusConnectionError,
    CommitStatusError,
    CommitTimeoutError,
    EndorseConnectionError,
    EndorseError,
    ErrorDetail,
    EvaluateConnectionError,
    EvaluateError,
    GatewayConnectionError,
    GatewayError,
    MvccConflictError,
    SubmitConnectionError,
    SubmitError,
    parse_chaincode_error,
)
from fabric_gateway.events import AsyncEventStream, ChaincodeEvent, DeliverStatusError, EventStream
from fabric_gateway.gateway import AsyncGateway, Gateway, connect, connect_async
from fabric_gateway.identity import Identity, MspCredentials, load_msp_identity
from fabric_gateway.network import AsyncNetwork, Network
from fabric_gateway.profile import ConnectionProfile, read_profile, write_profile
from fabric_gateway.proposal import AsyncProposal, Proposal
from fabric_gateway.retry import submit_with_retry, submit_with_retry_async
from fabric_gateway.signer import EcdsaSigner, Ed25519Signer, Signer
from fabric_gateway.transaction import AsyncTransaction, Transaction

__all__ = [
    "AsyncContract",
    "AsyncEventStream",
    "AsyncGateway",
    "AsyncNetwork",
    "AsyncProposal",
    "AsyncSubmittedTransaction",
    "AsyncTransaction",
    "ChaincodeErrorInfo",
    "ChaincodeEvent",
    "Checkpoint",
    "Checkpointer",
    "CommitError",
    "CommitStatusConnectionError",
    "CommitStatusError",
    "CommitTimeoutError",
    "ConnectionProfile",
    "Contract",
    "DeliverStatusError",
    "EcdsaSigner",
    "Ed25519Signer",
    "EndorseConnectionError",
    "EndorseError",
    "ErrorDetail",
    "EvaluateConnectionError",
    "EvaluateError",
    "EventStream",
    "FileCheckpointer",
    "FilteredTransactionInfo",
    "Gateway",
    "GatewayConnectionError",
    "GatewayError",
    "Identity",
    "InMemoryCheckpointer",
    "MspCredentials",
    "MvccConflictError",
    "Network",
    "ParsedBlock",
    "ParsedFilteredBlock",
    "ParsedTransaction",
    "Proposal",
    "Signer",
    "StateWrite",
    "Status",
    "SubmitConnectionError",
    "SubmitError",
    "SubmittedTransaction",
    "Timeouts",
    "Transaction",
    "connect",
    "connect_async",
    "hashing",
    "load_msp_identity",
    "parse_block",
    "parse_chaincode_error",
    "parse_filtered_block",
    "read_profile",
    "submit_with_retry",
    "submit_with_retry_async",
    "write_profile",
]
