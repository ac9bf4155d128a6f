"""Contracts: invoke the transaction functions of one chaincode (optionally one named contract in it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from fabric_gateway._async.commit import AsyncSubmittedTransaction
from fabric_gateway._async.proposal import AsyncProposal
from fabric_gateway._common.commit import check_status
from fabric_gateway._common.contract import _ContractBase
from fabric_gateway._common.proposal import Argument

if TYPE_CHECKING:
    from fabric_gateway._async.client import AsyncGatewayClient


class AsyncContract(_ContractBase):
    """A smart contract on a channel."""

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
        """Create a proposal, to evaluate or endorse, with full control over its options.

        ``endorsing_organizations`` restricts endorsement (or, for evaluation, the peers queried) to
        those MSP IDs; use it for transactions with private data.
        """
        proposed = self._proposed(transaction_name, arguments, transient_data, endorsing_organizations)
        return AsyncProposal(self._client, self._signing_identity, self._channel_name, proposed)

    async def evaluate_transaction(self, name: str, *args: Argument) -> bytes:
        """Evaluate (query) a transaction function and return its result."""
        return await self.new_proposal(name, arguments=args).evaluate()

    async def submit_transaction(self, name: str, *args: Argument) -> bytes:
        """Endorse, submit and wait for commit; return the result or raise :class:`CommitError`."""
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
        """Evaluate a transaction function with transient data, chosen peers' organizations or a deadline."""
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
        """Endorse and submit, returning as soon as the orderer accepted the transaction (no commit wait).

        Named after the official clients' ``submitAsync``; the commit status comes from the returned
        transaction's ``get_status()``.
        """
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
        """Endorse, submit and wait for commit, with full control over the options and deadlines."""
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
