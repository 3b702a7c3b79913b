"""ASGI middleware: body limits and JSON guards, request ids, access logs and metrics.

The body guard buffers the request body (bounded) before any route runs, so an oversized, deeply
nested or malformed body is refused with problem+json before the framework tries to parse it, and
no route ever sees half a body.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from openidv import errors
from openidv.config import Settings
from openidv.service.jsonguard import parse_json
from openidv.service.metrics import Metrics

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("openidv.access")
_MULTIPART_OVERHEAD = 64 * 1024
_BODY_METHODS = {"POST", "PUT", "PATCH"}
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _nul_in_target(scope: Scope) -> bool:
    """A NUL character in the (decoded) path or the query: no id or parameter of ours holds one,
    and PostgreSQL refuses it in text, so it is refused here for every store alike."""
    query = scope.get("query_string", b"") or b""
    return "\x00" in scope.get("path", "") or b"\x00" in query or b"%00" in query.lower()


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k.lower() == name:
            return str(v.decode("latin-1"))
    return None


async def send_problem(send: Send, exc: errors.OpenIDVError, instance: str | None = None) -> None:
    body = json.dumps(exc.to_problem(instance)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": exc.status,
            "headers": [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyGuard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def _limit_and_kind(self, scope: Scope) -> tuple[int, str]:
        ctype = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if ctype.startswith("multipart/form-data"):
            return self.settings.max_upload_bytes + _MULTIPART_OVERHEAD, "multipart"
        if ctype == "application/json" or ctype.endswith("+json"):
            return self.settings.max_json_bytes, "json"
        return self.settings.max_json_bytes, ctype or "none"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _nul_in_target(scope):
            await send_problem(send, errors.BadRequest("NUL characters are not accepted in the path or query"))
            return
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        limit, kind = self._limit_and_kind(scope)
        try:
            body = await self._read(scope, receive, limit)
            if body and kind not in ("json", "multipart"):
                raise errors.UnsupportedMediaType(
                    f"content type {kind!r} is not accepted; send application/json or multipart/form-data"
                )
            if kind == "json" and body:
                parse_json(body, self.settings.max_json_depth)
        except errors.OpenIDVError as exc:
            await send_problem(send, exc, scope.get("path"))
            return
        await self.app(scope, _replay(body), send)

    async def _read(self, scope: Scope, receive: Receive, limit: int) -> bytes:
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.isdigit():
                raise errors.BadRequest("Content-Length is not a number")
            if int(declared) > limit:
                raise errors.PayloadTooLarge(f"body of {declared} bytes exceeds the limit of {limit}")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise errors.BadRequest("client disconnected before sending the whole body")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise errors.PayloadTooLarge(f"body exceeds the limit of {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


class HeadAsGet:
    """HEAD answered as the GET it mirrors, without the body (RFC 9110 9.3.2): monitors and caches
    probe with HEAD, and FastAPI routes declare GET only (HEAD was a 405)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


class RequestContext:
    """Request id, one structured access-log line per request (no bodies, no personal data), metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # a caller's request id is echoed back and logged: only a plain token is taken as given
        given = _header(scope, b"x-request-id")
        request_id = given if given and _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = {"code": 500}
        start = time.perf_counter()

        async def send_wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapped)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe_request(scope["method"], template, status["code"], elapsed)
            access_log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "route": template,
                    "status": status["code"],
                    "duration_ms": round(elapsed * 1e3, 2),
                },
            )
