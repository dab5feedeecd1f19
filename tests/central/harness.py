"""The pieces of the sync tests: the real review service on 127.0.0.1 (in a thread, or in a process
that a test can kill), desktops with an assessor identity, and finalised Bronze assessments."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from esca_desktop.central.app import create_app
from esca_desktop.central.store import CentralStore, User
from esca_desktop.context import AppContext, open_context
from esca_desktop.domain.model import Organisation
from esca_desktop.resources import resource
from esca_desktop.services.assessments import AssessmentService, NewAssessment
from esca_desktop.services.signing import identity_store
from esca_desktop.services.sync import SyncOptions
from tests.memory_keyring import InMemoryKeyring, install_memory_keyring

# The Bronze sample leaves two fields open; these complete it so that it can be finalised.
BRONZE_COMPLETION = {"B6.5.joined": 6, "B6.5.left": 2}
NO_WAIT = SyncOptions(sleep=lambda _seconds: None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, timeout: float = 20.0, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"the server exited with {process.returncode}: {process.stderr.read()!r}"
                if process.stderr
                else f"the server exited with {process.returncode}"
            )
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the review service at {url} did not come up within {timeout} s")


class ThreadServer:
    """The real service (uvicorn, real sockets) in a thread of the test process."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"central-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the review service thread did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


class ProcessServer:
    """`esca-central serve` in its own process, so that a test can kill it like a power cut."""

    def __init__(self, database: Path, port: int | None = None, faults: str = "") -> None:
        self.database = database
        self.port = port or free_port()
        self.faults = faults
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ProcessServer:
        env = {**os.environ, "ESCA_CENTRAL_FAULTS": self.faults}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "esca_desktop.central.cli",
                "serve",
                "--db",
                str(self.database),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "critical",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_until_up(self.url, process=self.process)
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()

    def restart(self, faults: str = "") -> ProcessServer:
        self.kill()
        self.faults = faults
        for _ in range(50):  # the port may linger a moment after a kill
            try:
                return self.start()
            except RuntimeError:
                time.sleep(0.1)
        raise RuntimeError("the review service did not restart")


@dataclass
class Central:
    """A running review service with one assessor and one reviewer."""

    store: CentralStore
    url: str
    database: Path
    assessor: User
    assessor_token: str
    reviewer: User
    reviewer_token: str

    def api(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url + "/api/v1", headers=headers, timeout=30)


def central_users(store: CentralStore) -> tuple[User, str, User, str]:
    assessor, assessor_token = store.add_user("Anna Assessor", "assessor")
    reviewer, reviewer_token = store.add_user("Rita Reviewer", "reviewer")
    return assessor, assessor_token, reviewer, reviewer_token


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryKeyring]:
    yield from install_memory_keyring(monkeypatch)


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    """The real review service on 127.0.0.1, in a thread, over a SQLite file."""
    database = tmp_path / "central" / "review.sqlite3"
    store = CentralStore.open(database)
    users = central_users(store)
    server = ThreadServer(create_app(store)).start()
    yield Central(store, server.url, database, *users)
    server.stop()
    store.close()


def make_desktop(folder: Path, name: str = "Anna Assessor", email: str = "anna@example.org") -> AppContext:
    """A desktop data folder with an assessor identity (passphrase in the keyring)."""
    context = open_context(folder)
    context.set_actor(name)
    identity_store(context).create(name, email)
    return context


@pytest.fixture
def desktop(tmp_path: Path, memory_keyring: InMemoryKeyring) -> Iterator[AppContext]:
    context = make_desktop(tmp_path / "desktop")
    yield context
    context.close()


def bronze_sample_answers() -> dict[str, Any]:
    sample = json.loads(resource("samples", "bronze.json").read_text(encoding="utf-8"))
    return {**sample["answers"], **BRONZE_COMPLETION}


def finalised_bronze(
    context: AppContext,
    name: str = "Ελληνικό Σύμπλεγμα Τροφίμων",
    country: str = "GR",
    sector: str = "food",
    answers: Mapping[str, Any] | None = None,
    evidence_bytes: int = 0,
) -> str:
    """A complete Bronze assessment (with `evidence_bytes` of incompressible evidence), finalised —
    which queues it in the outbox."""
    service = AssessmentService(context)
    assessment_id, _ = service.create(
        NewAssessment("bronze", Organisation(name, country, sector=sector), assessors=("Anna Assessor",))
    )
    interview = service.open(assessment_id)
    interview.answer_many({**bronze_sample_answers(), **(answers or {})})
    if evidence_bytes:
        source = context.data_dir / "incoming" / f"minutes-{assessment_id[:8]}.bin"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(os.urandom(evidence_bytes))
        interview.add_evidence(source, "Minutes of the board", ["B1.1"])
    interview.finalise()
    return assessment_id


def matches(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None
