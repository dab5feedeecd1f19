"""The sync tables: an outbox row written in the very transaction that finalises, its states, the
reviewers' comments per revision, benchmark statistics, and the upgrade of a 0001 database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event

from esca_desktop.context import AppContext, open_context
from esca_desktop.domain.benchmarks import Quartiles
from esca_desktop.domain.model import AssessmentStatus
from esca_desktop.paths import backups_dir, database_path
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.storage import repository as repository_module
from esca_desktop.storage.database import HEAD_REVISION, MIGRATIONS_DIR, apply_pragmas
from esca_desktop.storage.sync_store import FAILED, QUEUED, SENDING, SENT, SyncStore
from tests.conftest import new_request


def finalise_gold(service: AssessmentService) -> str:
    """The Gold demo assessment is complete: it can be finalised as it is."""
    from esca_desktop.services.demo import create_demo_assessments

    assessment_id = create_demo_assessments(service)["gold"]
    service.open(assessment_id).finalise()
    return assessment_id


@pytest.fixture
def store(context: AppContext) -> SyncStore:
    return SyncStore(context.repository.engine, context.clock)


def test_finalising_queues_the_revision(service: AssessmentService, store: SyncStore) -> None:
    assessment_id = finalise_gold(service)

    [item] = store.outbox()
    assert (item.assessment_id, item.revision, item.state, item.attempts, item.fatal) == (
        assessment_id,
        1,
        QUEUED,
        0,
        False,
    )
    assert item.organisation == service.get(assessment_id).organisation.name


def test_a_finalisation_that_fails_queues_nothing(
    service: AssessmentService, store: SyncStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from esca_desktop.services.demo import create_demo_assessments

    assessment_id = create_demo_assessments(service)["gold"]
    interview = service.open(assessment_id)

    def broken_audit(*args: object, **kwargs: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(repository_module.AssessmentRepository, "_append_audit", broken_audit)
    with pytest.raises(OSError, match="disk full"):
        interview.finalise()

    assert store.outbox() == []
    assert service.get(assessment_id).status is AssessmentStatus.IN_PROGRESS


def test_each_finalised_revision_has_its_own_item(service: AssessmentService, store: SyncStore) -> None:
    assessment_id = finalise_gold(service)
    interview = service.open(assessment_id)
    interview.reopen()
    interview.finalise()

    assert [(i.revision, i.state) for i in store.outbox()] == [(1, QUEUED), (2, QUEUED)]


def test_outbox_states_and_requeue(service: AssessmentService, store: SyncStore, context: AppContext) -> None:
    assessment_id = finalise_gold(service)

    store.mark_sending(assessment_id, 1, attempts=1)
    assert [i.state for i in store.pending()] == [SENDING]  # an interrupted upload is sent again
    store.mark_retry(assessment_id, 1, "timeout", context.clock())
    assert [(i.state, i.last_error) for i in store.pending()] == [(QUEUED, "timeout")]
    store.mark_failed(assessment_id, 1, "conflict (HTTP 409)")
    assert store.pending() == []
    assert [(i.state, i.fatal) for i in store.outbox()] == [(FAILED, True)]
    assert store.requeue(assessment_id) == 1
    assert [(i.state, i.fatal, i.attempts) for i in store.pending()] == [(QUEUED, False, 0)]
    store.mark_sent(assessment_id, 1)
    assert store.pending() == [] and [i.state for i in store.outbox()] == [SENT]
    assert store.outbox(include_sent=False) == []


def test_reviewer_comments_of_the_latest_returned_revision_are_shown(
    service: AssessmentService, store: SyncStore
) -> None:
    assessment_id, _ = service.create(new_request())
    repository = service.repository
    assert repository.review_comments(assessment_id) == {}

    store.store_review_comments(assessment_id, 1, {"1.1.1": "old remark"}, "Rita", "2026-11-01T10:00:00+00:00")
    store.store_review_comments(
        assessment_id, 2, {"1.2.1": "Show the minutes.", "2.1.1": "Which year?"}, "Rita", "2026-11-20T10:00:00+00:00"
    )

    assert repository.review_comments(assessment_id) == {"1.2.1": "Show the minutes.", "2.1.1": "Which year?"}
    assert service.open(assessment_id).reviewer_comment("1.2.1") == "Show the minutes."


def test_a_reply_to_a_comment_is_kept_when_the_comments_arrive_again(
    service: AssessmentService, store: SyncStore
) -> None:
    assessment_id, _ = service.create(new_request())
    at = "2026-11-01T10:00:00+00:00"
    store.store_review_comments(assessment_id, 1, {"1.1.1": "Show the minutes.", "1.2.1": "Which year?"}, "Rita", at)
    service.repository.save_review_reply(assessment_id, 1, "1.1.1", "Attached.", True, "Anna")

    store.store_review_comments(assessment_id, 1, {"1.1.1": "Show the minutes."}, "Rita", at)  # the feed again

    [thread] = service.repository.review_threads(assessment_id)
    assert (thread.indicator_id, thread.reply, thread.resolved, thread.replied_by) == (
        "1.1.1",
        "Attached.",
        True,
        "Anna",
    )
    [entry] = [e for e in service.audit(assessment_id) if e.action == "review_reply"]
    assert (entry.actor, entry.target) == ("Anna", "1.1.1")


def test_a_0002_database_keeps_its_reviewer_comments_and_can_store_replies(data_dir: Path) -> None:
    from alembic import command
    from alembic.config import Config

    path = database_path(data_dir)
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002_sync")
    engine.dispose()
    with sqlite3.connect(path) as conn:  # foreign keys are off in a plain connection
        conn.execute(
            "INSERT INTO review_comment (assessment_id, revision, indicator_id, comment, reviewer, at) "
            "VALUES ('a', 1, 'B2.2', 'Check FTE.', 'Rita', '2026-11-01T10:00:00+00:00')"
        )

    open_context(data_dir).close()

    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT comment, reply, resolved, replied_by, replied_at FROM review_comment").fetchone()
    assert row == ("Check FTE.", "", 0, "", None)


def test_benchmarks_are_replaced_whole(store: SyncStore) -> None:
    first = [
        Quartiles("B1.4.committed_members", "sector:ict", 5, 20, 30, 40, 50, 60),
        Quartiles("B1.4.committed_members", "country:DE", 6, 10, 20, 30, 40, 50),
    ]
    assert store.replace_benchmarks(first) == 2
    assert store.benchmarks(["country:DE"]) == [first[1]]

    store.replace_benchmarks(first[:1])

    assert store.benchmarks() == first[:1]


def test_signing_in_to_another_server_restarts_its_review_feed(store: SyncStore) -> None:
    store.sign_in("https://a.example.org", "Anna")
    store.set_review_cursor(42)
    store.sign_out()
    assert not store.state().signed_in and store.state().review_cursor == 42

    store.sign_in("https://a.example.org", "Anna")
    assert store.state().review_cursor == 42
    store.sign_in("https://b.example.org", "Anna")
    assert (store.state().server_url, store.state().review_cursor) == ("https://b.example.org", 0)


def test_a_0001_database_is_upgraded_with_its_data_and_a_backup(data_dir: Path) -> None:
    from alembic import command
    from alembic.config import Config

    path = database_path(data_dir)
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", apply_pragmas)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001_initial")
    engine.dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001_initial"
        conn.execute(
            "INSERT INTO assessor_profile (id, name, email, expert_id, updated_at) "
            "VALUES (1, 'Anna', '', '', '2026-01-01')"
        )

    context = open_context(data_dir)
    context.close()

    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD_REVISION
        assert conn.execute("SELECT name FROM assessor_profile").fetchone()[0] == "Anna"
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"outbox", "review_comment", "benchmark_stat", "sync_state"} <= tables
    [backup] = backups_dir(data_dir).glob("*.sqlite3")
    assert backup.name.endswith(f"-before-{HEAD_REVISION}.sqlite3")


def test_submitting_marks_the_item_sent_in_the_same_transaction(service: AssessmentService, store: SyncStore) -> None:
    assessment_id = finalise_gold(service)

    service.repository.set_status(assessment_id, AssessmentStatus.SUBMITTED, "sync")

    [item] = store.outbox()
    assert (item.state, item.sent_at is not None) == (SENT, True)
