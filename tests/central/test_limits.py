"""What one client may take of the review service: no body read before the token is checked, every
body bounded, numbers in the address and in JSON bounded, slow and stalled clients cut off, failed
sign-ins and parallel uploads limited. Each runs the real service on 127.0.0.1 with the uvicorn
configuration of `esca-central serve`."""

from __future__ import annotations

import asyncio
import json
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from esca_desktop.central.app import create_app
from esca_desktop.central.cli import run as central_run
from esca_desktop.central.limits import Limits, ensure_file_handles, server_config
from esca_desktop.central.store import CentralStore
from tests.central.harness import central_users, free_port

UUID = "6f1c7a52-3d0e-4c43-9a51-1c2d3e4f5a6b"
WAIT = 30.0  # how long a test waits for the server to act before it counts as holding on for ever


@dataclass
class Service:
    url: str
    host: str
    port: int
    store: CentralStore
    database: Path
    assessor_token: str
    reviewer_token: str

    def api(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url + "/api/v1", headers=headers, timeout=WAIT)

    def connect(self) -> socket.socket:
        connection = socket.create_connection((self.host, self.port))
        connection.settimeout(WAIT)
        return connection

    def partial_uploads(self) -> list[Path]:
        return list(self.database.with_name(self.database.name + ".bundles").rglob("*.part"))


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Service]]:
    """Start the service with the given limits, the way `esca-central serve` runs it."""
    running: list[tuple[uvicorn.Server, threading.Thread, CentralStore]] = []

    def start(**limits: Any) -> Service:
        database = tmp_path / f"central{len(running)}" / "review.sqlite3"
        store = CentralStore.open(database)
        _, assessor_token, _, reviewer_token = central_users(store)
        port = free_port()
        app = create_app(store, max_body_bytes=8 << 20, limits=Limits(**limits))
        server = uvicorn.Server(server_config(app, "127.0.0.1", port, Limits(**limits), log_level="critical"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the service did not start"
            time.sleep(0.01)
        running.append((server, thread, store))
        return Service(f"http://127.0.0.1:{port}", "127.0.0.1", port, store, database, assessor_token, reviewer_token)

    yield start
    for server, thread, store in running:
        server.should_exit = True
        thread.join(timeout=15)
        store.close()


def request_head(method: str, path: str, token: str | None, *extra: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if token is not None:
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join([*lines, *extra]) + "\r\n\r\n").encode()


def read_response(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One response from a raw connection (status, headers, body); fails when none comes in WAIT s."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, f"the server closed the connection without an answer (got {data!r})"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (h.partition(":") for h in header_lines)}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = connection.recv(65536)
        assert chunk, "the answer was cut off"
        body += chunk
    return int(status_line.split()[1]), headers, body


def closed_by_server(connection: socket.socket) -> bool:
    try:
        while connection.recv(65536):
            pass
    except ConnectionResetError:
        pass
    return True


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


# --- no body before the token -------------------------------------------------------------------


def _asgi_request(app: Any, method: str, path: str, token: str, body: bytes = b"") -> tuple[int, int, bytes]:
    """Call the application directly; answers (status, how often it asked for the body, the answer)."""
    reads = 0
    status = 0
    answer = b""

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, answer
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            answer += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8750),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))
    return status, reads, answer


def test_no_endpoint_reads_the_body_before_the_token_and_role_are_checked(tmp_path: Path) -> None:
    store = CentralStore.open(tmp_path / "central.sqlite3")
    _, assessor_token, _, _ = central_users(store)
    app = create_app(store)
    schema = json.loads(_asgi_request(app, "GET", "/openapi.json", "")[2])
    body = json.dumps({"comments": {"B1.1": "x" * 1000}}).encode()
    checked, refused_roles = [], []
    for template, operations in schema["paths"].items():
        path = template.format(assessment_uuid=UUID, revision=1, catalog_id="bronze", version="2019.1")
        for method, operation in operations.items():
            if not operation.get("security"):
                continue  # /health, which needs no token
            status, reads, _ = _asgi_request(app, method.upper(), path, "esca_wrong", body)
            assert (status, reads) == (401, 0), (method, path)
            status, reads, _ = _asgi_request(app, method.upper(), path, assessor_token, body)
            if status == 403:  # a reviewer's endpoint
                assert reads == 0, (method, path)
                refused_roles.append(f"{method} {template}")
            checked.append(f"{method} {template}")
    assert "put /api/v1/submissions/{assessment_uuid}/{revision}" in checked
    assert "post /api/v1/submissions/{assessment_uuid}/{revision}/return" in refused_roles
    assert "post /api/v1/catalogs" in refused_roles
    store.close()


def test_a_bad_token_with_a_body_that_never_ends_is_answered_at_once(serve: Callable[..., Service]) -> None:
    service = serve()
    with service.connect() as connection:
        connection.sendall(
            request_head(
                "POST",
                f"/api/v1/submissions/{UUID}/1/return",
                "esca_wrong",
                "Content-Type: application/json",
                f"Content-Length: {300 << 20}",
            )
            + b'{"comments": {"B1.1": "'
        )
        status, headers, body = read_response(connection)  # while 300 MiB are still to come
    assert status == 401 and headers["www-authenticate"] == "Bearer"
    assert "not known to this server" in json.loads(body)["detail"]


def test_an_oversized_json_body_is_refused_before_it_is_sent(serve: Callable[..., Service]) -> None:
    service = serve()
    with service.connect() as connection:
        connection.sendall(
            request_head(
                "POST",
                f"/api/v1/submissions/{UUID}/1/return",
                service.reviewer_token,
                "Content-Type: application/json",
                f"Content-Length: {2 << 20}",
            )
        )
        status, _, body = read_response(connection)
    with service.api(service.reviewer_token) as api:
        streamed = api.post(
            f"/submissions/{UUID}/1/return", content=iter([b'{"comments": {"B1.1": "'] + [b"x" * 65536] * 32)
        )

    assert status == 413
    assert json.loads(body)["detail"] == (
        f"the request body has {2 << 20} bytes; this endpoint takes at most {1 << 20} bytes of JSON"
    )
    assert streamed.status_code == 413 and "bytes of JSON this endpoint takes" in streamed.json()["detail"]


def test_comments_are_bounded_in_number_and_length(serve: Callable[..., Service]) -> None:
    service = serve(max_comments=3, max_comment_chars=100)
    with service.api(service.reviewer_token) as api:
        many = api.post(f"/submissions/{UUID}/1/return", json={"comments": {f"B{i}.1": "x" for i in range(4)}})
        long = api.post(f"/submissions/{UUID}/1/return", json={"comments": {"B2.1": "x" * 101}})
        not_text = api.post(f"/submissions/{UUID}/1/return", json={"comments": {"B2.1": 5}})
        fine = api.post(f"/submissions/{UUID}/1/return", json={"comments": {"B2.1": "x" * 100}})

    assert many.status_code == 413
    assert many.json()["detail"] == "4 comments: a return takes at most 3 (one per indicator)"
    assert long.status_code == 413
    assert long.json()["detail"] == "the comment on B2.1 has 101 characters; a comment holds at most 100"
    assert not_text.status_code == 400 and "the comment on B2.1 is not text" in not_text.json()["detail"]
    assert fine.status_code == 404  # within the limits: on to the (missing) submission


# --- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b'{"comments": {"B1.1": NaN}}', "NaN at /comments/B1.1"),
        (b'{"comments": {"B1.1": "ok"}, "n": -Infinity}', "-Infinity at /n"),
        (b'{"comments": {"B1.1": 1e400}}', "1e400 at /comments/B1.1"),
        (b'{"comments": [1, 2, 99999999999999999999]}', "99999999999999999999 at /comments/2"),
        (b"-9223372036854775809", "-9223372036854775809 as its whole value: JSON numbers must be finite"),
        (b"[" * 100_000 + b"]" * 100_000, "the request body nests JSON too deeply"),
    ],
)
def test_numbers_json_does_not_allow_are_refused_with_where_they_are(
    serve: Callable[..., Service], body: bytes, where: str
) -> None:
    service = serve()
    with service.api(service.reviewer_token) as api:
        reply = api.post(f"/submissions/{UUID}/1/return", content=body, headers={"Content-Type": "application/json"})
    assert reply.status_code == 400, reply.text
    assert where in reply.json()["detail"]
    assert "nests" in where or "JSON numbers must be finite (no NaN or Infinity)" in reply.json()["detail"]


def test_numbers_beyond_64_bits_in_the_address_and_query_are_refused(serve: Callable[..., Service]) -> None:
    service = serve()
    huge = 2**63
    with service.api(service.reviewer_token) as reviewer, service.api(service.assessor_token) as assessor:
        replies = {
            "since": assessor.get("/reviews", params={"since": huge}),
            "since below": assessor.get("/reviews", params={"since": -(2**64)}),
            "show": reviewer.get(f"/submissions/{UUID}/{huge}"),
            "approve": reviewer.post(f"/submissions/{UUID}/{-huge - 1}/approve"),
            "bundle": reviewer.get(f"/submissions/{UUID}/{huge * 10**30}/bundle"),
            "upload": assessor.put(f"/submissions/{UUID}/{huge}", content=b"PK"),
        }
        largest = assessor.get("/reviews", params={"since": huge - 1})

    for name, reply in replies.items():
        assert reply.status_code == 400, (name, reply.text)
    assert replies["since"].json()["detail"] == (
        f"since='{huge}': use 0 (from the start) or the cursor this server sent, at most {huge - 1}"
    )
    assert replies["show"].json()["detail"] == f"revision '{huge}': revisions start at 1 and are at most {huge - 1}"
    assert largest.status_code == 200 and largest.json()["reviews"] == []


# --- slow clients -------------------------------------------------------------------------------


def test_headers_sent_byte_by_byte_are_cut_off(serve: Callable[..., Service]) -> None:
    service = serve(header_timeout=1)
    head = request_head("GET", "/api/v1/whoami", service.assessor_token, "X-Padding: " + "x" * 10_000)
    with service.connect() as connection:
        answer = b""
        for byte in head:  # a slow-loris: one byte at a time, never the end of the headers
            readable, _, _ = select.select([connection], [], [], 0.05)
            if readable:
                answer = connection.recv(65536)
                break
            connection.sendall(bytes([byte]))
        assert answer.startswith(b"HTTP/1.1 408 "), answer
        assert b"the request headers did not arrive within 1 seconds" in answer
        assert closed_by_server(connection)


def test_a_connection_that_sends_nothing_is_closed(serve: Callable[..., Service]) -> None:
    service = serve(header_timeout=1)
    with service.connect() as connection:
        assert connection.recv(65536) == b""  # closed, without a word


def _start_upload(service: Service, token: str, length: int) -> socket.socket:
    connection = service.connect()
    connection.sendall(
        request_head(
            "PUT",
            f"/api/v1/submissions/{UUID}/1",
            token,
            "Content-Type: application/vnd.esca.bundle+zip",
            f"Content-Length: {length}",
        )
        + b"PK\x03\x04"
    )
    return connection


def test_an_upload_at_a_trickle_is_aborted_and_its_partial_file_removed(serve: Callable[..., Service]) -> None:
    service = serve(min_body_rate=1000, body_rate_grace=0.5)
    with _start_upload(service, service.assessor_token, 1 << 20) as connection:
        wait_for(lambda: bool(service.partial_uploads()), "the upload did not begin")
        answer = None
        for _ in range(int(WAIT / 0.05)):  # 2 bytes every 50 ms: 40 bytes per second
            readable, _, _ = select.select([connection], [], [], 0.05)
            if readable:
                answer = read_response(connection)
                break
            connection.sendall(b"\0\0")
        assert answer is not None, "the trickling upload was never cut off"
        status, headers, body = answer
        assert status == 408 and headers["connection"] == "close"
        assert "slower than the 1000 this server needs; what arrived was discarded" in json.loads(body)["detail"]
        assert closed_by_server(connection)
    assert service.partial_uploads() == []
    assert service.store.count_submissions() == 0


def test_a_stalled_upload_is_aborted_and_its_partial_file_removed(serve: Callable[..., Service]) -> None:
    service = serve(body_idle_timeout=1)
    with _start_upload(service, service.assessor_token, 1 << 20) as connection:
        wait_for(lambda: bool(service.partial_uploads()), "the upload did not begin")
        status, _, body = read_response(connection)  # the client sends nothing more
    assert status == 408
    assert json.loads(body)["detail"] == (
        "no part of the request body arrived for 1 seconds; what arrived was discarded: check the "
        "connection and send it again"
    )
    assert service.partial_uploads() == []


# --- how much at once ---------------------------------------------------------------------------


def test_repeated_bad_tokens_are_answered_429_and_a_good_token_still_works(serve: Callable[..., Service]) -> None:
    service = serve()  # the default: 20 failures a minute
    with service.api("esca_wrong") as stranger, service.api(service.assessor_token) as assessor:
        first = [stranger.get("/whoami").status_code for _ in range(20)]
        refused = stranger.get("/whoami")
        unsigned = httpx.get(service.url + "/api/v1/benchmarks", timeout=WAIT)
        me = assessor.get("/whoami")

    assert first == [401] * 20
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("too many failed sign-ins from 127.0.0.1; wait ")
    assert unsigned.status_code == 429  # no token at all is a failure too
    assert me.status_code == 200 and me.json()["name"] == "Anna Assessor"


def test_an_account_sends_only_so_many_uploads_at_once(serve: Callable[..., Service]) -> None:
    service = serve(uploads_per_account=1)
    other, other_token = service.store.add_user("Otto Other", "assessor")
    with _start_upload(service, service.assessor_token, 1 << 20):
        wait_for(lambda: bool(service.partial_uploads()), "the first upload did not begin")
        with service.api(service.assessor_token) as api, service.api(other_token) as colleague:
            second = api.put(f"/submissions/{UUID}/1", content=b"PK\x03\x04 not a bundle")
            colleagues = colleague.put(f"/submissions/{UUID}/1", content=b"PK\x03\x04 not a bundle")
    assert second.status_code == 429 and second.headers["Retry-After"] == "10"
    assert second.json()["detail"] == (
        "Anna Assessor is already sending 1 upload at once; wait until one has finished, then send this one again"
    )
    assert colleagues.status_code == 422  # another account is not held up (its junk is refused on its merits)

    def free_again() -> bool:
        with service.api(service.assessor_token) as api:
            return api.put(f"/submissions/{UUID}/1", content=b"PK\x03\x04 junk").status_code != 429

    wait_for(free_again, "the broken-off upload kept its place")
    del other


def test_connections_beyond_the_limit_are_answered_503(serve: Callable[..., Service]) -> None:
    service = serve(max_connections=3)
    idle = [service.connect() for _ in range(2)]
    wait_for(lambda: _health(service) == 503, "a third connection was served")
    for connection in idle:
        connection.close()
    wait_for(lambda: _health(service) == 200, "the closed connections were still counted")


def _health(service: Service) -> int:
    with httpx.Client(timeout=WAIT) as client:
        return client.get(service.url + "/api/v1/health").status_code


# --- esca-central serve -------------------------------------------------------------------------


def _served_config(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> Any:
    configs = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda server, sockets=None: configs.append(server.config))
    assert central_run(["serve", *argv]) == 0
    return configs[0]


def test_serve_runs_with_safe_limits_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _served_config(monkeypatch, ["--db", str(tmp_path / "central.sqlite3")])
    assert (config.limit_concurrency, config.backlog, config.timeout_keep_alive) == (200, 128, 5)
    assert config.http.header_timeout == 20
    assert config.app.limits == Limits()


def test_serve_takes_every_limit_as_an_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _served_config(
        monkeypatch,
        [
            "--db",
            str(tmp_path / "central.sqlite3"),
            "--max-body-mb",
            "3",
            "--max-connections",
            "50",
            "--backlog",
            "64",
            "--keep-alive",
            "3",
            "--header-timeout",
            "7.5",
            "--body-timeout",
            "9",
            "--min-upload-rate",
            "500",
            "--uploads-per-account",
            "2",
            "--sign-in-failures",
            "5",
        ],
    )
    assert (config.limit_concurrency, config.backlog, config.timeout_keep_alive) == (50, 64, 3)
    assert config.http.header_timeout == 7.5
    assert config.app.limits == Limits(
        max_connections=50,
        backlog=64,
        keep_alive=3,
        header_timeout=7.5,
        body_idle_timeout=9,
        min_body_rate=500,
        uploads_per_account=2,
        auth_failures=5,
    )
    with pytest.raises(SystemExit):
        central_run(["serve", "--db", str(tmp_path / "central.sqlite3"), "--max-connections", "0"])


def test_serve_raises_the_open_file_limit_to_what_its_connections_need(monkeypatch: pytest.MonkeyPatch) -> None:
    resource = pytest.importorskip("resource")
    limits: dict[str, tuple[int, int]] = {}
    monkeypatch.setattr(resource, "getrlimit", lambda _kind: (256, 4096))
    monkeypatch.setattr(resource, "setrlimit", lambda _kind, values: limits.update(set=values))

    assert ensure_file_handles(Limits(max_connections=200)) is None
    assert limits["set"] == (464, 4096)  # a socket and an upload file per connection, and the database's

    monkeypatch.setattr(resource, "getrlimit", lambda _kind: (256, 300))
    assert ensure_file_handles(Limits(max_connections=200)) == (
        "only 300 open files are allowed (ulimit -n), and --max-connections 200 needs 464: lower "
        "--max-connections to 118 or raise the limit"
    )
