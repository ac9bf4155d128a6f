"""Thin RPC layer over a ``grpc.aio.Channel``: default deadlines, and gRPC errors mapped to typed errors.

Request building, signing and response parsing live in :mod:`fabric_gateway._common`; only the calls are here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import grpc.aio
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import events_pb2

from fabric_gateway._common.client import _ClientBase
from fabric_gateway.errors import Operation, from_rpc_error


class AsyncGatewayClient(_ClientBase):
    """The Gateway and Deliver RPCs over a ``grpc.aio.Channel``."""

    channel: grpc.aio.Channel

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
        deadline = self._deadline(timeout, self.timeouts.commit_status)
        try:
            return await self._gateway.CommitStatus(request, timeout=deadline)
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
