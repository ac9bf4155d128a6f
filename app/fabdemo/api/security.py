"""The web app's hardening, in one place: response headers, cross-site request refusal, join rate
limit and the upload size limit.

- Every response carries a Content-Security-Policy without inline script (pages load their data from
  ``<script type="application/json">`` blocks, which never run), ``nosniff``, a Referrer-Policy and
  ``frame-ancestors 'self'``: only this app may frame its pages (the audience view shows the scene's
  page in an iframe), no other site can.
- A state-changing request under ``/api`` must be JSON or carry the ``x-fabdemo-token`` header: a
  cross-site ``<form>`` can send neither. Multipart uploads (the document check) are the exception when
  they come from one of this app's pages (Origin, or else Referer, is this app); so are requests
  without a body, unless a browser says (Origin/Referer) they come from another site.
- ``/join`` attempts are limited per client address (a token cannot be guessed by trying).
- Uploads larger than :data:`MAX_UPLOAD` are refused with 413 before the body is read, or as soon as
  a body without a length goes over it.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict, deque
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fabdemo.service import ServiceError

MAX_UPLOAD = 20 * 1024 * 1024
UPLOAD_PATHS_SUFFIX = ("/certificates/check", "/documents/hash")
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TOKEN_HEADER = "x-fabdemo-token"
TOO_LARGE_ZH = f"文件大于 {MAX_UPLOAD // 1024 // 1024} MB"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # style attributes (org colours); no script can run from CSS
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "same-origin",
}


def too_large() -> HTTPException:
    """413, rendered by the app's HTTP error handler as a bilingual JSON error (code TOO_LARGE)."""
    return HTTPException(413, f"the file is larger than {MAX_UPLOAD // 1024 // 1024} MB")


class UploadLimit:
    """ASGI middleware: refuse upload bodies over :data:`MAX_UPLOAD` without buffering them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).endswith(UPLOAD_PATHS_SUFFIX):
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > MAX_UPLOAD + 64 * 1024:  # + multipart framing
            await _send_error(send, ServiceError("TOO_LARGE", str(too_large().detail), 413, message_zh=TOO_LARGE_ZH))
            return
        seen = 0
        exceeded = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_UPLOAD + 64 * 1024:
                exceeded = True
                raise too_large()  # stops the parser; whatever the app answers then is replaced below
            return message

        async def answering_send(message: Message) -> None:
            if not exceeded:
                await send(message)
            elif message["type"] == "http.response.start":
                await _send_error(
                    send, ServiceError("TOO_LARGE", str(too_large().detail), 413, message_zh=TOO_LARGE_ZH)
                )

        await self.app(scope, counting_receive, answering_send)


async def _send_error(send: Send, error: ServiceError) -> None:
    body = json.dumps(error.to_dict(), ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
    await send({"type": "http.response.start", "status": error.http_status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _same_origin(request: Request) -> bool:
    """The request comes from one of this app's pages: its Origin (or, without one, its Referer) is us."""
    own = (request.url.scheme, request.headers.get("host", ""))
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed:
        return False
    parts = urlsplit(claimed)
    return (parts.scheme, parts.netloc) == own


def _cross_origin(request: Request) -> bool:
    """A browser said the request comes from another site (browsers send Origin with every POST)."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    return bool(claimed) and not _same_origin(request)


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return (
        bool(request.headers.get("content-type"))
        or (length not in (None, "0"))
        or "transfer-encoding" in request.headers
    )


def cross_site_refusal(request: Request) -> ServiceError | None:
    """Why a state-changing ``/api`` request is refused as possibly cross-site, or None if it may go on.

    JSON and the token header are what a cross-site form cannot send. An upload must show it comes
    from one of this app's pages. A request without a body (``POST /api/presenter/next``) passes unless
    a browser says it comes from another site.
    """
    if request.method not in STATE_CHANGING or not request.url.path.startswith("/api/"):
        return None
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/json" or request.headers.get(TOKEN_HEADER):
        return None
    if _cross_origin(request) or (media_type == "multipart/form-data" and not _same_origin(request)):
        return ServiceError(
            "CROSS_SITE",
            "this request must come from one of this app's own pages (or carry the x-fabdemo-token header)",
            403,
            message_zh="此请求必须来自本应用自己的页面（或带 x-fabdemo-token 请求头）",
        )
    if media_type == "multipart/form-data" or not _has_body(request):
        return None
    return ServiceError(
        "UNSUPPORTED_MEDIA_TYPE",
        "send a JSON body (Content-Type: application/json) or the x-fabdemo-token header",
        415,
        message_zh="请发送 JSON 请求体（Content-Type: application/json）或 x-fabdemo-token 请求头",
    )


class AttemptLimiter:
    """At most ``limit`` attempts per client address in any ``window`` seconds (kept in memory)."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._attempts: dict[str, deque[float]] = defaultdict(deque)

    def check(self, client: str) -> None:
        now = time.monotonic()
        attempts = self._attempts[client]
        while attempts and now - attempts[0] > self.window:
            attempts.popleft()
        if len(attempts) >= self.limit:
            retry = int(self.window - (now - attempts[0])) + 1
            raise ServiceError(
                "RATE_LIMITED",
                f"too many join attempts from this address; try again in {retry} s",
                429,
                message_zh=f"此地址的加入尝试过多，请在 {retry} 秒后重试",
                params={"retryAfter": str(retry)},
            )
        attempts.append(now)


def add_security_headers(headers: Any) -> None:
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
