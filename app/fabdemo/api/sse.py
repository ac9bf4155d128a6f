"""Server-Sent Events streams of the app: one loop for every stream (blocks, alerts, presenter)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse

KEEPALIVE_SECONDS = 15.0
POLL_SECONDS = 1.0  # how often a stream checks whether the server is shutting down


def sse_response(
    request: Request,
    queue: asyncio.Queue[dict[str, Any]],
    unsubscribe: Callable[[], None],
    first: tuple[str, Any] | None = None,
    pick: Callable[[dict[str, Any]], tuple[str, Any]] = lambda m: (m["type"], m[m["type"]]),
) -> StreamingResponse:
    """Stream ``queue``'s messages as events; ``pick`` turns a message into (event name, data)."""

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 2000\n\n"
            if first is not None:
                yield f"event: {first[0]}\ndata: {json.dumps(first[1], ensure_ascii=False)}\n\n"
            idle = 0.0
            while not request.app.state.stopping():
                try:
                    message = await asyncio.wait_for(queue.get(), POLL_SECONDS)
                except TimeoutError:
                    idle += POLL_SECONDS
                    if idle >= KEEPALIVE_SECONDS:
                        idle = 0.0
                        yield ": keepalive\n\n"
                    continue
                idle = 0.0
                kind, data = pick(message)
                yield f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
        finally:
            unsubscribe()

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
