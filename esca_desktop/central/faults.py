"""Failures injected on purpose into bundle uploads, for the fault tests (never set in production).

`ESCA_CENTRAL_FAULTS` (read by `esca-central serve`) is a comma-separated list; each upload
(PUT /api/v1/submissions/…) takes the next entry, and uploads after the last one run normally:

- ``500``               answer 500 without storing anything;
- ``500-after-store``   store the submission, then answer 500 as if it had failed;
- ``cutoff``            store the submission, then cut the response off in the middle;
- ``delay:SECONDS``     read the whole upload, wait, then handle it (a slow or hanging server);
- ``ok``                handle normally (to skip a position in the list).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

FAULTS_ENV = "ESCA_CENTRAL_FAULTS"
UPLOAD_PREFIX = "/api/v1/submissions/"

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class InjectedCutoffError(Exception):
    """Raised after half a response was sent: the server closes the connection (a cut-off response)."""


def parse_faults(text: str) -> list[str]:
    faults = [item.strip() for item in text.split(",") if item.strip()]
    for fault in faults:
        kind, _, argument = fault.partition(":")
        if kind not in ("500", "500-after-store", "cutoff", "delay", "ok"):
            raise ValueError(f"{FAULTS_ENV}: unknown fault {fault!r}")
        if kind == "delay":
            float(argument)
    return faults


class FaultInjector:
    """ASGI middleware that applies the planned faults to uploads, one per upload."""

    def __init__(self, app: ASGIApp, faults: list[str]) -> None:
        self.app = app
        self._faults = list(faults)
        self._lock = threading.Lock()
        log.warning("fault injection is ON for uploads: %s", ", ".join(faults))

    def _next(self) -> str:
        with self._lock:
            return self._faults.pop(0) if self._faults else "ok"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        is_upload = (
            scope["type"] == "http" and scope["method"] == "PUT" and str(scope["path"]).startswith(UPLOAD_PREFIX)
        )
        if not is_upload:
            await self.app(scope, receive, send)
            return
        fault = self._next()
        kind, _, argument = fault.partition(":")
        if kind == "ok":
            await self.app(scope, receive, send)
            return
        body = await _read_all(receive)
        replay = _replay(body)
        if kind == "500":
            await _send_json(send, 500, {"detail": "injected fault: internal server error"})
        elif kind == "500-after-store":
            await self.app(scope, replay, _discard)
            await _send_json(send, 500, {"detail": "injected fault: internal server error after storing"})
        elif kind == "cutoff":
            await self.app(scope, replay, _cut_off(send))
        elif kind == "delay":
            await asyncio.sleep(float(argument))
            await self.app(scope, replay, send)


async def _read_all(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # like a client that keeps the connection open
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _discard(message: Message) -> None:
    return None


def _cut_off(send: Send) -> Send:
    async def cut(message: Message) -> None:
        if message["type"] == "http.response.start":
            await send(message)
        elif message["type"] == "http.response.body":
            body = message.get("body", b"")
            await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
            raise InjectedCutoffError("injected fault: response cut off")

    return cut


async def _send_json(send: Send, status: int, data: dict[str, Any]) -> None:
    body = json.dumps(data).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
