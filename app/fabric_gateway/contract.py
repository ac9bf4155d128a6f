"""Contracts: invoke the transaction functions of one chaincode (optionally one named contract in it).

Hand-written in ``_async/contract.py`` (asyncio), generated into ``_sync/contract.py`` by ``scripts/unasync.py``.
"""

from fabric_gateway._async.contract import AsyncContract
from fabric_gateway._sync.contract import Contract

__all__ = ["AsyncContract", "Contract"]
