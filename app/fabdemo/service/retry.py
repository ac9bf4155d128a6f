"""The one retry policy of every submit, and how an unknown outcome is settled by transaction id.

Before a transaction is sent, a retry is a new endorsement (an MVCC conflict, another org's peer a
block behind). Once it has been sent it is never endorsed again: later tries re-send or re-ask about
the same signed transaction, and when its commit status cannot be read the ledger is asked (qscc) for
that id. So a caller never hears "failed" for a transaction that committed, nor "done" for one that
did not. :class:`RetryPolicy`'s docstring is the reference; docs/resilience.md shows it under faults.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from fabric_protos.common import common_pb2
from fabric_protos.peer.transaction_pb2 import TxValidationCode

from fabric_gateway import (
    AsyncNetwork,
    CommitStatusError,
    EndorseError,
    GatewayError,
    MvccConflictError,
    SubmitError,
)
from fabric_gateway.blockparser import ParsedBlock, parse_block
from fabric_gateway.commit import AsyncSubmittedTransaction, Status, check_status
from fabric_gateway.retry import backoff_delay
from fabric_gateway.transaction import AsyncTransaction

log = logging.getLogger("fabdemo.service")


MVCC = "an MVCC conflict"
PEER_LAG = "a refusal by other orgs' peers only"
ORDERING = "no orderer taking transactions"


def only_remote_peers_failed(err: EndorseError, acting_msp: str) -> bool:
    """True when our own org's peer endorsed but another org's peer refused.

    Our peer has committed everything we were told about; another org's peer commits the same blocks a
    few milliseconds later. A refusal from it alone (say "held by FarmMSP" right after a handover we just
    confirmed) means it has not caught up yet: worth another try. A refusal by our own peer is real.
    """
    return bool(err.details) and all(d.msp_id and d.msp_id != acting_msp for d in err.details)


class Sent(Protocol):
    """What a submit answers with: the transaction's id and the chaincode's response from its endorsement."""

    @property
    def transaction_id(self) -> str: ...
    @property
    def result(self) -> bytes: ...


Lookup = Callable[[str], Awaitable[Status | None]]
"""Finds a transaction on the ledger by id: its status, or ``None`` if no block holds it (yet)."""


class TransactionNotOrdered(SubmitError):
    """No orderer took the transaction within the ordering budget, and the ledger does not hold it."""


class OutcomeUnknown(CommitStatusError):
    """The transaction was sent for ordering, but neither its commit status nor the ledger told its fate."""


@dataclass(frozen=True)
class RetryPolicy:
    """When a submit is tried again, and after how long. Nothing else is ever retried.

    Before the transaction is sent (endorsement), a new try is a new transaction with a new id:

    - **MVCC conflict** (two people acted on one lot at once): endorse again (a new transaction id)
      against the current state, after the client's jittered exponential backoff
      (:func:`fabric_gateway.retry.backoff_delay`). The conflicting transaction is on the ledger, marked
      invalid, so the new one cannot duplicate it.
    - **Endorsement refused by other orgs' peers only** (they lag a block behind ours, see
      docs/architecture.md): endorse again after a short, growing pause.

    The first two share ``attempts`` (endorsements in all, the first one included).

    Once a transaction has been sent it may be on its way into a block, so it is never endorsed again
    (a new id could commit the same change twice). Every later try re-sends or re-asks about the *same*
    signed transaction: Fabric commits one id at most once, so a re-send cannot duplicate it.

    - **No orderer takes the transaction** (Raft is electing a new leader after an orderer failed, or
      the call timed out): submit the same signed transaction again every ``ordering_pause`` for up to
      ``ordering_seconds``. When that budget is spent the ledger is asked for the id before answering:
      found, it is the answer; not found, :class:`TransactionNotOrdered`.
    - **Commit status failed or timed out** (``DEADLINE_EXCEEDED``, ``UNAVAILABLE`` while waiting; each
      wait lasts ``status_wait``): look the id up on the ledger; found, that is the answer. Not found
      after a timeout, the orderer that held it may have died before cutting a block, so re-send the same
      transaction, then wait again, for up to ``outcome_seconds`` from the first send. Still unknown:
      :class:`OutcomeUnknown` (the caller is told the id and that it may yet commit, never "failed").
    - **Duplicate transaction id** (a re-send met the first copy: the status says ``DUPLICATE_TXID`` or
      the gateway refused the id): look it up; the first copy's status is the answer, never "failed".

    So a caller never hears "failed" for a transaction that committed, nor success for one that did not.
    """

    attempts: int = 4
    mvcc_backoff: float = 0.05
    lag_step: float = 0.15
    ordering_seconds: float = 10.0
    ordering_pause: float = 0.25
    status_wait: float = 5.0
    outcome_seconds: float = 30.0

    def reason(self, err: GatewayError, acting_msp: str) -> str | None:
        """Why ``err`` may be worth another try, or ``None`` if it is final."""
        if isinstance(err, MvccConflictError):
            return MVCC
        if isinstance(err, EndorseError) and only_remote_peers_failed(err, acting_msp):
            return PEER_LAG
        if isinstance(err, SubmitError):
            return ORDERING
        return None

    def pause(self, reason: str, endorsements: int, ordering_waited: float) -> float | None:
        """Seconds to wait before the next try, or ``None`` once the budget for ``reason`` is spent."""
        if reason == ORDERING:
            return self.ordering_pause if ordering_waited < self.ordering_seconds else None
        if endorsements >= self.attempts:
            return None
        if reason == MVCC:
            return backoff_delay(self.mvcc_backoff, endorsements)
        return backoff_delay(lambda n: self.lag_step * n, endorsements)

    async def submit(
        self,
        endorse: Callable[[], Awaitable[AsyncTransaction]],
        acting_msp: str,
        lookup: Lookup | None = None,
    ) -> tuple[Sent, Status]:
        """Endorse, order and wait for the commit of one transaction, retrying as described above.

        ``lookup`` finds a transaction on the ledger by id (qscc through the acting org's gateway); without
        it an unknown outcome can only be settled by the commit status.
        """
        endorsements = 0
        while True:
            endorsements += 1
            try:
                transaction = await endorse()
                sent, status = await self.order(transaction, lookup)
                return sent, check_status(status)
            except (EndorseError, MvccConflictError) as err:
                reason = self.reason(err, acting_msp)
                pause = None if reason is None else self.pause(reason, endorsements, 0.0)
                if reason is None or pause is None:
                    raise
                log.info("submit as %s hit %s; trying again in %.2fs", acting_msp, reason, pause)
                await asyncio.sleep(pause)

    async def order(self, transaction: AsyncTransaction, lookup: Lookup | None) -> tuple[Sent, Status]:
        """Send one signed transaction and find out what became of it (valid or not); see the class doc."""
        tx_id = transaction.transaction_id
        started = time.monotonic()
        submitted: AsyncSubmittedTransaction | None = None
        send = True
        while True:
            waited = time.monotonic() - started
            if send:
                try:
                    submitted = await transaction.submit()
                    send = False
                except SubmitError as err:
                    if is_duplicate(err):
                        send = False  # the first copy got there: find it
                    elif waited < self.ordering_seconds:
                        log.info("%s: %s; sending it again in %.2fs", tx_id[:12], ORDERING, self.ordering_pause)
                        await asyncio.sleep(self.ordering_pause)
                        continue
                    else:
                        found = await self.find(lookup, submitted, tx_id)
                        if found is not None:
                            return transaction, found
                        raise TransactionNotOrdered(
                            err.message, grpc_code=err.grpc_code, details=err.details, transaction_id=tx_id
                        ) from err
            timed_out = False
            if submitted is not None:
                try:
                    status = await asyncio.wait_for(submitted.get_status(), self.status_wait)
                    if status.code != DUPLICATE_TXID:
                        return submitted, status
                except (CommitStatusError, TimeoutError) as err:
                    timed_out = isinstance(err, TimeoutError)  # CommitTimeoutError is one too
                    log.info("%s: no commit status (%r); looking it up", tx_id[:12], err)
            found = await self.find(lookup, None, tx_id)
            if found is not None:
                return submitted or transaction, found
            if time.monotonic() - started >= self.outcome_seconds:
                raise OutcomeUnknown(
                    f"transaction {tx_id} was sent for ordering but its outcome is not known after "
                    f"{self.outcome_seconds:.0f}s",
                    transaction_id=tx_id,
                )
            # Not on the ledger after a full wait: the orderer that held it may have died with it. The
            # same signed transaction again cannot commit twice.
            send = timed_out or submitted is None
            await asyncio.sleep(self.ordering_pause)

    async def find(
        self, lookup: Lookup | None, submitted: AsyncSubmittedTransaction | None, tx_id: str
    ) -> Status | None:
        """The transaction's status if the ledger holds it: from the lookup, else one short status wait."""
        if lookup is not None:
            try:
                status = await lookup(tx_id)
            except GatewayError as err:
                log.info("%s: lookup failed: %s", tx_id[:12], err)
                status = None
            if status is not None or submitted is None:
                return status
        if submitted is not None:
            try:
                status = await asyncio.wait_for(submitted.get_status(), min(self.status_wait, 2.0))
                return status if status.code != DUPLICATE_TXID else None
            except (CommitStatusError, TimeoutError):
                return None
        return None


DUPLICATE_TXID = TxValidationCode.DUPLICATE_TXID


def is_duplicate(err: GatewayError) -> bool:
    """The gateway or orderer refused the id because a transaction with it already exists."""
    return "duplicate" in str(err).lower()


def status_from_block(block: ParsedBlock, tx_id: str) -> Status | None:
    """The status of ``tx_id`` in a block: its valid copy if it has one (a re-send is DUPLICATE_TXID)."""
    matches = [tx for tx in block.transactions if tx.transaction_id == tx_id]
    if not matches:
        return None
    chosen = next((tx for tx in matches if tx.valid), matches[0])
    return Status(code=chosen.validation_code, transaction_id=tx_id, block_number=block.number)


def ledger_lookup(channel: AsyncNetwork) -> Lookup:
    """A :data:`Lookup` through qscc ``GetBlockByTxID`` on ``channel`` (the acting org's own peer)."""

    async def lookup(tx_id: str) -> Status | None:
        qscc = channel.get_contract("qscc")
        try:
            raw = await qscc.evaluate("GetBlockByTxID", arguments=[channel.name, tx_id], timeout=5.0)
        except GatewayError as err:
            if "no such transaction" in str(err).lower() or "not found" in str(err).lower():
                return None
            raise
        return status_from_block(parse_block(common_pb2.Block.FromString(raw)), tx_id)

    return lookup
