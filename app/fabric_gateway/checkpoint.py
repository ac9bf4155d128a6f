"""Checkpointers: remember how far an event listener got, so a restarted listener resumes there.

The position is a block number plus, optionally, the ID of the last transaction processed in that
block. Resuming chaincode events from ``(block, transaction_id)`` replays the rest of that block after the
transaction; :meth:`Checkpointer.checkpoint_block` records that a whole block was processed, so the next
listener starts at the following block.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from fabric_gateway.events import ChaincodeEvent


@runtime_checkable
class Checkpoint(Protocol):
    """A resume position. ``block_number`` is ``None`` while nothing has been checkpointed."""

    @property
    def block_number(self) -> int | None: ...

    @property
    def transaction_id(self) -> str | None: ...


class Checkpointer:
    """Base checkpointer holding the position in memory; subclasses persist it in :meth:`_save`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._block_number: int | None = None
        self._transaction_id: str | None = None

    @property
    def block_number(self) -> int | None:
        return self._block_number

    @property
    def transaction_id(self) -> str | None:
        return self._transaction_id

    def checkpoint_block(self, block_number: int) -> None:
        """Record that every transaction of ``block_number`` has been processed."""
        self.checkpoint_transaction(block_number + 1, None)

    def checkpoint_transaction(self, block_number: int, transaction_id: str | None) -> None:
        """Record that ``transaction_id`` and everything before it in ``block_number`` was processed."""
        if block_number < 0:
            raise ValueError("block number must not be negative")
        with self._lock:
            self._block_number = block_number
            self._transaction_id = transaction_id or None
            self._save()

    def checkpoint_chaincode_event(self, event: ChaincodeEvent) -> None:
        """Record that the transaction that emitted ``event`` has been processed."""
        self.checkpoint_transaction(event.block_number, event.transaction_id)

    def _save(self) -> None:
        """Persist the current position (called with the lock held)."""

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(block_number={self._block_number}, transaction_id={self._transaction_id!r})"


class InMemoryCheckpointer(Checkpointer):
    """Keeps the position in memory only, for listeners that reconnect within one process."""


class FileCheckpointer(Checkpointer):
    """Keeps the position in a JSON file (``{"blockNumber": n, "transactionId": "..."}``, the format of the
    official clients), rewritten atomically on every checkpoint."""

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self._path = Path(path)
        if self._path.exists() and self._path.stat().st_size > 0:
            state = json.loads(self._path.read_text())
            block = state.get("blockNumber")
            self._block_number = int(block) if block is not None else None
            self._transaction_id = state.get("transactionId") or None
        else:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock:
                self._save()

    @property
    def path(self) -> Path:
        return self._path

    def _save(self) -> None:
        state: dict[str, object] = {}
        if self._block_number is not None:
            state["blockNumber"] = self._block_number
        if self._transaction_id:
            state["transactionId"] = self._transaction_id
        fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=f".{self._path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(state, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self._path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        """Nothing is held open between checkpoints; present for parity with the official clients."""

    def __enter__(self) -> FileCheckpointer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
