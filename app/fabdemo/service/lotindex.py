"""The lot index: every lot's current record, projected from the blocks the block follower reads.

The dashboard shows counts by status, the lots handed over to the viewer's org, how many it holds and the
lots changed last, across every lot on the ledger. Asking the contract for all of that on every page view
costs one ``ListLots`` over the whole ledger (70 ms at 2,000 lots, seconds at 20,000). Keeping counts in the
contract instead would make one counter key that every HarvestLot and handover writes, so concurrent
transactions would collide on it (MVCC) and throughput would fall to one such write per block.

So the app keeps an off-chain read model, the usual Fabric pattern: each valid transaction's write set
holds the new JSON of every lot it changed (under the contract's ``lot`` composite key), exactly what
``GetLot`` would return, minus the read-time summary. Applying the writes of every block in order gives
the world state's lots; counts and the "incoming" set are kept as the writes arrive. The index is only
trusted once the follower has read up to the chain height it saw when it connected (``ready``); before
that, and in processes that do not follow blocks, the read model asks the contract as before.

A rewind (``make reset``) clears it; the follower reads the chain again from block 0.
"""

from __future__ import annotations

import heapq
import json
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from fabric_gateway import ParsedBlock

log = logging.getLogger("fabdemo.lotindex")

# The contract's composite key of a lot record: U+0000 "lot" U+0000 lotId U+0000 (chaincode/contract/keys.go).
LOT_KEY_PREFIX = "\x00lot\x00"


def _updated(lot: dict[str, Any]) -> tuple[str, str]:
    return (lot.get("updatedAt") or "", lot.get("lotId") or "")


def newest_first(lots: list[dict[str, Any]], limit: int | None = None) -> list[dict[str, Any]]:
    """Lots by last update, newest first (ties by lot id); the first ``limit`` only, if given."""
    if limit is None:
        return sorted(lots, key=_updated, reverse=True)
    return heapq.nlargest(limit, lots, key=_updated)


def matches(lot: dict[str, Any], status: str | None, custodian: str | None) -> bool:
    """The dashboard's filters: a status and a custodian MSP id (None: any)."""
    return (status is None or lot.get("status") == status) and (custodian is None or lot.get("custodian") == custodian)


class LotIndex:
    """Lots by id, with counts by status and custodian and the pending handovers by receiving org."""

    def __init__(self, namespace: Callable[[], str]) -> None:
        self._namespace = namespace  # the kit's chaincode name (read per block: a topology can change)
        self._lots: dict[str, dict[str, Any]] = {}
        self._by_status: Counter[str] = Counter()
        self._by_custodian: Counter[str] = Counter()
        self._incoming: dict[str, set[str]] = {}  # receiving MSP id -> lot ids handed over to it
        self.ready = False  # set by the follower once it has read the chain it found on connecting

    # -- fed by the block follower ------------------------------------------------------------------
    def apply(self, block: ParsedBlock) -> None:
        namespace = self._namespace()
        for tx in block.transactions:
            if not tx.valid or tx.chaincode_name != namespace:
                continue
            for write in tx.writes:
                if write.namespace != namespace or not write.key.startswith(LOT_KEY_PREFIX):
                    continue
                lot_id = write.key[len(LOT_KEY_PREFIX) : -1]
                if write.is_delete:
                    self._remove(lot_id)
                    continue
                try:
                    lot = json.loads(write.value)
                except (ValueError, UnicodeDecodeError):  # never expected: the contract writes JSON
                    log.warning("lot index: undecodable record for %r in block %d", lot_id, block.number)
                    continue
                if isinstance(lot, dict):
                    self._put(lot_id, lot)

    def reset(self) -> None:
        self._lots.clear()
        self._by_status.clear()
        self._by_custodian.clear()
        self._incoming.clear()
        self.ready = False

    def _put(self, lot_id: str, lot: dict[str, Any]) -> None:
        self._remove(lot_id)
        self._lots[lot_id] = lot
        self._by_status[lot.get("status", "")] += 1
        self._by_custodian[lot.get("custodian", "")] += 1
        receiver = (lot.get("pendingTransfer") or {}).get("toMsp")
        if receiver:
            self._incoming.setdefault(receiver, set()).add(lot_id)

    def _remove(self, lot_id: str) -> None:
        old = self._lots.pop(lot_id, None)
        if old is None:
            return
        self._by_status[old.get("status", "")] -= 1
        self._by_custodian[old.get("custodian", "")] -= 1
        receiver = (old.get("pendingTransfer") or {}).get("toMsp")
        if receiver:
            self._incoming.get(receiver, set()).discard(lot_id)

    # -- read by the dashboard ----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._lots)

    def counts(self) -> dict[str, int]:
        return {status: n for status, n in self._by_status.items() if n > 0}

    def held_by(self, msp_id: str) -> int:
        return self._by_custodian.get(msp_id, 0)

    def incoming(self, msp_id: str) -> list[dict[str, Any]]:
        """Lots with a pending handover to ``msp_id``, newest first."""
        return newest_first([self._lots[i] for i in self._incoming.get(msp_id, ())])

    def newest(
        self, limit: int, offset: int = 0, *, status: str | None = None, custodian: str | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of lots, changed last first (optionally of one status and custodian), and how many match."""
        lots = [lot for lot in self._lots.values() if matches(lot, status, custodian)]
        return newest_first(lots, offset + limit)[offset:], len(lots)
