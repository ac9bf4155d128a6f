# Generated from app/fabric_gateway/_async/transaction.py by `python scripts/unasync.py` (`make fmt`): do not edit.
# Change the asyncio source and regenerate; `python scripts/unasync.py --check` (`make lint`) checks it.
"""Endorsed transactions: the gateway's prepared envelope, signed by the client and submitted for ordering."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_gateway._common.transaction import _TransactionBase
from fabric_gateway._sync.commit import SubmittedTransaction

if TYPE_CHECKING:
    from fabric_gateway._sync.client import GatewayClient


class Transaction(_TransactionBase):
    """An endorsed transaction."""

    __slots__ = ()
    _client: GatewayClient

    def submit(self, *, timeout: float | None = None) -> SubmittedTransaction:
        """Send the transaction to the orderer; returns without waiting for it to commit."""
        request = self._submit_request()
        status_request = self._commit_status_request()
        self._client.submit(request, timeout)
        return SubmittedTransaction(
            self._client, self._signing_identity, self.transaction_id, status_request, self._result
        )
