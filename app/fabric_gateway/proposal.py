"""Transaction proposals: building the ``SignedProposal`` and sending it for evaluation or endorsement.

Hand-written in ``_async/proposal.py`` (asyncio), generated into ``_sync/proposal.py`` by ``scripts/unasync.py``.
"""

from fabric_gateway._async.proposal import AsyncProposal
from fabric_gateway._common.proposal import (
    NONCE_LENGTH,
    Argument,
    build_proposed_transaction,
    new_nonce,
    to_bytes,
    transaction_id_for,
)
from fabric_gateway._sync.proposal import Proposal

__all__ = [
    "NONCE_LENGTH",
    "Argument",
    "AsyncProposal",
    "Proposal",
    "build_proposed_transaction",
    "new_nonce",
    "to_bytes",
    "transaction_id_for",
]
