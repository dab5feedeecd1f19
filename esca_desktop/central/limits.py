"""What one client may take of the review service, and the code that holds it to that.

Three layers, outermost first:

- The HTTP protocol (`GuardedH11Protocol`, a subclass of uvicorn's h11 protocol): a client has
  `header_timeout` seconds, from connecting and from the end of each response, to send a request's
  complete headers (and to finish a body the service did not read); otherwise the connection is
  closed, with 408 when headers had begun. uvicorn has no such timeout of its own (its h11 protocol
  only times out idle keep-alive connections), so a client sending its headers byte by byte would
  hold a connection for ever. uvicorn itself bounds the rest: connections (`limit_concurrency`, 503
  beyond it), the listen queue (`backlog`), idle keep-alive (`timeout_keep_alive`) and the size of
  the headers (h11's 16 KiB).
- `Guard`, ASGI middleware around the API: it checks the bearer token from the headers alone
  before the application may read a byte of the body (401; 429 with Retry-After after too many
  failures from one client address), refuses a declared body larger than the endpoint takes
  (413), and hands the application a receive channel that stops at that size (413), when no byte
  arrives for `body_idle_timeout` seconds or the body arrives slower than `min_body_rate` (408).
- In the application: `UploadSlots` (concurrent uploads per account, 429) and `parse_json`
  (bounded, finite JSON bodies).

A timeout or a refusal discards what arrived: the upload's partial file is removed by the code that
receives it (it leaves its `with store.incoming()` with the exception).
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from collections import OrderedDict, defaultdict, deque
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from uvicorn.protocols.http.h11_impl import H11Protocol

from esca_desktop.central.errors import (
    AuthenticationError,
    CentralError,
    InvalidRequestError,
    RequestTimeoutError,
    TooLargeError,
    TooManyRequestsError,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_INT64 = 2**63 - 1
USER_KEY = "esca.user"  # where Guard leaves the authenticated user in the ASGI scope


@dataclass(frozen=True, slots=True)
class Limits:
    """The service's limits; the defaults suit a secretariat's server (`esca-central serve` options)."""

    json_body_bytes: int = 1 << 20  # any request body but a bundle's or a catalog's
    max_comments: int = 1000  # comments in one return (one per indicator)
    max_comment_chars: int = 10_000
    header_timeout: float = 20.0  # seconds for a request's headers (our own; uvicorn's h11 has none)
    body_idle_timeout: float = 30.0  # seconds without a byte of an unfinished body
    min_body_rate: int = 1024  # bytes per second a body must average ...
    body_rate_grace: float = 10.0  # ... after its first seconds
    uploads_per_account: int = 4  # bundles one account may send at the same time
    auth_failures: int = 20  # failed sign-ins from one client address ...
    auth_window: float = 60.0  # ... within this many seconds, then 429 until the window has passed
    max_connections: int = 200  # uvicorn limit_concurrency: more connections are answered 503
    keep_alive: int = 5  # uvicorn timeout_keep_alive, seconds
    backlog: int = 128  # uvicorn backlog: connections waiting to be accepted


DEFAULT_LIMITS = Limits()


def server_config(app: Any, host: str, port: int, limits: Limits, log_level: str = "info") -> uvicorn.Config:
    """The uvicorn configuration that serves `app` within `limits` (used by `esca-central serve`)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        http=guarded_protocol(limits.header_timeout),
        limit_concurrency=limits.max_connections,
        timeout_keep_alive=limits.keep_alive,
        backlog=limits.backlog,
    )


def ensure_file_handles(limits: Limits) -> str | None:
    """Raise the process's open-file limit so that every allowed connection can hold its socket and
    an upload file besides the database's (else a flood of uploads ends in failing token look-ups);
    a warning when the system's hard limit is too low, else None."""
    try:
        import resource
    except ImportError:  # Windows: no such limit to raise
        return None
    needed = 2 * limits.max_connections + 64
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return None
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft >= needed:
        return None
    return (
        f"only {soft} open files are allowed (ulimit -n), and --max-connections {limits.max_connections} needs "
        f"{needed}: lower --max-connections to {max(1, (soft - 64) // 2)} or raise the limit"
    )


# --- the HTTP protocol: a deadline for the headers ----------------------------------------------


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers."""

    header_timeout: float = DEFAULT_LIMITS.header_timeout

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_deadline: asyncio.TimerHandle | None = None
        self._deadline_cycle: object = None
        super().connection_made(transport)
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._header_deadline is not None and self.cycle is not self._deadline_cycle:
            self._cancel_header_deadline()  # a new request's headers are complete

    def on_response_complete(self) -> None:
        finished = self.cycle
        super().on_response_complete()
        if self.cycle is finished and not self.transport.is_closing():
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._cancel_header_deadline()
        self._deadline_cycle = self.cycle
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_late)

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_late(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing():
            return
        begun = self.conn.their_state is h11.IDLE and bool(self.conn.trailing_data[0])
        if begun:  # part of a request's headers arrived: say why the connection ends
            body = json.dumps(
                {
                    "detail": f"the request headers did not arrive within {self.header_timeout:g} seconds; "
                    "the connection was closed: send the request again"
                }
            ).encode()
            self.transport.write(
                b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body)
            )
        self.transport.close()


def guarded_protocol(header_timeout: float) -> type[GuardedH11Protocol]:
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"header_timeout": header_timeout})


# --- the ASGI guard: the token first, then a bounded body ---------------------------------------


@dataclass(frozen=True, slots=True)
class BodyLimit:
    bytes: int
    upload: bool  # a bundle or a catalog file (limited by --max-body-mb), else a JSON body


class FailedSignIns:
    """Failed sign-ins per client address in a sliding window (the newest `allowed` of each, for at
    most `addresses` addresses)."""

    def __init__(self, allowed: int, window: float, clock: Callable[[], float], addresses: int = 10_000) -> None:
        self.allowed = allowed
        self.window = window
        self.clock = clock
        self.addresses = addresses
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def wait(self, address: str) -> int | None:
        """Seconds until `address` may try again, or None when it may now."""
        failures = self._failures.get(address)
        if failures is None or len(failures) < self.allowed:
            return None
        left = failures[0] + self.window - self.clock()
        return max(1, math.ceil(left)) if left > 0 else None

    def record(self, address: str) -> None:
        failures = self._failures.pop(address, None) or deque(maxlen=max(1, self.allowed))
        failures.append(self.clock())
        self._failures[address] = failures
        while len(self._failures) > self.addresses:
            self._failures.popitem(last=False)


class Guard:
    """ASGI middleware: authentication from the headers, then a body within its limits."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        authenticate: Callable[[str | None], Any],
        needs_token: Callable[[str], bool],
        body_limit: Callable[[Scope], BodyLimit],
        limits: Limits,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.authenticate = authenticate
        self.needs_token = needs_token
        self.body_limit = body_limit
        self.limits = limits
        self.clock = clock
        self.failures = FailedSignIns(limits.auth_failures, limits.auth_window, clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()
        headers = Headers(scope=scope)
        if self.needs_token(str(scope["path"])):
            try:
                scope[USER_KEY] = await run_in_threadpool(self.authenticate, headers.get("authorization"))
            except AuthenticationError as exc:
                await error_response(self._failed_sign_in(scope, exc))(scope, receive, send)
                return
        limit = self.body_limit(scope)
        try:
            _refuse_declared_size(headers, limit)
        except CentralError as exc:
            await error_response(exc)(scope, receive, send)
            return
        body = BoundedBody(receive, limit, self.limits, self.clock, started)
        responded = False

        async def tracked_send(message: Message) -> None:
            nonlocal responded
            responded = True
            await send(message)

        try:
            await self.app(scope, body, tracked_send)
        except CentralError as exc:  # raised by the body outside the application's own error handling
            if responded:
                raise
            await error_response(exc)(scope, receive, send)

    def _failed_sign_in(self, scope: Scope, exc: AuthenticationError) -> CentralError:
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        wait = self.failures.wait(address)
        self.failures.record(address)
        if wait is None:
            return exc
        return TooManyRequestsError(
            f"too many failed sign-ins from {address}; wait {wait} seconds, then sign in with a valid API "
            "token (ask the secretariat for a new one)",
            retry_after=wait,
        )


def error_response(exc: CentralError) -> JSONResponse:
    return JSONResponse({"detail": exc.message}, status_code=exc.status_code, headers=exc.headers or None)


def _refuse_declared_size(headers: Headers, limit: BodyLimit) -> None:
    declared = headers.get("content-length")
    if declared is None:
        return
    try:
        size = int(declared)
    except ValueError:
        raise InvalidRequestError("the Content-Length header is not a number") from None
    if size > limit.bytes:
        if limit.upload:
            raise TooLargeError(
                f"the upload has {size} bytes; this server accepts at most {limit.bytes} "
                "(esca-central serve --max-body-mb)"
            )
        raise TooLargeError(
            f"the request body has {size} bytes; this endpoint takes at most {limit.bytes} bytes of JSON"
        )


class BoundedBody:
    """The receive channel the application gets: the body up to its limit, arriving in time."""

    def __init__(self, receive: Receive, limit: BodyLimit, limits: Limits, clock: Callable[[], float], started: float):
        self._receive = receive
        self.limit = limit
        self.limits = limits
        self.clock = clock
        self.started = started
        self.received = 0
        self.complete = False

    async def __call__(self) -> Message:
        if self.complete:  # after the body only a disconnect can come; waiting for it is no load
            return await self._receive()
        try:
            message = await asyncio.wait_for(self._receive(), self.limits.body_idle_timeout)
        except TimeoutError:
            raise RequestTimeoutError(
                f"no part of the request body arrived for {self.limits.body_idle_timeout:g} seconds; "
                "what arrived was discarded: check the connection and send it again"
            ) from None
        if message["type"] != "http.request":
            self.complete = True
            return message
        self.received += len(message.get("body", b""))
        if self.received > self.limit.bytes:
            self.complete = True
            if self.limit.upload:
                raise TooLargeError(
                    f"the upload is larger than the {self.limit.bytes} bytes this server accepts "
                    "(esca-central serve --max-body-mb)"
                )
            raise TooLargeError(
                f"the request body is larger than the {self.limit.bytes} bytes of JSON this endpoint takes"
            )
        if not message.get("more_body", False):
            self.complete = True
            return message
        elapsed = self.clock() - self.started
        needed = self.limits.min_body_rate * (elapsed - self.limits.body_rate_grace)
        if needed > 0 and self.received < needed:
            self.complete = True
            raise RequestTimeoutError(
                f"the request body arrives at {self.received / elapsed:.0f} bytes per second, slower than the "
                f"{self.limits.min_body_rate} this server needs; what arrived was discarded: send it again "
                "over a faster connection"
            )
        return message


# --- in the application -------------------------------------------------------------------------


class UploadSlots:
    """How many uploads each account sends at the same time."""

    RETRY_AFTER = 10

    def __init__(self, per_account: int) -> None:
        self.per_account = per_account
        self._active: defaultdict[int, int] = defaultdict(int)
        self._lock = threading.Lock()

    @contextmanager
    def taken_by(self, user: Any) -> Iterator[None]:
        with self._lock:
            active = self._active[user.id]
            if active >= self.per_account:
                raise TooManyRequestsError(
                    f"{user.name} is already sending {active} upload{'s' if active != 1 else ''} at once; wait "
                    "until one has finished, then send this one again",
                    retry_after=self.RETRY_AFTER,
                )
            self._active[user.id] += 1
        try:
            yield
        finally:
            with self._lock:
                self._active[user.id] -= 1
                if not self._active[user.id]:
                    del self._active[user.id]


class _Refused:
    """A JSON value refused while parsing (NaN, Infinity, a number too large); located afterwards."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _number(text: str) -> Any:
    if len(text) > 20:
        return _Refused(text[:20] + "…")
    value = int(text)
    return value if -MAX_INT64 - 1 <= value <= MAX_INT64 else _Refused(text)


def _float(text: str) -> Any:
    value = float(text)
    return value if math.isfinite(value) else _Refused(text if len(text) <= 20 else text[:20] + "…")


def parse_json(raw: bytes) -> Any:
    """A request body as JSON, refusing (400) what JSON does not allow and Python would accept:
    NaN, Infinity, numbers beyond 64 bits; the message says what and where."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequestError(f"the request body is not UTF-8 text (byte {exc.start}); send JSON") from None
    try:
        value = json.loads(text, parse_constant=_Refused, parse_int=_number, parse_float=_float)
    except json.JSONDecodeError as exc:
        raise InvalidRequestError(
            f"the request body is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise InvalidRequestError("the request body nests JSON too deeply") from None
    found = _first_refused(value)
    if found is not None:
        pointer, refused = found
        raise InvalidRequestError(
            f"the request body holds {refused.text} {f'at {pointer}' if pointer else 'as its whole value'}: "
            "JSON numbers must be finite "
            f"(no NaN or Infinity) and between {-MAX_INT64 - 1} and {MAX_INT64}"
        )
    return value


def _first_refused(value: Any) -> tuple[str, _Refused] | None:
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        pointer, item = stack.pop()
        if isinstance(item, _Refused):
            return pointer, item
        if isinstance(item, dict):
            children = [(f"{pointer}/{_escape(key)}", child) for key, child in item.items()]
        elif isinstance(item, list):
            children = [(f"{pointer}/{index}", child) for index, child in enumerate(item)]
        else:
            continue
        stack.extend(reversed(children))
    return None


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
