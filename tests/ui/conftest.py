"""UI test guard (refuse a PySide6 build that would abort the whole test process) and the window fixtures:
isolated settings, modal message boxes answered, the real main window on a fresh data folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from esca_desktop.app import build_window
from esca_desktop.ui.main_window import MainWindow


def _pyside_drops_references_to_none() -> bool:
    """PySide6 6.12.0 on Python 3.11 returns None from void methods without a new reference:
    after a few thousand calls CPython aborts the whole process ("deallocating None")."""
    probe = QPen()
    before = sys.getrefcount(None)
    for _ in range(8):
        probe.setWidthF(1.0)
    return sys.getrefcount(None) <= before - 8  # every call lost one


@pytest.fixture(autouse=True)
def _working_bindings() -> None:
    if _pyside_drops_references_to_none():
        pytest.fail(
            "this PySide6 build drops references to None on Python < 3.12 and would abort the run; "
            "use a PySide6 other than 6.12.0 (6.11.3 works) or Python >= 3.12",
            pytrace=False,
        )


from tests.central.harness import central, memory_keyring  # noqa: E402 - shared fixtures of the review service

__all__ = ["central", "memory_keyring"]


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCA_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))


class Messages:
    """Replaces modal message boxes: records them and answers Yes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.shown: list[tuple[str, str]] = []
        for name in ("warning", "information", "critical"):
            monkeypatch.setattr(QMessageBox, name, self._record)
        monkeypatch.setattr(QMessageBox, "question", self._yes)

    def _record(self, _parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        self.shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    def _yes(self, _parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        self.shown.append((title, text))
        return QMessageBox.StandardButton.Yes


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> Messages:
    return Messages(monkeypatch)


def make_window(qtbot: QtBot, data_dir: Path, **start: Any) -> MainWindow:
    window = build_window(str(data_dir), interactive_errors=False)
    qtbot.addWidget(window)
    window.show()
    window.start(str(data_dir), start.get("open_id"), start.get("samples", False))
    return window


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    win = make_window(qtbot, data_dir)
    yield win
    win.close()
