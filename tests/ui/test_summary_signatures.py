"""The summary's drawn signatures as the assessor sees them: a change after signing removes them, and
the page says whose were removed and why, until they sign again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from esca_desktop.ui.main_window import MainWindow
from esca_desktop.ui.signature_pad import SignatureDialog
from esca_desktop.ui.workspace import InterviewWorkspace
from tests.services.test_drawn_signatures import signature_png
from tests.ui.conftest import Messages, make_window
from tests.ui.test_window import line_of, workspace_of


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCA_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> Messages:
    return Messages(monkeypatch)


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    win = make_window(qtbot, data_dir, samples=True)
    yield win
    win.close()


def sign(workspace: InterviewWorkspace, monkeypatch: pytest.MonkeyPatch, role: str, name: str) -> None:
    """Draw a signature in the dialog (its result, as the dialog would return it on OK)."""
    monkeypatch.setattr(
        SignatureDialog, "ask", classmethod(lambda cls, signer="", parent=None: (name, signature_png()))
    )
    workspace.show_summary()
    workspace.summary.signature_buttons[role].click()


def signed(workspace: InterviewWorkspace, role: str) -> bool:
    image = workspace.summary.signature_images[role]
    return image.pixmap() is not None and not image.pixmap().isNull()


def test_changing_an_answer_after_signing_removes_the_signatures_and_the_summary_says_so(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = workspace_of(window)
    sign(workspace, monkeypatch, "assessor", "Anna Expert")
    sign(workspace, monkeypatch, "interviewee", "Jens Hansen")
    assert signed(workspace, "assessor") and signed(workspace, "interviewee")

    workspace.jump_to("1.1.2")
    line = line_of(workspace, "1.1.2.participants")
    line.selectAll()
    qtbot.keyClicks(line, "313")
    qtbot.waitUntil(lambda: "Saved" in window.save_label.text(), timeout=2000)
    workspace.show_summary()

    assert not signed(workspace, "assessor") and not signed(workspace, "interviewee")
    assert workspace.summary.signature_images["assessor"].text() == "not signed yet"
    notice = workspace.summary.signature_notice
    assert notice.isVisible()
    assert notice.text() == (
        "The signatures of Anna Expert and Jens Hansen were removed because the answers changed after signing; "
        "sign again."
    )

    sign(workspace, monkeypatch, "assessor", "Anna Expert")
    assert signed(workspace, "assessor")
    assert notice.text() == (
        "The signature of Jens Hansen was removed because the answers changed after signing; sign again."
    )


def test_typing_in_the_findings_after_signing_removes_the_signature_on_the_spot(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = workspace_of(window)
    sign(workspace, monkeypatch, "interviewee", "Jens Hansen")
    strengths = workspace.summary.text_edits["strengths"]
    strengths.setFocus()
    strengths.moveCursor(strengths.textCursor().MoveOperation.End)

    qtbot.keyClicks(strengths, " Strong board.")
    qtbot.waitUntil(lambda: "Saved" in window.save_label.text(), timeout=2000)

    assert not signed(workspace, "interviewee")
    assert workspace.summary.signature_notice.isVisible()
    assert "because the closing texts for the report changed after signing" in workspace.summary.signature_notice.text()


def test_reopening_as_a_new_revision_starts_unsigned_and_says_why(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, messages: Messages
) -> None:
    workspace = workspace_of(window)
    sign(workspace, monkeypatch, "assessor", "Anna Expert")
    workspace.summary.finalise()
    assert workspace.interview.assessment.status.value == "finalised"
    assert signed(workspace, "assessor")  # finalising keeps what was signed

    qtbot.mouseClick(workspace.summary.reopen_button, Qt.MouseButton.LeftButton)

    assert workspace.interview.assessment.revision == 2
    assert not signed(workspace, "assessor")
    assert workspace.summary.signature_notice.text() == (
        "The signature of Anna Expert was removed because the assessment was reopened as a new revision; sign again."
    )
