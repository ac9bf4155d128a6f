"""The asyncio API against the fake gateway: same behaviour as the blocking API."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from gw_fakes import MVCC, ChaincodeFailure, FakeGateway

from fabric_gateway import (
    AsyncGateway,
    CommitError,
    EndorseError,
    EvaluateError,
    GatewayConnectionError,
    InMemoryCheckpointer,
    MvccConflictError,
    connect_async,
    submit_with_retry_async,
)
from fabric_gateway.connection import ChannelCache

# The project runs async fixtures on the session loop; the tests must use the same loop as the channel.
pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
async def agateway(server, credentials):
    cache = ChannelCache()
    gw = await connect_async(
        server.endpoint, insecure=True, identity=credentials.identity, signer=credentials.signer, cache=cache
    )
    yield gw
    await gw.close()
    assert len(cache) == 0


@pytest.fixture
def acontract(agateway: AsyncGateway):
    return agateway.get_network("mychannel").get_contract("basic")


async def test_evaluate_and_submit(acontract):
    assert await acontract.evaluate_transaction("Echo", "a") == b"a"
    assert await acontract.submit_transaction("Echo", "b", "c") == b"b,c"


async def test_proposal_flow(acontract, fake: FakeGateway):
    proposal = acontract.new_proposal("Transient", transient_data={"price": "7"}, endorsing_organizations=["Org1MSP"])
    transaction = await proposal.endorse()
    assert transaction.result == b"7"
    submitted = await transaction.submit()
    status = await submitted.get_status()
    assert status.successful
    assert status.transaction_id == submitted.transaction_id == proposal.transaction_id
    assert status.block_number == 1


async def test_concurrent_submits(acontract, fake: FakeGateway):
    results = await asyncio.gather(*(acontract.submit_transaction("Echo", str(i)) for i in range(32)))
    assert sorted(results) == sorted(str(i).encode() for i in range(32))
    assert len(fake.ledger.blocks) == 33


async def test_errors(acontract, fake: FakeGateway):
    def fail(_inv):
        raise ChaincodeFailure(500, "CONFLICT: already harvested")

    fake.handlers["Harvest"] = fail
    with pytest.raises(EvaluateError) as info:
        await acontract.evaluate_transaction("Harvest")
    assert info.value.chaincode_code == "CONFLICT"
    assert len(info.value.details) == 1
    with pytest.raises(EndorseError) as info2:
        await acontract.submit_transaction("Harvest")
    assert info2.value.grpc_code == grpc.StatusCode.ABORTED
    assert info2.value.chaincode_message == "already harvested"

    fake.commit_codes["Echo"] = [10]
    with pytest.raises(CommitError):
        await acontract.submit_transaction("Echo")

    fake.unavailable = True
    with pytest.raises(GatewayConnectionError):
        await acontract.evaluate_transaction("Echo")


async def test_retry_on_mvcc(acontract, fake: FakeGateway):
    fake.commit_codes["Echo"] = [MVCC, MVCC]
    assert await submit_with_retry_async(acontract, "Echo", "r", attempts=3, backoff=0.001) == b"r"
    assert len(fake.ledger.blocks) == 4

    fake.commit_codes["Echo"] = [MVCC, MVCC]
    with pytest.raises(MvccConflictError):
        await submit_with_retry_async(acontract, "Echo", "r", attempts=2, backoff=0.001)


async def test_chaincode_events_async(agateway, acontract, fake: FakeGateway):
    fake.events["Echo"] = "Echoed"
    for i in range(3):
        await acontract.submit_transaction("Echo", str(i))
    network = agateway.get_network("mychannel")
    checkpointer = InMemoryCheckpointer()
    seen = []
    async with network.get_chaincode_events("basic", start_block=0, checkpointer=checkpointer) as events:
        async for event in events:
            seen.append(event)
            checkpointer.checkpoint_chaincode_event(event)
            if len(seen) == 2:
                break
    assert [e.payload for e in seen] == [b"0", b"1"]
    assert events.closed

    # Resume after the checkpoint: only the third event, then a live one.
    events = network.get_chaincode_events("basic", checkpointer=checkpointer)
    first = await asyncio.wait_for(events.__anext__(), 5)
    assert first.payload == b"2"
    await acontract.submit_transaction("Echo", "live")
    second = await asyncio.wait_for(events.__anext__(), 5)
    assert second.payload == b"live"
    await events.aclose()
    with pytest.raises(StopAsyncIteration):
        await events.__anext__()


async def test_block_events_async(agateway, acontract):
    await acontract.submit_transaction("Echo", "blk")
    network = agateway.get_network("mychannel")
    blocks = network.get_block_events(start_block=0)
    numbers = []
    async for block in blocks:
        numbers.append(block.number)
        if block.number == 1:
            break
    blocks.close()
    assert numbers == [0, 1]

    async with network.get_filtered_block_events(start_block=1) as filtered:
        block = await asyncio.wait_for(filtered.__anext__(), 5)
    assert block.number == 1
    assert block.transactions[0].valid


async def test_close_from_another_task_ends_iteration(agateway):
    network = agateway.get_network("mychannel")
    for events in (network.get_chaincode_events("basic"), network.get_block_events()):

        async def consume(stream=events):
            return [event async for event in stream]

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.2)
        events.close()
        assert await asyncio.wait_for(task, 5) == []


async def test_cancelling_the_reading_task_propagates(agateway):
    events = agateway.get_network("mychannel").get_chaincode_events("basic")

    async def consume():
        return [event async for event in events]

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    events.close()
