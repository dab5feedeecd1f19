"""Talking to the central review service: the `SyncTransport` port, its HTTP adapter (the only place
on the desktop that imports httpx), and `ReviewServiceClient`, which turns replies into values or
into errors that say whether trying again can help.

- `NetworkError` (retryable): the server cannot be reached, did not answer in time, or the
  connection broke before the whole reply arrived (`kind` says which);

Every phase has a timeout (`Timeouts`), short where a live server answers at once: a server that
accepts the connection and never answers (a hotel or public network holding it until one logs in
in a browser) is given up within seconds, with a message that says so. Only the reply to an upload
may take long, because the server verifies the bundle before it answers.
- `ServerRefusal`: the server answered with an error; `retryable` for 5xx, 408 and 429, fatal for
  the rest (401/403 sign-in or permission, 409 conflict, 400/413/422 refused bundle …), with the
  server's own reason in `detail`;
- `SyncCancelled`: the person cancelled while an upload was being sent.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from esca_desktop import __version__
from esca_desktop.domain.benchmarks import Quartiles
from esca_desktop.errors import UserError
from esca_desktop.forms.values import msg

API = "/api/v1"
BUNDLE_MEDIA_TYPE = "application/vnd.esca.bundle+zip"
UPLOAD_CHUNK = 1 << 20
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})

Cancel = Callable[[], bool]


class SyncError(UserError):
    """Sync could not do something; the message says what and what to do."""


class NetworkError(SyncError):
    """No (complete) reply: unreachable, timed out, or cut off. Trying again later may help.

    Made by `of` (with the address and the system's reason), the error can say itself in another
    language: `text(lang)`."""

    def __init__(self, message: str, kind: str, url: str = "", reason: str = "", wording: str = "") -> None:
        super().__init__(message)
        self.kind = kind  # "unreachable" | "timeout" | "interrupted"
        self.url = url
        self.reason = reason
        self.wording = wording  # a key of _NETWORK_MESSAGES, or "" for a message of its own

    @classmethod
    def of(cls, wording: str, url: str, reason: str = "") -> NetworkError:
        kind = "interrupted" if wording == "failed" else "timeout" if wording.endswith("timeout") else wording
        return cls(network_message(wording, url, reason, "en"), kind, url, reason, wording)

    def text(self, lang: str) -> str:
        return network_message(self.wording, self.url, self.reason, lang) if self.wording else self.message


_NETWORK_MESSAGES = {
    # A wait that ran out is said as whole sentences ({reason} holds the seconds): a hotel network that
    # accepts the connection and never answers is common, and the person should know what to do.
    "read_timeout": (
        "The server at {url} did not answer within {reason} s: it accepted the connection but sent no reply. "
        "A hotel or public network often does this until you log in to it in a web browser; "
        "check the network, then try again.",
        "Der Server unter {url} hat nicht innerhalb von {reason} s geantwortet: Er hat die Verbindung "
        "angenommen, aber keine Antwort gesendet. Hotel- und öffentliche Netze tun das oft, bis man sich im "
        "Webbrowser bei ihnen anmeldet; prüfen Sie das Netz und versuchen Sie es dann erneut.",
    ),
    "write_timeout": (
        "The server at {url} did not take the upload within {reason} s: the connection is too slow or stalled. "
        "Try again on a better network.",
        "Der Server unter {url} hat die Übertragung nicht innerhalb von {reason} s angenommen: Die Verbindung "
        "ist zu langsam oder steht. Versuchen Sie es in einem besseren Netz erneut.",
    ),
    "connect_timeout": (
        "The server at {url} did not answer within {reason} s: no connection could be made. "
        "Check the address and the network, then try again.",
        "Der Server unter {url} hat nicht innerhalb von {reason} s geantwortet: Es kam keine Verbindung "
        "zustande. Prüfen Sie die Adresse und das Netz und versuchen Sie es dann erneut.",
    ),
    "unreachable": (
        "the review service at {url} cannot be reached ({reason})",
        "der Prüfdienst unter {url} ist nicht erreichbar ({reason})",
    ),
    "interrupted": (
        "the connection to {url} broke before the reply was complete ({reason})",
        "die Verbindung zu {url} brach ab, bevor die Antwort vollständig war ({reason})",
    ),
    "failed": ("the request to {url} failed ({reason})", "die Anfrage an {url} ist fehlgeschlagen ({reason})"),
}


def network_message(kind: str, url: str, reason: str, lang: str) -> str:
    en, de = _NETWORK_MESSAGES[kind]
    return msg(lang, en, de).format(url=url, reason=reason)


class ServerRefusal(SyncError):
    """The server answered with an error status and its reason."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{detail} (HTTP {status})")
        self.status = status
        self.detail = detail

    @property
    def retryable(self) -> bool:
        return self.status in RETRYABLE_STATUS or self.status >= 500


class SyncCancelled(SyncError):
    """The person cancelled; what was not completed stays queued."""


class InsecureServerError(SyncError):
    """A plain http:// address of another computer: the token would travel unencrypted."""


def normalise_server_url(text: str, lang: str = "en") -> str:
    """``https://host[:port][/prefix]`` without a trailing slash; refuses anything else (saying so in `lang`)."""
    url = text.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SyncError(
            msg(
                lang,
                f"{text!r} is not a server address: write it like https://review.example.org",
                f"{text!r} ist keine Serveradresse: schreiben Sie sie wie https://review.example.org",
            )
        )
    if parts.query or parts.fragment:
        raise SyncError(
            msg(
                lang,
                f"{text!r}: the server address must not have a query or fragment",
                f"{text!r}: die Serveradresse darf weder Abfrage (?) noch Fragment (#) enthalten",
            )
        )
    return url


def is_loopback_url(url: str) -> bool:
    """The address names this computer: localhost, 127.0.0.0/8 or ::1."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_insecure_http(url: str, allow_insecure_http: bool = False, lang: str = "en") -> None:
    """Refuse a plain http:// address of another computer (the token and the assessments would travel
    in clear), unless the person explicitly allowed it; a server on this computer may use http://."""
    if urlsplit(url).scheme != "http" or allow_insecure_http or is_loopback_url(url):
        return
    secure = "https://" + url.removeprefix("http://")
    raise InsecureServerError(
        msg(
            lang,
            f"{url} is a plain http:// address: the sign-in token and the assessments would travel "
            f"unencrypted. Use the service's https:// address (e.g. {secure}); only a server on this "
            "computer (localhost, 127.0.0.1, ::1) is reached over http://. On a network you trust, "
            "'esca-desktop login --allow-insecure-http' allows it",
            f"{url} ist eine unverschlüsselte http://-Adresse: das Anmelde-Token und die Bewertungen "
            f"würden unverschlüsselt übertragen. Verwenden Sie die https://-Adresse des Dienstes (z. B. "
            f"{secure}); nur ein Server auf diesem Rechner (localhost, 127.0.0.1, ::1) wird über http:// "
            "erreicht. In einem vertrauenswürdigen Netz erlaubt 'esca-desktop login --allow-insecure-http' "
            "es trotzdem",
        )
    )


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    content: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return json.loads(self.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ServerRefusal(
                self.status, "the server's reply is not JSON; is this an ESCA review service?"
            ) from None

    @property
    def detail(self) -> str:
        """The server's reason for an error status, as readable as the reply allows."""
        try:
            data = json.loads(self.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            text = self.content[:300].decode("utf-8", "replace").strip()
            return text or f"the server answered {self.status} without a reason"
        detail = data.get("detail") if isinstance(data, dict) else None
        if isinstance(detail, str):
            return detail
        if isinstance(detail, list):  # FastAPI's validation errors
            return "; ".join(str(item.get("msg", item)) if isinstance(item, dict) else str(item) for item in detail)
        return f"the server answered {self.status}"


class SyncTransport(Protocol):
    """Sends one request to the review service and returns its reply, or raises `NetworkError`."""

    base_url: str

    def send(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        params: Mapping[str, str | int] | None = None,
        content: bytes | Path | None = None,
        media_type: str | None = None,
        cancel: Cancel | None = None,
    ) -> Reply: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to wait for each phase of a request."""

    connect: float = 5.0  # a reachable server accepts at once
    read: float = 15.0  # the reply to a question (sign-in, reviews, catalogs, statistics)
    upload_read: float = 120.0  # the reply to an upload: the server verifies a large bundle first
    write: float = 60.0  # sending a piece of an upload
    pool: float = 5.0


class HttpTransport:
    """`SyncTransport` over HTTP(S) with httpx: timeouts on every phase, one pooled connection."""

    def __init__(self, base_url: str, timeouts: Timeouts = Timeouts(), verify: bool | str = True) -> None:
        self.base_url = normalise_server_url(base_url)
        self.timeouts = timeouts
        self._client = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(
                connect=timeouts.connect, read=timeouts.read, write=timeouts.write, pool=timeouts.pool
            ),
            headers={"User-Agent": f"esca-desktop/{__version__}"},
            verify=verify,
            follow_redirects=False,
        )

    def send(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        params: Mapping[str, str | int] | None = None,
        content: bytes | Path | None = None,
        media_type: str | None = None,
        cancel: Cancel | None = None,
    ) -> Reply:
        """Send a request; `content` may be a file, which is then sent piece by piece, never whole in memory."""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body: bytes | Iterator[bytes] | None = None
        if isinstance(content, Path):
            try:
                headers["Content-Length"] = str(content.stat().st_size)
            except OSError as exc:
                raise SyncError(f"{content} cannot be read ({exc.strerror or exc})") from None
            body = _file_chunks(content, cancel or (lambda: False))
        elif content is not None:
            body = content
            if cancel is not None and len(content) > UPLOAD_CHUNK:
                headers["Content-Length"] = str(len(content))
                body = _chunks(content, cancel)
        if content is not None:
            headers["Content-Type"] = media_type or "application/octet-stream"
        # A request with a body is an upload: its reply waits for the server to verify the bundle.
        read = self.timeouts.read if content is None else self.timeouts.upload_read
        timeout = httpx.Timeout(
            connect=self.timeouts.connect, read=read, write=self.timeouts.write, pool=self.timeouts.pool
        )
        try:
            response = self._client.request(method, path, params=params, content=body, headers=headers, timeout=timeout)
        except SyncCancelled:
            raise
        except httpx.TimeoutException as exc:
            wording, seconds = self._timeout_of(exc, read)
            raise NetworkError.of(wording, self.base_url, f"{seconds:g}") from None
        except httpx.ConnectError as exc:
            raise NetworkError.of("unreachable", self.base_url, _reason(exc)) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.NetworkError) as exc:
            raise NetworkError.of("interrupted", self.base_url, _reason(exc)) from None
        except httpx.HTTPError as exc:
            raise NetworkError.of("failed", self.base_url, _reason(exc)) from None
        return Reply(response.status_code, response.content, dict(response.headers))

    def _timeout_of(self, exc: httpx.TimeoutException, read: float) -> tuple[str, float]:
        """Which wait ran out (a wording of `_NETWORK_MESSAGES`) and how long it was."""
        if isinstance(exc, httpx.ReadTimeout):
            return "read_timeout", read
        if isinstance(exc, httpx.WriteTimeout):
            return "write_timeout", self.timeouts.write
        return "connect_timeout", self.timeouts.connect

    def close(self) -> None:
        self._client.close()


def _chunks(content: bytes, cancel: Cancel) -> Iterator[bytes]:
    view = memoryview(content)
    for start in range(0, len(content), UPLOAD_CHUNK):
        if cancel():
            raise SyncCancelled("sync cancelled during an upload; it stays queued")
        yield view[start : start + UPLOAD_CHUNK]  # type: ignore[misc]  # bytes-like: no copy here


def _file_chunks(path: Path, cancel: Cancel) -> Iterator[bytes]:
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(UPLOAD_CHUNK):  # each a bytes object: sent as it is, not copied again
                if cancel():
                    raise SyncCancelled("sync cancelled during an upload; it stays queued")
                yield chunk
    except OSError as exc:
        raise SyncError(f"{path} cannot be read ({exc.strerror or exc})") from None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    cause = exc.__cause__ or exc.__context__
    while not text and cause is not None:
        text = str(cause).strip()
        cause = cause.__cause__ or cause.__context__
    return text or type(exc).__name__


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class UploadReceipt:
    created: bool  # False: the server already had this revision (nothing changed)
    status: str


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    cursor: int
    assessment_id: str
    revision: int
    status: str  # "approved" | "returned"
    reviewer: str
    at: str
    comments: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class PublishedCatalog:
    catalog_id: str
    version: str
    content_hash: str


class ReviewServiceClient:
    """The review service's API as methods; every error is a `SyncError` subclass."""

    def __init__(self, transport: SyncTransport, token: str) -> None:
        self.transport = transport
        self.token = token

    def _call(self, method: str, path: str, ok: tuple[int, ...] = (200,), **kwargs: Any) -> Reply:
        reply = self.transport.send(method, API + path, token=self.token, **kwargs)
        if reply.status not in ok:
            raise ServerRefusal(reply.status, reply.detail)
        return reply

    def whoami(self) -> Account:
        reply = self._call("GET", "/whoami")
        return _decode(reply, lambda data: Account(str(data["name"]), str(data["role"])))

    def upload(
        self, assessment_id: str, revision: int, content: bytes | Path, cancel: Cancel | None = None
    ) -> UploadReceipt:
        """Send a bundle (its bytes, or its file, which is then streamed)."""
        reply = self._call(
            "PUT",
            f"/submissions/{quote(assessment_id)}/{revision}",
            ok=(200, 201),
            content=content,
            media_type=BUNDLE_MEDIA_TYPE,
            cancel=cancel,
        )
        return _decode(reply, lambda data: UploadReceipt(reply.status == 201, str(data["submission"]["status"])))

    def reviews(self, since: int) -> tuple[list[ReviewDecision], int, bool]:
        def build(data: Any) -> tuple[list[ReviewDecision], int, bool]:
            decisions = [
                ReviewDecision(
                    int(r["cursor"]),
                    str(r["assessment"]),
                    int(r["revision"]),
                    str(r["status"]),
                    str(r["reviewer"]),
                    str(r["at"]),
                    {str(k): str(v) for k, v in r["comments"].items()},
                )
                for r in data["reviews"]
            ]
            return decisions, int(data["cursor"]), bool(data["more"])

        return _decode(self._call("GET", "/reviews", params={"since": since}), build)

    def catalogs(self) -> list[PublishedCatalog]:
        return _decode(
            self._call("GET", "/catalogs"),
            lambda data: [PublishedCatalog(str(c["id"]), str(c["version"]), str(c["hash"])) for c in data["catalogs"]],
        )

    def catalog_content(self, catalog_id: str, version: str) -> bytes:
        return self._call("GET", f"/catalogs/{quote(catalog_id, safe='')}/{quote(version, safe='')}").content

    def benchmarks(self) -> list[Quartiles]:
        return _decode(
            self._call("GET", "/benchmarks"),
            lambda data: [
                Quartiles(
                    str(s["field"]),
                    str(s["group"]),
                    int(s["count"]),
                    float(s["min"]),
                    float(s["q1"]),
                    float(s["median"]),
                    float(s["q3"]),
                    float(s["max"]),
                )
                for s in data["stats"]
            ],
        )


T = TypeVar("T")


def _decode(reply: Reply, build: Callable[[Any], T]) -> T:
    """Build a value from a JSON reply; a reply of another shape is the server's fault, said so."""
    data = reply.json()
    try:
        return build(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ServerRefusal(
            reply.status,
            f"the server's reply has an unexpected shape ({type(exc).__name__}: "
            f"{exc}); is this an ESCA review service of a matching version?",
        ) from None
