"""Submitted transactions: their commit status, obtained with the Gateway ``CommitStatus`` RPC."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_gateway._common.commit import Status, _CommitBase, check_status

if TYPE_CHECKING:
    from fabric_gateway._async.client import AsyncGatewayClient


class AsyncSubmittedTransaction(_CommitBase):
    """A transaction sent to the orderer."""

    __slots__ = ()
    _client: AsyncGatewayClient

    async def get_status(self, *, timeout: float | None = None) -> Status:
        """Wait for the transaction to commit and return its status (valid or not)."""
        response = await self._client.commit_status(self._request(), self._transaction_id, timeout)
        return self._status(response)

    async def wait(self, *, timeout: float | None = None) -> bytes:
        """Wait for commit; return the result, or raise :class:`CommitError` if the transaction is invalid."""
        check_status(await self.get_status(timeout=timeout))
        return self._result
