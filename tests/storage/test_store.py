"""The SQLite store: durable pragmas, migrations with a backup, refusing a newer database, and an
append-only audit trail whose hash chain detects edits and deletions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from esca_desktop.context import open_context
from esca_desktop.errors import StoreError
from esca_desktop.paths import backups_dir, database_path
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.storage.database import HEAD_REVISION
from tests.conftest import new_request


def test_database_uses_wal_full_sync_and_foreign_keys(service: AssessmentService) -> None:
    with service.repository.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_database_from_a_newer_program_is_refused_unchanged(data_dir: Path) -> None:
    open_context(data_dir).close()
    path = database_path(data_dir)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"newer ESCA Assessor .*9999_future"):
        open_context(data_dir)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused(data_dir: Path) -> None:
    database_path(data_dir).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot be read as a database"):
        open_context(data_dir)


def test_a_database_is_backed_up_before_it_is_migrated(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = open_context(data_dir)
    AssessmentService(ctx).create(new_request())
    ctx.close()
    import esca_desktop.storage.database as database

    calls: list[str] = []

    def fake_migration(engine: object) -> None:  # stands in for a future migration script
        calls.append("migrated")
        with sqlite3.connect(database_path(data_dir)) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '0003_next'")

    monkeypatch.setattr(database, "KNOWN_REVISIONS", (HEAD_REVISION, "0003_next"))
    monkeypatch.setattr(database, "HEAD_REVISION", "0003_next")
    monkeypatch.setattr(database, "migrate", fake_migration)
    database.open_engine(data_dir).dispose()
    backups = list(backups_dir(data_dir).glob("*.sqlite3"))
    assert calls == ["migrated"]
    assert len(backups) == 1 and "before-0003_next" in backups[0].name
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT count(*) FROM assessment").fetchone()[0] == 1


def test_a_migration_that_stops_short_is_refused(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_context(data_dir).close()
    import esca_desktop.storage.database as database

    monkeypatch.setattr(database, "KNOWN_REVISIONS", (HEAD_REVISION, "0003_next"))
    monkeypatch.setattr(database, "HEAD_REVISION", "0003_next")
    monkeypatch.setattr(database, "migrate", lambda engine: None)  # a script missing from the installation
    with pytest.raises(StoreError, match=r"stopped at .* instead of 0003_next: .*reinstall"):
        database.open_engine(data_dir)


def _edit_audit(path: Path, sql: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER audit_entry_no_update")
        conn.execute("DROP TRIGGER audit_entry_no_delete")
        conn.execute(sql)


def test_the_audit_trail_refuses_updates_and_deletes(service: AssessmentService, data_dir: Path) -> None:
    service.create(new_request())
    with sqlite3.connect(database_path(data_dir)) as conn:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE audit_entry SET actor = 'someone else'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM audit_entry")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE audit_entry SET new_json = '999' WHERE seq = 2", "entry 2: its content does not match"),
        ("DELETE FROM audit_entry WHERE seq = 2", "entry 3: the link to the previous entry is broken"),
        ("DELETE FROM audit_entry WHERE seq = 3", "newest entries were removed"),
    ],
)
def test_an_edited_or_deleted_audit_entry_is_detected(
    service: AssessmentService, data_dir: Path, sql: str, message: str
) -> None:
    assessment_id, _ = service.create(new_request())
    interview = service.open(assessment_id)
    interview.answer("1.1.2.participants", "40")
    interview.answer("1.1.2.participants", "41")
    assert service.verify_audit(assessment_id).ok
    _edit_audit(database_path(data_dir), sql)
    verification = service.verify_audit(assessment_id)
    assert not verification.ok
    assert message in verification.message


def test_every_change_is_in_the_audit_trail_with_old_and_new(service: AssessmentService) -> None:
    assessment_id, _ = service.create(new_request())
    interview = service.open(assessment_id)
    interview.answer("1.1.2.participants", "40")
    interview.answer("1.1.2.participants", "41")
    interview.set_note("1.2", "checked")
    entries = service.audit(assessment_id)
    assert [(e.action, e.target, e.old, e.new) for e in entries[1:]] == [
        ("answer", "1.1.2.participants", None, 40),
        ("answer", "1.1.2.participants", 40, 41),
        ("note", "1.2", "", "checked"),
    ]
    assert all(e.actor == "Test Assessor" for e in entries)
