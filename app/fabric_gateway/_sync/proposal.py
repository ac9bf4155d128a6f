# Generated from app/fabric_gateway/_async/proposal.py by `python scripts/unasync.py` (`make fmt`): do not edit.
# Change the asyncio source and regenerate; `python scripts/unasync.py --check` (`make lint`) checks it.
"""Transaction proposals, sent for evaluation or endorsement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_gateway._common.proposal import _ProposalBase
from fabric_gateway._common.transaction import parse_prepared_transaction
from fabric_gateway._sync.transaction import Transaction

if TYPE_CHECKING:
    from fabric_gateway._sync.client import GatewayClient


class Proposal(_ProposalBase):
    """A transaction proposal, ready to be evaluated or endorsed."""

    __slots__ = ()
    _client: GatewayClient

    def evaluate(self, *, timeout: float | None = None) -> bytes:
        """Run the transaction on a peer without ordering it; return the chaincode's response payload."""
        response = self._client.evaluate(self._evaluate_request(), timeout)
        return response.result.payload

    def endorse(self, *, timeout: float | None = None) -> Transaction:
        """Obtain the endorsements required to submit the transaction."""
        response = self._client.endorse(self._endorse_request(), timeout)
        prepared = self._prepared(response)
        channel, result = parse_prepared_transaction(prepared.envelope)
        return Transaction(self._client, self._signing_identity, prepared, channel or self._channel_name, result)
