"""Commit status of submitted transactions, obtained with the Gateway ``CommitStatus`` RPC.

Hand-written in ``_async/commit.py`` (asyncio), generated into ``_sync/commit.py`` by ``scripts/unasync.py``.
"""

from fabric_gateway._async.commit import AsyncSubmittedTransaction
from fabric_gateway._common.commit import Status, build_commit_status_request, check_status
from fabric_gateway._sync.commit import SubmittedTransaction
from fabric_gateway.errors import CommitError

__all__ = [
    "AsyncSubmittedTransaction",
    "CommitError",
    "Status",
    "SubmittedTransaction",
    "build_commit_status_request",
    "check_status",
]
