"""Endorsed transactions: the gateway's prepared envelope, signed by the client and submitted for ordering."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_gateway._async.commit import AsyncSubmittedTransaction
from fabric_gateway._common.transaction import _TransactionBase

if TYPE_CHECKING:
    from fabric_gateway._async.client import AsyncGatewayClient


class AsyncTransaction(_TransactionBase):
    """An endorsed transaction."""

    __slots__ = ()
    _client: AsyncGatewayClient

    async def submit(self, *, timeout: float | None = None) -> AsyncSubmittedTransaction:
        """Send the transaction to the orderer; returns without waiting for it to commit."""
        request = self._submit_request()
        status_request = self._commit_status_request()
        await self._client.submit(request, timeout)
        return AsyncSubmittedTransaction(
            self._client, self._signing_identity, self.transaction_id, status_request, self._result
        )
