"""The window on a data folder that cannot be written: a message that names the folder, no traceback."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

import esca_desktop.storage.database as database
from esca_desktop.app import build_window, run_gui
from esca_desktop.ui.main_window import MainWindow
from tests.ui.conftest import Messages


def test_a_window_on_a_read_only_data_folder_shows_which_folder_and_what_to_do(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch, messages: Messages
) -> None:
    def read_only(dbapi_connection: Any, record: Any = None) -> None:
        dbapi_connection.execute("PRAGMA query_only=ON")  # SQLite answers as for a read-only folder

    real_mkdir = Path.mkdir

    def no_logs(self: Path, *args: Any, **kwargs: Any) -> None:
        if self.name == "logs":  # the log cannot be written there either
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(database, "apply_pragmas", read_only)
    monkeypatch.setattr(Path, "mkdir", no_logs)
    window = build_window(str(data_dir), interactive_errors=True)
    qtbot.addWidget(window)
    reporter = window.property("error_reporter")
    try:  # as the window's start does from its timer, where the reporter is the excepthook
        window.start(str(data_dir))
    except BaseException as exc:
        reporter.handle(type(exc), exc, exc.__traceback__)
    ((title, text),) = messages.shown
    assert title == "Cannot do that"
    assert text.startswith(f"the folder {data_dir} cannot be written") and "--data-dir" in text
    assert reporter.last_details == ""  # not reported as a crash


def test_a_window_on_a_data_folder_that_cannot_be_created_exits_2_with_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "readonly-mount" / "data"

    def refuse(self: Path, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    assert run_gui(str(target)) == 2
    err = capsys.readouterr().err
    assert f"the folder {target} cannot be written (Read-only file system)" in err and "Traceback" not in err


def test_a_pdf_made_to_print_is_a_temporary_file_of_this_window(window: MainWindow, data_dir: Path) -> None:
    """Print previews go to the private tmp/ under this process's temporary name, so the first start
    after the window has ended removes them instead of letting unsigned reports pile up."""
    import os

    from esca_desktop.paths import temp_owner

    path = window.documents._temp_pdf("report")
    assert path.parent == data_dir / "tmp" and temp_owner(path.name) == os.getpid()
    assert path.name.endswith("-report.pdf") and (path.stat().st_mode & 0o077) == 0
