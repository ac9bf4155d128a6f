# Generated from app/fabric_gateway/_async/contract.py by `python scripts/unasync.py` (`make fmt`): do not edit.
# Change the asyncio source and regenerate; `python scripts/unasync.py --check` (`make lint`) checks it.
"""Contracts: invoke the transaction functions of one chaincode (optionally one named contract in it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from fabric_gateway._common.commit import check_status
from fabric_gateway._common.contract import _ContractBase
from fabric_gateway._common.proposal import Argument
from fabric_gateway._sync.commit import SubmittedTransaction
from fabric_gateway._sync.proposal import Proposal

if TYPE_CHECKING:
    from fabric_gateway._sync.client import GatewayClient


class Contract(_ContractBase):
    """A smart contract on a channel."""

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
        """Evaluate a transaction function with transient data, chosen peers' organizations or a deadline."""
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
        transaction = proposal.endorse(timeout=endorse_timeout)
        return transaction.submit(timeout=submit_timeout)

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
        """Endorse, submit and wait for commit, with full control over the options and deadlines."""
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
