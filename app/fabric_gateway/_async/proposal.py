"""Transaction proposals, sent for evaluation or endorsement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_gateway._async.transaction import AsyncTransaction
from fabric_gateway._common.proposal import _ProposalBase
from fabric_gateway._common.transaction import parse_prepared_transaction

if TYPE_CHECKING:
    from fabric_gateway._async.client import AsyncGatewayClient


class AsyncProposal(_ProposalBase):
    """A transaction proposal, ready to be evaluated or endorsed."""

    __slots__ = ()
    _client: AsyncGatewayClient

    async def evaluate(self, *, timeout: float | None = None) -> bytes:
        """Run the transaction on a peer without ordering it; return the chaincode's response payload."""
        response = await self._client.evaluate(self._evaluate_request(), timeout)
        return response.result.payload

    async def endorse(self, *, timeout: float | None = None) -> AsyncTransaction:
        """Obtain the endorsements required to submit the transaction."""
        response = await self._client.endorse(self._endorse_request(), timeout)
        prepared = self._prepared(response)
        channel, result = parse_prepared_transaction(prepared.envelope)
        return AsyncTransaction(self._client, self._signing_identity, prepared, channel or self._channel_name, result)
