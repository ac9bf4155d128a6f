# Generated from app/fabric_gateway/_async/events.py by `python scripts/unasync.py` (`make fmt`): do not edit.
# Change the asyncio source and regenerate; `python scripts/unasync.py --check` (`make lint`) checks it.
"""Event streams over the long-running server streams of chaincode events and block events.

The requests and the decoding of the responses are in :mod:`fabric_gateway._common.events`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import grpc

from fabric_gateway._common.events import _EventStreamBase
from fabric_gateway.errors import Operation

T = TypeVar("T")


class EventStream(_EventStreamBase[T], Iterator[T]):
    """Iterator over a server stream; use it as a context manager or call :meth:`close`."""

    def __init__(self, call: Any, transform: Callable[[Any], Iterable[T]], operation: Operation) -> None:
        super().__init__(call, transform, operation)
        self._responses = call.__iter__()

    def __iter__(self) -> EventStream[T]:
        return self

    def __next__(self) -> T:
        while not self._pending:
            if self._closed:
                raise StopIteration
            try:
                response = self._responses.__next__()
            except StopIteration:
                self._closed = True
                raise
            except grpc.RpcError as e:
                error = self._error(e)
                if error is None:
                    raise StopIteration from None
                raise error from e
            try:
                self._pending.extend(self._transform(response))
            except Exception:
                self.close()  # undecodable response or error status: the stream is done
                raise
        return self._pending.popleft()

    def __enter__(self) -> EventStream[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
