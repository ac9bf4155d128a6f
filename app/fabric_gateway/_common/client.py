"""Default deadlines and the stubs of the RPC layer (:mod:`fabric_gateway._async.client`)."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
import grpc.aio
from fabric_protos.gateway import gateway_pb2_grpc
from fabric_protos.peer import events_pb2_grpc


@dataclass(frozen=True)
class Timeouts:
    """Default deadlines in seconds for each kind of call (``None``: no deadline)."""

    evaluate: float | None = 5.0
    endorse: float | None = 15.0
    submit: float | None = 5.0
    commit_status: float | None = 60.0
    chaincode_events: float | None = None
    block_events: float | None = None


class _ClientBase:
    def __init__(self, channel: grpc.Channel | grpc.aio.Channel, timeouts: Timeouts, tls_cert_hash: bytes | None):
        self.channel = channel
        self.timeouts = timeouts
        self.tls_cert_hash = tls_cert_hash
        self._gateway = gateway_pb2_grpc.GatewayStub(channel)
        self._deliver = events_pb2_grpc.DeliverStub(channel)

    @staticmethod
    def _deadline(timeout: float | None, default: float | None) -> float | None:
        return default if timeout is None else timeout
