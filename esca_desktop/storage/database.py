"""Opens the SQLite store: durable pragmas on every connection, a backup, then migrations.

WAL with `synchronous=FULL` makes every commit durable (a power cut keeps every edit that was
reported as saved) and never corrupts the file. Alembic runs only when the schema is behind; a
database written by a newer program is refused before anything touches it.

The database file is owner-only (0600; SQLite gives its -wal and -shm files the same mode). A data
folder that cannot be written, or a full disk, is reported as what it is (`paths.DataFolderError`,
`paths.DiskFullError`), wherever SQLite notices it: on opening, in any statement, or at the commit.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from esca_desktop.errors import StoreError
from esca_desktop.paths import backups_dir, database_path, make_private_dir, open_private, tighten
from esca_desktop.storage.failures import report_storage_errors, sqlite_error
from esca_desktop.storage.repository import use_immediate_transactions

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
KNOWN_REVISIONS = (  # oldest first; the last is the head
    "0001_initial",
    "0002_sync",
    "0003_evidence_and_findings",
    "0004_signature_content",
    "0005_comment_replies",
    "0008_answer_drafts",
    "0009_assessment_archive",
    "0010_visit_sessions",
)
HEAD_REVISION = KNOWN_REVISIONS[-1]
BUSY_TIMEOUT_MS = 10_000


def apply_pragmas(dbapi_connection: Any, _record: Any = None) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def stored_revision(path: Path) -> str | None:
    """The schema revision recorded in the file, or None for a new or empty database."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            has_table = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            if not has_table:
                tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
                if tables:
                    raise StoreError(f"{path} is not an ESCA Assessor database (it has tables but no schema version)")
                return None
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise sqlite_error(exc, path.parent) or StoreError(f"{path} cannot be read as a database: {exc}") from None
    return row[0] if row else None


def backup_database(path: Path, data_dir: Path, reason: str, now: dt.datetime | None = None) -> Path:
    """Copy the database with SQLite's online backup API (consistent even with a WAL)."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = backups_dir(data_dir) / f"{path.stem}-{stamp}-{reason}.sqlite3"
    try:
        make_private_dir(target.parent)
        _create_private(target)
        with sqlite3.connect(path) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
    except (OSError, sqlite3.Error) as exc:
        raise sqlite_error(exc, data_dir) or exc from None
    return target


def _create_private(path: Path) -> None:
    """Make the (empty) file owner-only before SQLite writes into it; an existing one is tightened."""
    try:
        os.close(open_private(path))
    except FileExistsError:
        tighten(path)


def migrate(engine: Engine) -> None:
    from alembic import command  # imported only when a migration is due (≈ 0.2 s)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_engine(data_dir: Path, lang: str = "en") -> Engine:
    """Open (creating or upgrading) the store in `data_dir` and return its engine; messages about the
    folder (full, not writable) in `lang`."""
    path = database_path(data_dir)
    revision = stored_revision(path)
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise StoreError(
            f"{path} was written by a newer ESCA Assessor (schema {revision}); "
            f"this program understands up to {HEAD_REVISION}. Update the program to open it."
        )
    try:
        _create_private(path)
        for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if companion.exists():
                tighten(companion)
    except OSError as exc:
        raise sqlite_error(exc, data_dir, lang) or exc from None
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", apply_pragmas)
    report_storage_errors(engine, data_dir, lang)
    use_immediate_transactions(engine)
    if revision != HEAD_REVISION:
        if revision is not None:
            backup_database(path, data_dir, f"before-{HEAD_REVISION}")
        migrate(engine)
        reached = stored_revision(path)
        if reached != HEAD_REVISION:
            engine.dispose()
            raise StoreError(
                f"the database schema stopped at {reached} instead of {HEAD_REVISION}: the program's migration "
                "scripts are incomplete; reinstall ESCA Assessor (a backup was kept in backups/)"
            )
    return engine
