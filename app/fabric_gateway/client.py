"""Thin RPC layer: one stub set per channel, default deadlines, and gRPC errors mapped to typed errors.

:class:`GatewayClient` (blocking) and :class:`AsyncGatewayClient` (asyncio) expose the same methods and
share everything except the call itself; request building, signing and response parsing live in the
protocol modules and are used unchanged by both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import grpc
import grpc.aio
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2, gateway_pb2_grpc
from fabric_protos.peer import events_pb2, events_pb2_grpc

from fabric_gateway.errors import Operation, from_rpc_error


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


class GatewayClient(_ClientBase):
    """Blocking client over a ``grpc.Channel``."""

    def evaluate(
        self, request: gateway_pb2.EvaluateRequest, timeout: float | None = None
    ) -> gateway_pb2.EvaluateResponse:
        try:
            return self._gateway.Evaluate(request, timeout=self._deadline(timeout, self.timeouts.evaluate))
        except grpc.RpcError as e:
            raise from_rpc_error(e, Operation.EVALUATE, request.transaction_id) from e

    def endorse(self, request: gateway_pb2.EndorseRequest, timeout: float | None = None) -> gateway_pb2.EndorseResponse:
        try:
            return self._gateway.Endorse(request, timeout=self._deadline(timeout, self.timeouts.endorse))
        except grpc.RpcError as e:
            raise from_rpc_error(e, Operation.ENDORSE, request.transaction_id) from e

    def submit(self, request: gateway_pb2.SubmitRequest, timeout: float | None = None) -> gateway_pb2.SubmitResponse:
        try:
            return self._gateway.Submit(request, timeout=self._deadline(timeout, self.timeouts.submit))
        except grpc.RpcError as e:
            raise from_rpc_error(e, Operation.SUBMIT, request.transaction_id) from e

    def commit_status(
        self,
        request: gateway_pb2.SignedCommitStatusRequest,
        transaction_id: str,
        timeout: float | None = None,
    ) -> gateway_pb2.CommitStatusResponse:
        try:
            return self._gateway.CommitStatus(request, timeout=self._deadline(timeout, self.timeouts.commit_status))
        except grpc.RpcError as e:
            raise from_rpc_error(e, Operation.COMMIT_STATUS, transaction_id) from e

    def chaincode_events(
        self, request: gateway_pb2.SignedChaincodeEventsRequest, timeout: float | None = None
    ) -> Iterator[gateway_pb2.ChaincodeEventsResponse]:
        return self._gateway.ChaincodeEvents(request, timeout=self._deadline(timeout, self.timeouts.chaincode_events))

    def block_events(
        self, request: common_pb2.Envelope, timeout: float | None = None
    ) -> Iterator[events_pb2.DeliverResponse]:
        return self._deliver.Deliver(iter((request,)), timeout=self._deadline(timeout, self.timeouts.block_events))

    def filtered_block_events(
        self, request: common_pb2.Envelope, timeout: float | None = None
    ) -> Iterator[events_pb2.DeliverResponse]:
        return self._deliver.DeliverFiltered(
            iter((request,)), timeout=self._deadline(timeout, self.timeouts.block_events)
        )


class AsyncGatewayClient(_ClientBase):
    """asyncio client over a ``grpc.aio.Channel``."""

    async def evaluate(
        self, request: gateway_pb2.EvaluateRequest, timeout: float | None = None
    ) -> gateway_pb2.EvaluateResponse:
        try:
            return await self._gateway.Evaluate(request, timeout=self._deadline(timeout, self.timeouts.evaluate))
        except grpc.RpcError as e:
            raise from_rpc_error(e, Operation.EVALUATE, request.transaction_id) from e

    async def endorse(
        self, request: gateway_pb2.EndorseRequest, timeout: float | None = None
    ) -> gateway_pb2.EndorseResponse:
        try:
            return await self._gateway.Endorse(request, timeout=self._deadline(timeout, self.timeouts.endorse))
        except grpc.RpcError as e:
            raise from_rpc_error(e, Operation.ENDORSE, request.transaction_id) from e

    async def submit(
        self, request: gateway_pb2.SubmitRequest, timeout: float | None = None
    ) -> gateway_pb2.SubmitResponse:
        try:
            return await self._gateway.Submit(request, timeout=self._deadline(timeout, self.timeouts.submit))
        except grpc.RpcError as e:
            raise from_rpc_error(e, Operation.SUBMIT, request.transaction_id) from e

    async def commit_status(
        self,
        request: gateway_pb2.SignedCommitStatusRequest,
        transaction_id: str,
        timeout: float | None = None,
    ) -> gateway_pb2.CommitStatusResponse:
        try:
            return await self._gateway.CommitStatus(
                request, timeout=self._deadline(timeout, self.timeouts.commit_status)
            )
        except grpc.RpcError as e:
            raise from_rpc_error(e, Operation.COMMIT_STATUS, transaction_id) from e

    def chaincode_events(
        self, request: gateway_pb2.SignedChaincodeEventsRequest, timeout: float | None = None
    ) -> AsyncIterator[gateway_pb2.ChaincodeEventsResponse]:
        return self._gateway.ChaincodeEvents(request, timeout=self._deadline(timeout, self.timeouts.chaincode_events))

    def block_events(
        self, request: common_pb2.Envelope, timeout: float | None = None
    ) -> AsyncIterator[events_pb2.DeliverResponse]:
        return self._deliver.Deliver(iter((request,)), timeout=self._deadline(timeout, self.timeouts.block_events))

    def filtered_block_events(
        self, request: common_pb2.Envelope, timeout: float | None = None
    ) -> AsyncIterator[events_pb2.DeliverResponse]:
        return self._deliver.DeliverFiltered(
            iter((request,)), timeout=self._deadline(timeout, self.timeouts.block_events)
        )
