"""Contracts: invoke the transaction functions of one chaincode (optionally one named contract in it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from fabric_gateway.commit import AsyncSubmittedTransaction, SubmittedTransaction, check_status
from fabric_gateway.proposal import Argument, AsyncProposal, Proposal, build_proposed_transaction

if TYPE_CHECKING:
    from fabric_protos.gateway import gateway_pb2

    from fabric_gateway.client import AsyncGatewayClient, GatewayClient
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


class Contract(_ContractBase):
    """A smart contract on a channel (blocking API)."""

    __slots__ = ()
    _client: GatewayClient

    def new_proposal(
        self,
        transaction_name: str,
        *,
        arguments: Iterable[Argument] = (),
        transient_data: Mapping[str, Argument] | None = None,
        endorsing_organizations: Iterable[str] | None = None,
    ) -> Proposal:
        """Create a proposal, to evaluate or endorse, with full control over its options.

        ``endorsing_organizations`` restricts endorsement (or, for evaluation, the peers queried) to
        those MSP IDs; use it for transactions with private data.
        """
        proposed = self._proposed(transaction_name, arguments, transient_data, endorsing_organizations)
        return Proposal(self._client, self._signing_identity, self._channel_name, proposed)

    def evaluate_transaction(self, name: str, *args: Argument) -> bytes:
        """Evaluate (query) a transaction function and return its result."""
        return self.new_proposal(name, arguments=args).evaluate()

    def submit_transaction(self, name: str, *args: Argument) -> bytes:
        """Endorse, submit and wait for commit; return the result or raise :class:`CommitError`."""
        return self.submit(name, arguments=args)

    def evaluate(
        self,
        transaction_name: str,
        *,
        arguments: Iterable[Argument] = (),
        transient_data: Mapping[str, Argument] | None = None,
        target_organizations: Iterable[str] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        proposal = self.new_proposal(
            transaction_name,
            arguments=arguments,
            transient_data=transient_data,
            endorsing_organizations=target_organizations,
        )
        return proposal.evaluate(timeout=timeout)

    def submit_async(
        self,
        transaction_name: str,
        *,
        arguments: Iterable[Argument] = (),
        transient_data: Mapping[str, Argument] | None = None,
        endorsing_organizations: Iterable[str] | None = None,
        endorse_timeout: float | None = None,
        submit_timeout: float | None = None,
    ) -> SubmittedTransaction:
        """Endorse and submit, returning as soon as the orderer accepted the transaction (no commit wait)."""
        proposal = self.new_proposal(
            transaction_name,
            arguments=arguments,
            transient_data=transient_data,
            endorsing_organizations=endorsing_organizations,
        )
        return proposal.endorse(timeout=endorse_timeout).submit(timeout=submit_timeout)

    def submit(
        self,
        transaction_name: str,
        *,
        arguments: Iterable[Argument] = (),
        transient_data: Mapping[str, Argument] | None = None,
        endorsing_organizations: Iterable[str] | None = None,
        endorse_timeout: float | None = None,
        submit_timeout: float | None = None,
        commit_timeout: float | None = None,
    ) -> bytes:
        submitted = self.submit_async(
            transaction_name,
            arguments=arguments,
            transient_data=transient_data,
            endorsing_organizations=endorsing_organizations,
            endorse_timeout=endorse_timeout,
            submit_timeout=submit_timeout,
        )
        check_status(submitted.get_status(timeout=commit_timeout))
        return submitted.result


class AsyncContract(_ContractBase):
    """A smart contract on a channel (asyncio API); same methods as :class:`Contract`, awaitable."""

    __slots__ = ()
    _client: AsyncGatewayClient

    def new_proposal(
        self,
        transaction_name: str,
        *,
        arguments: Iterable[Argument] = (),
        transient_data: Mapping[str, Argument] | None = None,
        endorsing_organizations: Iterable[str] | None = None,
    ) -> AsyncProposal:
        proposed = self._proposed(transaction_name, arguments, transient_data, endorsing_organizations)
        return AsyncProposal(self._client, self._signing_identity, self._channel_name, proposed)

    async def evaluate_transaction(self, name: str, *args: Argument) -> bytes:
        return await self.new_proposal(name, arguments=args).evaluate()

    async def submit_transaction(self, name: str, *args: Argument) -> bytes:
        return await self.submit(name, arguments=args)

    async def evaluate(
        self,
        transaction_name: str,
        *,
        arguments: Iterable[Argument] = (),
        transient_data: Mapping[str, Argument] | None = None,
        target_organizations: Iterable[str] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        proposal = self.new_proposal(
            transaction_name,
            arguments=arguments,
            transient_data=transient_data,
            endorsing_organizations=target_organizations,
        )
        return await proposal.evaluate(timeout=timeout)

    async def submit_async(
        self,
        transaction_name: str,
        *,
        arguments: Iterable[Argument] = (),
        transient_data: Mapping[str, Argument] | None = None,
        endorsing_organizations: Iterable[str] | None = None,
        endorse_timeout: float | None = None,
        submit_timeout: float | None = None,
    ) -> AsyncSubmittedTransaction:
        proposal = self.new_proposal(
            transaction_name,
            arguments=arguments,
            transient_data=transient_data,
            endorsing_organizations=endorsing_organizations,
        )
        transaction = await proposal.endorse(timeout=endorse_timeout)
        return await transaction.submit(timeout=submit_timeout)

    async def submit(
        self,
        transaction_name: str,
        *,
        arguments: Iterable[Argument] = (),
        transient_data: Mapping[str, Argument] | None = None,
        endorsing_organizations: Iterable[str] | None = None,
        endorse_timeout: float | None = None,
        submit_timeout: float | None = None,
        commit_timeout: float | None = None,
    ) -> bytes:
        submitted = await self.submit_async(
            transaction_name,
            arguments=arguments,
            transient_data=transient_data,
            endorsing_organizations=endorsing_organizations,
            endorse_timeout=endorse_timeout,
            submit_timeout=submit_timeout,
        )
        check_status(await submitted.get_status(timeout=commit_timeout))
        return submitted.result
