"""The service layer the API is handed, without a network: the one retry policy of every submit, and the
org directory and node status over the network object's live topology.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from fabdemo.network.topology import Topology, load_topology
from fabdemo.service import LedgerService, RetryPolicy, ServiceError
from fabdemo.settings import Settings
from fabric_gateway import EndorseError, MvccConflictError, SubmitError
from fabric_gateway.commit import Status
from fabric_gateway.errors import ErrorDetail

VALID, MVCC_READ_CONFLICT = 0, 11
QUICK = RetryPolicy(mvcc_backoff=0.0, lag_step=0.0, ordering_pause=0.0)


@dataclass
class Submitted:
    transaction_id: str
    code: int
    result: bytes = b'{"ok": true}'

    async def get_status(self) -> Status:
        return Status(code=self.code, transaction_id=self.transaction_id, block_number=7)


@dataclass
class Endorsed:
    """An endorsed transaction: ``submit`` refuses ``refusals`` times (no orderer), then commits with ``code``."""

    transaction_id: str
    code: int = VALID
    refusals: int = 0
    submits: int = 0

    async def submit(self) -> Submitted:
        self.submits += 1
        if self.submits <= self.refusals:
            raise SubmitError("no orderer could take it: Raft is electing a leader")
        return Submitted(self.transaction_id, self.code)


@dataclass
class Endorser:
    """Stands in for ``proposal.endorse()``: each call returns the next step (a transaction or an error)."""

    steps: list[Any]
    calls: list[Endorsed] = field(default_factory=list)

    async def __call__(self) -> Endorsed:
        step = self.steps[min(len(self.calls), len(self.steps) - 1)]
        if isinstance(step, Exception):
            self.calls.append(Endorsed("refused"))
            raise step
        self.calls.append(step)
        return step


def refused_by(*msps: str) -> EndorseError:
    details = [ErrorDetail(f"peer0.{m.lower()}:7051", m, "lot LOT-1 is held by FarmMSP") for m in msps]
    return EndorseError("endorsement refused", details=details)


async def test_ordering_refusals_resend_the_same_signed_transaction() -> None:
    tx = Endorsed("tx-1", refusals=3)
    endorse = Endorser([tx])
    submitted, status = await QUICK.submit(endorse, "FarmMSP")
    assert (submitted.transaction_id, status.block_number) == ("tx-1", 7)
    assert len(endorse.calls) == 1 and tx.submits == 4  # one id: ordered at most once


async def test_ordering_refusals_end_after_the_election_budget() -> None:
    endorse = Endorser([Endorsed("tx-1", refusals=99)])
    with pytest.raises(SubmitError):
        await RetryPolicy(ordering_seconds=0.0).submit(endorse, "FarmMSP")
    assert len(endorse.calls) == 1


async def test_an_mvcc_conflict_is_endorsed_again_as_a_new_transaction() -> None:
    endorse = Endorser([Endorsed("tx-1", code=MVCC_READ_CONFLICT), Endorsed("tx-2")])
    submitted, _status = await QUICK.submit(endorse, "FarmMSP")
    assert submitted.transaction_id == "tx-2" and len(endorse.calls) == 2


async def test_conflicts_and_lag_share_one_budget_of_attempts() -> None:
    endorse = Endorser([refused_by("ProcessorMSP"), Endorsed("tx-1", code=MVCC_READ_CONFLICT)])
    with pytest.raises(MvccConflictError):
        await RetryPolicy(attempts=3, mvcc_backoff=0.0, lag_step=0.0).submit(endorse, "FarmMSP")
    assert len(endorse.calls) == 3


async def test_only_a_refusal_by_other_orgs_peers_is_retried() -> None:
    lagging = Endorser([refused_by("ProcessorMSP", "RetailerMSP"), Endorsed("tx-1")])
    submitted, _status = await QUICK.submit(lagging, "FarmMSP")
    assert submitted.transaction_id == "tx-1" and len(lagging.calls) == 2

    own_peer = Endorser([refused_by("FarmMSP", "ProcessorMSP"), Endorsed("tx-1")])
    with pytest.raises(EndorseError):
        await QUICK.submit(own_peer, "FarmMSP")  # our own peer refused: that is the answer
    assert len(own_peer.calls) == 1


class LiveNetwork:
    """A network object whose members change (as network.json does when an org joins)."""

    def __init__(self) -> None:
        self.base: Topology = load_topology(Settings().topology_file, 0)
        self.topology = self.base
        self.status_calls = 0

    def join(self, key: str) -> None:
        self.topology = self.base.with_members([key])

    def status(self) -> list[Any]:
        self.status_calls += 1
        return []


async def test_an_org_that_joins_is_a_member_of_the_service_at_once() -> None:
    network = LiveNetwork()
    service = LedgerService(network, follow_blocks=False)  # type: ignore[arg-type]
    with pytest.raises(ServiceError) as unknown:
        service.org("carrier")
    assert unknown.value.code == "UNKNOWN_ORG" and "未知组织" in unknown.value.message_zh
    before = await service.network_status()
    assert "carrier" not in {o["key"] for o in before["orgs"]}

    network.join("carrier")
    assert service.org("CarrierMSP").key == "carrier"
    after = await service.network_status()  # within the cache's second, but the members changed
    assert "carrier" in {o["key"] for o in after["orgs"]} and network.status_calls == 2
    assert service.directory.msps_with_role("carrier") == ["CarrierMSP"]
