"""Retries that cannot duplicate: once a transaction was sent, every later try re-sends or re-asks about the
same signed transaction, and an unknown outcome is looked up by id before the caller hears anything.

Fakes stand in for the gateway (no network): a transaction whose commit status fails as scripted, and a
ledger that holds or does not hold the id.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest

from fabdemo.service.contracts import not_ordered_error, outcome_unknown_error
from fabdemo.service.retry import (
    DUPLICATE_TXID,
    OutcomeUnknown,
    RetryPolicy,
    TransactionNotOrdered,
    status_from_block,
)
from fabric_gateway import CommitStatusConnectionError, CommitTimeoutError, SubmitError
from fabric_gateway.blockparser import ParsedBlock, ParsedTransaction
from fabric_gateway.commit import Status

VALID = 0
QUICK = RetryPolicy(ordering_pause=0.01, status_wait=0.05, ordering_seconds=0.2, outcome_seconds=0.5)
HANG = "hang"  # a commit status that never arrives: the policy's own status_wait ends it


def timeout() -> CommitTimeoutError:
    return CommitTimeoutError("deadline", grpc_code=grpc.StatusCode.DEADLINE_EXCEEDED)


def unavailable() -> CommitStatusConnectionError:
    return CommitStatusConnectionError("peer gone", grpc_code=grpc.StatusCode.UNAVAILABLE)


@dataclass
class Sent:
    """A submitted transaction whose ``get_status`` answers each step in turn (a code, an error or HANG)."""

    tx: Transaction

    @property
    def transaction_id(self) -> str:
        return self.tx.transaction_id

    @property
    def result(self) -> bytes:
        return b'{"ok": true}'

    async def get_status(self) -> Status:
        self.tx.status_asks += 1
        step = self.tx.statuses.pop(0) if len(self.tx.statuses) > 1 else self.tx.statuses[0]
        if step == HANG:
            await asyncio.sleep(10)
        if isinstance(step, Exception):
            raise step
        return Status(code=int(step), transaction_id=self.transaction_id, block_number=7)


@dataclass
class Transaction:
    """One endorsed transaction: ``submit`` raises the scripted errors first, then sends."""

    transaction_id: str = "tx-1"
    statuses: list[Any] = field(default_factory=lambda: [VALID])
    submit_errors: list[Exception] = field(default_factory=list)
    submits: int = 0
    status_asks: int = 0
    result: bytes = b"{}"

    async def submit(self) -> Sent:
        self.submits += 1
        if self.submit_errors:
            raise self.submit_errors.pop(0)
        return Sent(self)


@dataclass
class Ledger:
    """A lookup by id: ``None`` until ``holds_after`` questions were asked, then the transaction's status."""

    holds_after: int | None = 0
    code: int = VALID
    asked: int = 0

    async def __call__(self, tx_id: str) -> Status | None:
        self.asked += 1
        if self.holds_after is None or self.asked <= self.holds_after:
            return None
        return Status(code=self.code, transaction_id=tx_id, block_number=9)


class Endorser:
    def __init__(self, tx: Transaction) -> None:
        self.tx, self.calls = tx, 0

    async def __call__(self) -> Transaction:
        self.calls += 1
        return self.tx


async def test_a_commit_status_timeout_is_settled_by_the_ledger_not_reported_as_failed() -> None:
    tx = Transaction(statuses=[timeout()])
    endorse, ledger = Endorser(tx), Ledger()
    sent, status = await QUICK.submit(endorse, "FarmMSP", ledger)  # type: ignore[arg-type]
    assert (sent.transaction_id, status.block_number) == ("tx-1", 9)
    assert endorse.calls == 1 and tx.submits == 1 and ledger.asked == 1


async def test_an_unavailable_status_is_asked_again_without_a_resend() -> None:
    tx = Transaction(statuses=[unavailable(), VALID])
    _sent, status = await QUICK.submit(Endorser(tx), "FarmMSP", Ledger(holds_after=None))  # type: ignore[arg-type]
    assert status.block_number == 7 and tx.submits == 1 and tx.status_asks == 2


async def test_a_status_that_never_comes_resends_the_same_transaction() -> None:
    """The orderer holding it died before cutting a block: the same signed envelope goes again."""
    tx = Transaction(statuses=[HANG, VALID])
    endorse = Endorser(tx)
    sent, status = await QUICK.submit(endorse, "FarmMSP", Ledger(holds_after=None))  # type: ignore[arg-type]
    assert status.code == VALID and sent.transaction_id == "tx-1"
    assert endorse.calls == 1 and tx.submits == 2  # re-sent, never endorsed again (a new id could duplicate)


async def test_a_duplicate_txid_status_means_look_it_up() -> None:
    tx = Transaction(statuses=[DUPLICATE_TXID])
    ledger = Ledger()
    _sent, status = await QUICK.submit(Endorser(tx), "FarmMSP", ledger)  # type: ignore[arg-type]
    assert status.code == VALID and ledger.asked == 1


async def test_a_duplicate_refusal_on_a_resend_means_look_it_up() -> None:
    tx = Transaction(submit_errors=[SubmitError("no leader"), SubmitError("duplicate transaction found [tx-1]")])
    tx.statuses = [HANG]
    _sent, status = await QUICK.submit(Endorser(tx), "FarmMSP", Ledger())  # type: ignore[arg-type]
    assert status.code == VALID and tx.submits == 2


async def test_an_id_found_after_the_ordering_budget_is_a_success() -> None:
    """A send timed out, but it had reached the orderer: the ledger holds it, so the answer is success."""
    deadline = SubmitError("timed out", grpc_code=grpc.StatusCode.DEADLINE_EXCEEDED)
    tx = Transaction(submit_errors=[deadline] * 1000)
    _sent, status = await QUICK.submit(Endorser(tx), "FarmMSP", Ledger())  # type: ignore[arg-type]
    assert status.code == VALID and tx.submits > 1


async def test_not_ordered_and_not_on_the_ledger_is_a_clear_failure() -> None:
    tx = Transaction(submit_errors=[SubmitError("no Raft leader")] * 1000)
    with pytest.raises(TransactionNotOrdered) as raised:
        await QUICK.submit(Endorser(tx), "FarmMSP", Ledger(holds_after=None))  # type: ignore[arg-type]
    error = not_ordered_error(raised.value, QUICK.ordering_seconds)
    assert error.code == "NETWORK_UNAVAILABLE" and error.http_status == 503
    assert "quorum" in error.message and "排序" in error.message_zh and error.params["txId"] == "tx-1"


async def test_an_outcome_still_unknown_is_never_called_failed() -> None:
    tx = Transaction(statuses=[timeout()])
    endorse = Endorser(tx)
    with pytest.raises(OutcomeUnknown) as raised:
        await QUICK.submit(endorse, "FarmMSP", Ledger(holds_after=None))  # type: ignore[arg-type]
    assert endorse.calls == 1 and tx.submits >= 2  # only ever the same transaction
    error = outcome_unknown_error(raised.value)
    assert error.code == "COMMIT_TIMEOUT" and error.params == {"txId": "tx-1"}
    assert "may still commit" in error.message and "仍可能提交" in error.message_zh


async def test_an_invalid_copy_found_by_lookup_is_the_answer() -> None:
    """The ledger's verdict is final: an MVCC-invalid transaction is endorsed again as a new one."""
    first, second = Transaction("tx-1", statuses=[timeout()]), Transaction("tx-2")
    steps = iter([first, second])

    async def endorse() -> Transaction:
        return next(steps)

    _sent, status = await QUICK.submit(endorse, "FarmMSP", Ledger(code=11))  # type: ignore[arg-type]
    assert status.transaction_id == "tx-2" and first.submits == 1


def test_the_lookup_prefers_the_valid_copy_in_a_block() -> None:
    def tx(code: int) -> ParsedTransaction:
        return ParsedTransaction(index=0, transaction_id="tx-1", channel_id="c", type=3, validation_code=code)

    other = ParsedTransaction(index=0, transaction_id="tx-2", channel_id="c", type=3, validation_code=VALID)
    block = ParsedBlock(number=5, previous_hash=b"", data_hash=b"", transactions=[other, tx(VALID), tx(8)], raw=None)  # type: ignore[arg-type]
    assert status_from_block(block, "tx-1") == Status(VALID, "tx-1", 5)
    assert status_from_block(block, "tx-9") is None
