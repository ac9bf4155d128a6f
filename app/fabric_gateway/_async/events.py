"""Event streams over the long-running server streams of chaincode events and block events.

The requests and the decoding of the responses are in :mod:`fabric_gateway._common.events`.
"""

from __future__ import annotations

import asyncio  # unasync: async-only
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, TypeVar

import grpc

from fabric_gateway._common.events import _EventStreamBase
from fabric_gateway.errors import Operation

T = TypeVar("T")


class AsyncEventStream(_EventStreamBase[T], AsyncIterator[T]):
    """Iterator over a server stream; use it as a context manager or call :meth:`close`."""

    def __init__(self, call: Any, transform: Callable[[Any], Iterable[T]], operation: Operation) -> None:
        super().__init__(call, transform, operation)
        self._responses = call.__aiter__()

    def __aiter__(self) -> AsyncEventStream[T]:
        return self

    async def __anext__(self) -> T:
        while not self._pending:
            if self._closed:
                raise StopAsyncIteration
            try:
                response = await self._responses.__anext__()
            except StopAsyncIteration:
                self._closed = True
                raise
            except grpc.RpcError as e:
                error = self._error(e)
                if error is None:
                    raise StopAsyncIteration from None
                raise error from e
            except asyncio.CancelledError:  # unasync: async-only
                # grpc.aio raises CancelledError in a reader whose call was cancelled by close(); that ends
                # the iteration. Cancellation of the reading task itself propagates.
                task = asyncio.current_task()
                if self._closed and (task is None or not task.cancelling()):
                    raise StopAsyncIteration from None
                raise
            try:
                self._pending.extend(self._transform(response))
            except Exception:
                self.close()  # undecodable response or error status: the stream is done
                raise
        return self._pending.popleft()

    async def aclose(self) -> None:  # unasync: async-only
        """:meth:`close`, awaitable, as the asynchronous iterator protocol names it."""
        self.close()

    async def __aenter__(self) -> AsyncEventStream[T]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
