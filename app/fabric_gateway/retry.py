"""Retrying submits that lost an MVCC race: :func:`submit_with_retry` and :func:`submit_with_retry_async`.

A transaction invalidated with MVCC_READ_CONFLICT or PHANTOM_READ_CONFLICT read state that another
transaction changed before it committed; endorsing it again (a new proposal, new transaction ID) against
the current state usually succeeds. Nothing else is retried: other failures are not transient in that way,
and retrying an endorse or submit error could apply a transaction twice.

Hand-written in ``_async/retry.py`` (asyncio), generated into ``_sync/retry.py`` by ``scripts/unasync.py``.
"""

from fabric_gateway._async.retry import submit_with_retry_async
from fabric_gateway._common.retry import Backoff, backoff_delay
from fabric_gateway._sync.retry import submit_with_retry

__all__ = ["Backoff", "backoff_delay", "submit_with_retry", "submit_with_retry_async"]
