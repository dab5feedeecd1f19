"""Sync when things go wrong: the server killed in the middle of an upload, a 500, a timeout, a reply
cut off — each time no duplicate on the server, nothing lost on the desktop, and the next sync
completes. The server runs in its own process (so that it can be killed), with faults injected by
ESCA_CENTRAL_FAULTS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from esca_desktop.central.store import CentralStore
from esca_desktop.context import AppContext
from esca_desktop.domain.model import AssessmentStatus
from esca_desktop.services import sync as service
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.storage.sync_store import QUEUED, SENT
from esca_desktop.sync.client import HttpTransport, Timeouts
from tests.central.harness import NO_WAIT, ProcessServer, central_users, finalised_bronze, free_port

pytestmark = pytest.mark.slow


class Served:
    def __init__(self, database: Path, server: ProcessServer) -> None:
        self.database = database
        self.server = server

    def count(self) -> int:
        store = CentralStore.open(self.database)
        try:
            return store.count_submissions()
        finally:
            store.close()


@pytest.fixture
def serve(tmp_path: Path, desktop: AppContext) -> Iterator[Callable[[str], Served]]:
    """Start `esca-central serve` with the given faults, and sign the desktop in to it."""
    servers: list[ProcessServer] = []

    def start(faults: str = "") -> Served:
        database = tmp_path / "central.sqlite3"
        store = CentralStore.open(database)
        _, token, _, _ = central_users(store)
        store.close()
        server = ProcessServer(database, free_port(), faults).start()
        servers.append(server)
        service.login(desktop, server.url, token)
        return Served(database, server)

    yield start
    for server in servers:
        server.kill()


def assert_nothing_lost(desktop: AppContext, assessment_id: str) -> None:
    """The assessment is still finalised, still queued, its bundle kept for the next attempt."""
    item = service.sync_store(desktop).item(assessment_id, 1)
    assert item is not None and item.state == QUEUED and not item.fatal and item.last_error
    assert AssessmentService(desktop).get(assessment_id).status is AssessmentStatus.FINALISED
    assert service.bundle_path(desktop, assessment_id, 1).is_file()


def assert_sent_once(desktop: AppContext, served: Served, assessment_id: str) -> None:
    assert served.count() == 1
    item = service.sync_store(desktop).item(assessment_id, 1)
    assert item is not None and item.state == SENT
    assert AssessmentService(desktop).get(assessment_id).status is AssessmentStatus.SUBMITTED


def test_server_killed_in_the_middle_of_an_upload(desktop: AppContext, serve: Callable[[str], Served]) -> None:
    assessment_id = finalised_bronze(desktop, evidence_bytes=6 << 20)
    served = serve("")
    chunks = 0

    def kill_during_the_upload() -> bool:  # asked before each 1 MiB chunk of the body is sent
        nonlocal chunks
        chunks += 1
        if chunks == 3:
            served.server.kill()
        return False

    report = service.sync(desktop, cancel=kill_during_the_upload, options=NO_WAIT)

    assert chunks >= 3
    assert "cannot be reached" in report.stopped and "Nothing was lost: 1 upload(s) stay queued" in report.stopped
    assert not report.complete and report.uploaded == []
    assert_nothing_lost(desktop, assessment_id)
    assert served.count() == 0

    served.server.restart()
    again = service.sync(desktop, options=NO_WAIT)

    assert again.complete, again.as_json()
    assert [u.result for u in again.uploaded] == ["stored"]
    assert_sent_once(desktop, served, assessment_id)


def test_a_dead_server_is_reported_and_the_queue_stays(desktop: AppContext, serve: Callable[[str], Served]) -> None:
    first = finalised_bronze(desktop, name="Cluster Eins", country="DE")
    second = finalised_bronze(desktop, name="Cluster Zwei", country="DE")
    served = serve("")
    served.server.kill()

    report = service.sync(desktop, options=NO_WAIT)

    assert report.stopped.startswith(
        f"The review service cannot be reached (the review service at {served.server.url} cannot be reached"
    )
    assert "2 upload(s) stay queued" in report.stopped
    assert report.still_queued == 2
    assert [i.state for i in service.outbox(desktop)] == [QUEUED, QUEUED]
    item = service.sync_store(desktop).item(first, 1)
    assert item is not None and item.attempts == NO_WAIT.attempts_per_run and item.next_attempt_at is not None

    served.server.restart()
    again = service.sync(desktop, options=NO_WAIT)
    assert again.complete and sorted(u.assessment_id for u in again.uploaded) == sorted([first, second])


def test_a_500_is_retried_within_the_run(desktop: AppContext, serve: Callable[[str], Served]) -> None:
    assessment_id = finalised_bronze(desktop)
    served = serve("500")
    waits: list[float] = []

    report = service.sync(desktop, options=service.SyncOptions(sleep=waits.append))

    assert report.complete and [u.result for u in report.uploaded] == ["stored"]
    assert waits == [0.5]  # one backoff before the second try
    assert_sent_once(desktop, served, assessment_id)


def test_500s_through_the_whole_run_leave_it_queued_until_the_next_sync(
    desktop: AppContext, serve: Callable[[str], Served]
) -> None:
    assessment_id = finalised_bronze(desktop)
    served = serve("500,500,500")
    waits: list[float] = []

    report = service.sync(desktop, options=service.SyncOptions(sleep=waits.append))

    assert waits == [0.5, 1.0]  # exponential backoff, bounded tries per run
    [failure] = report.failed
    assert not failure.fatal and failure.reason == "injected fault: internal server error (HTTP 500)"
    assert_nothing_lost(desktop, assessment_id)
    assert served.count() == 0

    again = service.sync(desktop, options=NO_WAIT)
    assert again.complete
    assert_sent_once(desktop, served, assessment_id)


def test_a_500_after_the_server_stored_it_makes_no_duplicate(
    desktop: AppContext, serve: Callable[[str], Served]
) -> None:
    assessment_id = finalised_bronze(desktop)
    served = serve("500-after-store")

    report = service.sync(desktop, options=NO_WAIT)

    assert [u.result for u in report.uploaded] == ["already on the server"]
    assert_sent_once(desktop, served, assessment_id)


def test_a_reply_cut_off_after_the_server_stored_it_makes_no_duplicate(
    desktop: AppContext, serve: Callable[[str], Served]
) -> None:
    assessment_id = finalised_bronze(desktop)
    served = serve("cutoff")

    report = service.sync(desktop, options=NO_WAIT)

    assert report.complete
    assert [u.result for u in report.uploaded] == ["already on the server"]
    assert_sent_once(desktop, served, assessment_id)


def test_cut_off_replies_through_the_whole_run_then_the_next_sync_completes(
    desktop: AppContext, serve: Callable[[str], Served]
) -> None:
    assessment_id = finalised_bronze(desktop)
    served = serve("cutoff,cutoff,cutoff")

    report = service.sync(desktop, options=NO_WAIT)

    [failure] = report.failed
    assert "broke before the reply was complete" in failure.reason
    assert_nothing_lost(desktop, assessment_id)
    assert served.count() == 1  # stored by the first try; the desktop does not know yet

    again = service.sync(desktop, options=NO_WAIT)
    assert [u.result for u in again.uploaded] == ["already on the server"]
    assert_sent_once(desktop, served, assessment_id)


def test_a_timeout_is_retried_and_the_server_keeps_one_copy(
    desktop: AppContext, serve: Callable[[str], Served]
) -> None:
    assessment_id = finalised_bronze(desktop)
    served = serve("delay:2.5")  # the first upload hangs longer than the client waits

    report = service.sync(
        desktop, options=NO_WAIT, transport_factory=lambda url: HttpTransport(url, Timeouts(upload_read=1.0))
    )

    assert report.complete, report.as_json()
    assert len(report.uploaded) == 1
    assert_sent_once(desktop, served, assessment_id)


def test_timeouts_through_the_whole_run_stop_it_and_the_next_sync_completes(
    desktop: AppContext, serve: Callable[[str], Served]
) -> None:
    assessment_id = finalised_bronze(desktop)
    served = serve("delay:3,delay:3,delay:3")

    report = service.sync(
        desktop, options=NO_WAIT, transport_factory=lambda url: HttpTransport(url, Timeouts(upload_read=0.5))
    )

    assert "did not answer within 0.5 s" in report.stopped
    assert_nothing_lost(desktop, assessment_id)

    again = service.sync(desktop, options=NO_WAIT)
    assert again.complete
    assert_sent_once(desktop, served, assessment_id)
