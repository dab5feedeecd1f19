"""A server that accepts connections and never answers (a hotel network holding them): signing in and
syncing give up within the short reply timeout, say why, store nothing and lose nothing; and the
sync state (queued, sent, returned) is what the window shows."""

from __future__ import annotations

import threading

import pytest

from esca_desktop.context import AppContext
from esca_desktop.services import sync as service
from esca_desktop.storage.sync_store import QUEUED
from esca_desktop.sync.client import HttpTransport, SyncCancelled, SyncError, Timeouts
from tests.central.harness import NO_WAIT, Central, finalised_bronze
from tests.memory_keyring import InMemoryKeyring
from tests.sync.silent_server import SilentServer, silent_server

__all__ = ["silent_server"]  # the fixture, used below


def quick(url: str) -> HttpTransport:
    return HttpTransport(url, Timeouts(read=0.5))


def test_signing_in_to_a_silent_server_says_it_did_not_answer_and_stores_nothing(
    desktop: AppContext, silent_server: SilentServer, memory_keyring: InMemoryKeyring
) -> None:
    secrets = dict(memory_keyring.secrets)
    with pytest.raises(SyncError) as caught:
        service.login(desktop, silent_server.url, "esca_some-token", transport_factory=quick)
    assert caught.value.message.startswith(
        f"Cannot sign in. The server at {silent_server.url} did not answer within 0.5 s"
    )
    assert caught.value.message.endswith("Nothing was stored.")
    assert not service.status(desktop).server_url and memory_keyring.secrets == secrets


def test_a_sign_in_cancelled_while_waiting_stores_nothing_even_when_the_server_answers_later(
    desktop: AppContext, silent_server: SilentServer, memory_keyring: InMemoryKeyring
) -> None:
    secrets = dict(memory_keyring.secrets)
    cancelled = threading.Event()
    outcome: list[BaseException] = []

    def sign_in() -> None:
        try:
            service.login(desktop, silent_server.url, "esca_some-token", cancel=cancelled.is_set)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=sign_in)
    thread.start()
    while silent_server.connections == 0 and thread.is_alive():
        thread.join(0.01)
    cancelled.set()  # the person pressed Cancel while the server kept silent
    silent_server.answer(200, {"name": "Anna Assessor", "role": "assessor"})
    thread.join(10)

    assert len(outcome) == 1 and isinstance(outcome[0], SyncCancelled)
    assert not service.status(desktop).signed_in and memory_keyring.secrets == secrets


def test_sync_with_a_silent_server_stops_after_the_first_question_and_keeps_the_queue(
    desktop: AppContext, silent_server: SilentServer, memory_keyring: InMemoryKeyring
) -> None:
    assessment_id = finalised_bronze(desktop)
    service.sync_store(desktop).sign_in(silent_server.url, "Anna Assessor")
    memory_keyring.set_password(service.TOKEN_SERVICE, f"review-service-token/{silent_server.url}", "esca_x")

    report = service.sync(desktop, options=NO_WAIT, transport_factory=quick)

    assert report.stopped.startswith(f"The server at {silent_server.url} did not answer within 0.5 s")
    assert "Nothing was lost: 1 upload(s) stay queued" in report.stopped
    assert silent_server.connections == 1  # one quick question, not an upload that waits minutes for its reply
    [item] = service.outbox(desktop)
    assert (item.assessment_id, item.state, item.attempts) == (assessment_id, QUEUED, 0)
    assert service.overview(desktop).queued == 1


def test_the_overview_follows_an_assessment_from_queued_to_sent_to_returned(
    desktop: AppContext, central: Central
) -> None:
    assessment_id = finalised_bronze(desktop)
    assert service.overview(desktop, desktop.repository.list_summaries()).assessments[assessment_id].state == "queued"

    service.login(desktop, central.url, central.assessor_token)
    service.sync(desktop, options=NO_WAIT)
    sent = service.overview(desktop, desktop.repository.list_summaries())
    assert sent.assessments[assessment_id].state == "sent" and sent.queued == 0
    assert sent.state.last_sync_at is not None

    with central.api(central.reviewer_token) as api:
        api.post(f"/submissions/{assessment_id}/1/return", json={"comments": {"B2.2": "Show the contracts."}})
    service.sync(desktop, options=NO_WAIT)
    returned = service.overview(desktop, desktop.repository.list_summaries()).assessments[assessment_id]
    assert (returned.state, returned.comments, returned.revision) == ("returned", 1, 2)
