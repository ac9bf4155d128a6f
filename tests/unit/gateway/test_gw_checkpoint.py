from __future__ import annotations

import json

import pytest

from fabric_gateway import ChaincodeEvent, FileCheckpointer, InMemoryCheckpointer
from fabric_gateway.checkpoint import Checkpoint


def test_in_memory_checkpointer_semantics():
    cp = InMemoryCheckpointer()
    assert isinstance(cp, Checkpoint)
    assert cp.block_number is None and cp.transaction_id is None

    cp.checkpoint_transaction(4, "tx1")
    assert (cp.block_number, cp.transaction_id) == (4, "tx1")

    cp.checkpoint_block(4)  # whole block done: resume at the next one, no transaction to skip
    assert (cp.block_number, cp.transaction_id) == (5, None)

    cp.checkpoint_chaincode_event(ChaincodeEvent(9, "tx9", "cc", "E", b""))
    assert (cp.block_number, cp.transaction_id) == (9, "tx9")

    with pytest.raises(ValueError):
        cp.checkpoint_transaction(-1, None)


def test_file_checkpointer_persists(tmp_path):
    path = tmp_path / "sub" / "checkpoint.json"
    cp = FileCheckpointer(path)
    assert path.exists()
    assert cp.block_number is None
    cp.checkpoint_transaction(12, "abc")
    assert json.loads(path.read_text()) == {"blockNumber": 12, "transactionId": "abc"}

    again = FileCheckpointer(path)
    assert (again.block_number, again.transaction_id) == (12, "abc")
    again.checkpoint_block(12)
    assert json.loads(path.read_text()) == {"blockNumber": 13}
    assert (FileCheckpointer(path).block_number, FileCheckpointer(path).transaction_id) == (13, None)
    assert not [p for p in path.parent.iterdir() if p.name != "checkpoint.json"]  # no temp files left


def test_file_checkpointer_reads_official_client_format(tmp_path):
    path = tmp_path / "cp.json"
    path.write_text('{"blockNumber":3,"transactionId":""}')
    cp = FileCheckpointer(path)
    assert (cp.block_number, cp.transaction_id) == (3, None)
