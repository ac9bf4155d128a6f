"""Endorsed transactions: the gateway's prepared envelope, signed by the client and submitted for ordering.

Hand-written in ``_async/transaction.py`` (asyncio), generated into ``_sync/transaction.py`` by ``scripts/unasync.py``.
"""

from fabric_gateway._async.transaction import AsyncTransaction
from fabric_gateway._common.transaction import parse_prepared_transaction
from fabric_gateway._sync.transaction import Transaction

__all__ = ["AsyncTransaction", "Transaction", "parse_prepared_transaction"]
