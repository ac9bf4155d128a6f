"""What a contract (a chaincode, optionally one named contract in it) knows without talking to a peer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from fabric_gateway._common.proposal import Argument, build_proposed_transaction

if TYPE_CHECKING:
    from fabric_protos.gateway import gateway_pb2

    from fabric_gateway._async.client import AsyncGatewayClient
    from fabric_gateway._sync.client import GatewayClient
    from fabric_gateway.identity import SigningIdentity


class _ContractBase:
    __slots__ = ("_chaincode_name", "_channel_name", "_client", "_contract_name", "_signing_identity")

    def __init__(
        self,
        client: GatewayClient | AsyncGatewayClient,
        signing_identity: SigningIdentity,
        channel_name: str,
        chaincode_name: str,
        contract_name: str | None = None,
    ) -> None:
        self._client = client
        self._signing_identity = signing_identity
        self._channel_name = channel_name
        self._chaincode_name = chaincode_name
        self._contract_name = contract_name or None

    @property
    def chaincode_name(self) -> str:
        return self._chaincode_name

    @property
    def contract_name(self) -> str | None:
        return self._contract_name

    @property
    def channel_name(self) -> str:
        return self._channel_name

    def qualified_name(self, transaction_name: str) -> str:
        return f"{self._contract_name}:{transaction_name}" if self._contract_name else transaction_name

    def _proposed(
        self,
        transaction_name: str,
        arguments: Iterable[Argument],
        transient_data: Mapping[str, Argument] | None,
        endorsing_organizations: Iterable[str] | None,
    ) -> gateway_pb2.ProposedTransaction:
        return build_proposed_transaction(
            self._signing_identity,
            self._channel_name,
            self._chaincode_name,
            self.qualified_name(transaction_name),
            arguments,
            transient_data,
            endorsing_organizations,
        )

    def __repr__(self) -> str:
        name = f"{self._chaincode_name}:{self._contract_name}" if self._contract_name else self._chaincode_name
        return f"{type(self).__name__}({self._channel_name}/{name})"
