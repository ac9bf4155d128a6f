# Generated from app/fabric_gateway/_async/commit.py by `python scripts/unasync.py` (`make fmt`): do not edit.
# Change the asyncio source and regenerate; `python scripts/unasync.py --check` (`make lint`) checks it.
"""Submitted transactions: their commit status, obtained with the Gateway ``CommitStatus`` RPC."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_gateway._common.commit import Status, _CommitBase, check_status

if TYPE_CHECKING:
    from fabric_gateway._sync.client import GatewayClient


class SubmittedTransaction(_CommitBase):
    """A transaction sent to the orderer."""

    __slots__ = ()
    _client: GatewayClient

    def get_status(self, *, timeout: float | None = None) -> Status:
        """Wait for the transaction to commit and return its status (valid or not)."""
        response = self._client.commit_status(self._request(), self._transaction_id, timeout)
        return self._status(response)

    def wait(self, *, timeout: float | None = None) -> bytes:
        """Wait for commit; return the result, or raise :class:`CommitError` if the transaction is invalid."""
        check_status(self.get_status(timeout=timeout))
        return self._result
