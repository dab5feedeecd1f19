"""The data folder when things go wrong around it: read-only, full, world-readable.

Tests run as root in CI, where a folder's mode does not stop a write; so the failures are made where
SQLite and the file system would report them: SQLite's own `query_only` and `max_page_count` give the
real SQLITE_READONLY and SQLITE_FULL, and an OSError is injected where the operating system raises it.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import esca_desktop.storage.database as database
from esca_desktop.cli import run
from esca_desktop.context import open_context
from esca_desktop.errors import StoreError
from esca_desktop.paths import database_path, evidence_dir, resolve_data_dir
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.storage.database import stored_revision
from tests.conftest import new_request

ROOT = Path(__file__).resolve().parents[2]


def _with_pragma(monkeypatch: pytest.MonkeyPatch, pragma: str) -> None:
    """Every new connection of the store also runs `pragma` (after the store's own pragmas)."""
    original = database.apply_pragmas

    def pragmas(dbapi_connection: Any, record: Any = None) -> None:
        original(dbapi_connection, record)
        dbapi_connection.execute(pragma)

    monkeypatch.setattr(database, "apply_pragmas", pragmas)


def _sqlite_error(code: int, name: str, text: str) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(text)
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    error.sqlite_errorname = name  # type: ignore[attr-defined]
    return error


def _store_with_one_assessment(data_dir: Path) -> str:
    context = open_context(data_dir)
    try:
        return AssessmentService(context).create(new_request())[0]
    finally:
        context.close()


# --- read-only --------------------------------------------------------------------------------------


def test_a_change_in_a_read_only_store_says_the_folder_cannot_be_written(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assessment_id = _store_with_one_assessment(data_dir)
    _with_pragma(monkeypatch, "PRAGMA query_only=ON")  # SQLite then answers SQLITE_READONLY, as for a read-only file
    context = open_context(data_dir)
    try:
        with pytest.raises(StoreError) as error:  # even reading: the WAL needs its -shm file written
            interview = AssessmentService(context).open(assessment_id)
            interview.set_note(interview.catalog.indicators[0].id, "seen the strategy paper")
    finally:
        context.close()
    message = str(error.value)
    assert str(data_dir) in message and "cannot be written" in message and "--data-dir" in message


def test_a_read_only_folder_is_named_when_the_store_opens(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _store_with_one_assessment(data_dir)

    def read_only_folder(dbapi_connection: Any, record: Any = None) -> None:
        # what SQLite raises for `PRAGMA journal_mode=WAL` when it cannot create the -wal file
        raise _sqlite_error(1544, "SQLITE_READONLY_DIRECTORY", "attempt to write a readonly database")

    monkeypatch.setattr(database, "apply_pragmas", read_only_folder)
    context = open_context(data_dir)
    try:
        with pytest.raises(StoreError, match="cannot be written"):
            AssessmentService(context).list_summaries()
    finally:
        context.close()


def test_a_data_folder_that_cannot_be_created_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "locked" / "data"

    def refuse(self: Path, *args: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(StoreError) as error:
        resolve_data_dir(target)
    assert str(target) in str(error.value) and "Permission denied" in str(error.value)


def test_note_and_demo_on_a_read_only_store_exit_2_with_the_message(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assessment_id = _store_with_one_assessment(data_dir)
    _with_pragma(monkeypatch, "PRAGMA query_only=ON")
    for args in (["assessment", "note", assessment_id, "GOV-1", "seen"], ["demo"]):
        capsys.readouterr()
        assert run(["--data-dir", str(data_dir), *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith("esca-desktop: error: the folder ") and "cannot be written" in err, err
        assert "Traceback" not in err


def test_an_evidence_folder_on_a_read_only_disk_is_a_message(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assessment_id = _store_with_one_assessment(data_dir)
    source = tmp_path / "strategy.pdf"
    source.write_bytes(b"%PDF-1.4 strategy")
    real_mkdir = Path.mkdir

    def read_only(self: Path, *args: Any, **kwargs: Any) -> None:
        if self.is_relative_to(evidence_dir(data_dir)):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    code = run(["--data-dir", str(data_dir), "assessment", "evidence", assessment_id, str(source)])
    err = capsys.readouterr().err
    assert code == 2 and "cannot be written (Read-only file system)" in err and "Traceback" not in err


# --- full disk --------------------------------------------------------------------------------------


def test_a_full_disk_at_opening_is_not_called_an_unreadable_database(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store_with_one_assessment(data_dir)

    def full(*args: Any, **kwargs: Any) -> None:
        raise _sqlite_error(13, "SQLITE_FULL", "database or disk is full")

    monkeypatch.setattr(database.sqlite3, "connect", full)
    with pytest.raises(StoreError) as error:
        stored_revision(database_path(data_dir))
    message = str(error.value)
    assert message == f"the disk is full: free space on {data_dir} and try again; nothing you saved is lost"


def test_a_full_disk_while_saving_says_so_and_keeps_what_was_saved(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assessment_id = _store_with_one_assessment(data_dir)
    pages = sqlite3.connect(database_path(data_dir)).execute("PRAGMA page_count").fetchone()[0]
    _with_pragma(monkeypatch, f"PRAGMA max_page_count={pages}")  # SQLite answers SQLITE_FULL when it must grow
    assert run(["--data-dir", str(data_dir), "demo"]) == 2
    err = capsys.readouterr().err
    assert "the disk is full: free space on" in err and "nothing you saved is lost" in err
    assert "cannot be read as a database" not in err and "Traceback" not in err
    monkeypatch.undo()
    context = open_context(data_dir)
    try:
        assert assessment_id in [s.id for s in AssessmentService(context).list_summaries()]
        assert context.repository.verify_audit(assessment_id).ok
    finally:
        context.close()


def test_a_full_disk_while_copying_evidence_says_so(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assessment_id = _store_with_one_assessment(data_dir)
    source = tmp_path / "minutes.pdf"
    source.write_bytes(b"%PDF-1.4 minutes" * 1000)

    def full(fd: int) -> None:  # where a file system with delayed allocation reports it
        raise OSError(errno.ENOSPC, "No space left on device")

    context = open_context(data_dir)
    try:
        interview = AssessmentService(context).open(assessment_id)
        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(StoreError, match="the disk is full"):
            interview.add_evidence(source)
        monkeypatch.undo()
        assert interview.evidence() == []
        assert [p.name for p in (evidence_dir(data_dir) / assessment_id).iterdir()] == []
    finally:
        context.close()


# --- owner-only -------------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_folder_database_and_evidence_are_owner_only_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = os.umask(0o000)  # the most permissive: every mode must be set explicitly
    try:
        data_dir = tmp_path / "fresh"
        context = open_context(data_dir)
        try:
            service = AssessmentService(context)
            interview = service.open(service.create(new_request())[0])
            source = tmp_path / "minutes.pdf"
            source.write_bytes(b"%PDF-1.4 minutes")
            item, _ = interview.add_evidence(source)
            stored = evidence_dir(data_dir) / interview.id / item.stored_name
        finally:
            context.close()
    finally:
        os.umask(old)
    assert _mode(data_dir) == 0o700
    assert _mode(database_path(data_dir)) == 0o600
    assert _mode(evidence_dir(data_dir)) == 0o700 and _mode(stored.parent) == 0o700
    assert _mode(stored) == 0o600
    for companion in data_dir.glob("assessments.sqlite3-*"):
        assert _mode(companion) == 0o600, companion


def test_an_existing_world_readable_data_folder_is_tightened_at_start(data_dir: Path, tmp_path: Path) -> None:
    assessment_id = _store_with_one_assessment(data_dir)
    folder = evidence_dir(data_dir) / assessment_id
    folder.mkdir(parents=True)
    evidence = folder / "0b6e2c1e-aaaa-bbbb-cccc-000000000000.pdf"
    evidence.write_bytes(b"%PDF-1.4")
    logs = data_dir / "logs"
    logs.mkdir()
    (logs / "esca-desktop.log").write_text("opened\n")
    for path in (data_dir, evidence_dir(data_dir), folder, logs):
        os.chmod(path, 0o755)
    for path in (database_path(data_dir), evidence, logs / "esca-desktop.log"):
        os.chmod(path, 0o644)
    open_context(data_dir).close()
    assert [_mode(p) for p in (data_dir, evidence_dir(data_dir), folder, logs)] == [0o700] * 4
    assert [_mode(p) for p in (database_path(data_dir), evidence, logs / "esca-desktop.log")] == [0o600] * 3


def test_tightening_keeps_a_folder_the_person_made_read_only_read_only(data_dir: Path) -> None:
    _store_with_one_assessment(data_dir)
    os.chmod(data_dir, 0o555)
    try:
        resolve_data_dir(data_dir)
        assert _mode(data_dir) == 0o500
    finally:
        os.chmod(data_dir, 0o700)


@pytest.fixture(scope="module")
def mount_namespace() -> None:
    """A private mount namespace (`unshare -m`), where a test may mount what it needs. Where the machine
    does not allow one, the test fails and says why: it never passes without having run."""
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        pytest.fail("these tests need `unshare` and `mount` (util-linux) for a real read-only or full disk")
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount --bind / / && mount -o remount,ro,bind / /"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode != 0:
        pytest.fail(f"a private mount namespace is not allowed here (run as root): {probe.stderr.strip()}")


@pytest.mark.usefixtures("mount_namespace")
def test_note_and_demo_on_a_really_read_only_mount(data_dir: Path) -> None:
    """The same as above without injection: the data folder bind-mounted read-only (which stops root too)."""
    assessment_id = _store_with_one_assessment(data_dir)
    program = f"{sys.executable} -m esca_desktop --data-dir {data_dir}"
    script = (
        f"mount --bind {data_dir} {data_dir} && mount -o remount,ro,bind {data_dir} {data_dir} || exit 99\n"
        f"{program} assessment note {assessment_id} GOV-1 seen; echo rc=$?\n"
        f"{program} demo; echo rc=$?\n"
    )
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert result.stdout.split() == ["rc=2", "rc=2"], result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(f"the folder {data_dir} cannot be written" in line for line in lines), lines


@pytest.mark.usefixtures("mount_namespace")
def test_demo_on_a_really_full_disk_says_the_disk_is_full(tmp_path: Path) -> None:
    """Without injection: the data folder on a 700 KiB file system, which the sample assessments overflow."""
    disk = tmp_path / "small-disk"
    disk.mkdir()
    data_dir = disk / "data"
    program = f"{sys.executable} -m esca_desktop --data-dir {data_dir}"
    script = (
        f"mount -t tmpfs -o size=700k tmpfs {disk} || exit 99\n"
        f"{program} demo; echo rc=$?\n"
        f"{program} assessment list >/dev/null; echo rc=$?\n"
    )
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert result.stdout.split() == ["rc=2", "rc=0"], result.stdout + result.stderr
    assert result.stderr.strip() == (
        f"esca-desktop: error: the disk is full: free space on {data_dir} and try again; nothing you saved is lost"
    )
