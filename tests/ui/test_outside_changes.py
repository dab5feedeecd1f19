"""The window beside the command line on the same data folder: it notices what the other program
changed, shows the stored answers on the same page, keeps what the assessor typed, and never
finalises from what it showed before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from esca_desktop.context import open_context
from esca_desktop.domain.model import AssessmentStatus
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.ui.main_window import MainWindow
from tests.ui.conftest import Messages, make_window
from tests.ui.test_window import line_of, workspace_of


@pytest.fixture
def command_line(data_dir: Path) -> Iterator[AssessmentService]:
    """Another program on the data folder (its own engine), as the command line is."""
    context = open_context(data_dir)
    context.set_actor("Command Line")
    yield AssessmentService(context)
    context.close()


@pytest.fixture
def gold_window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    window = make_window(qtbot, data_dir, samples=True)  # the complete Gold sample, open
    yield window
    window.close()


def test_the_window_shows_an_answer_changed_by_the_command_line(
    qtbot: QtBot, gold_window: MainWindow, command_line: AssessmentService
) -> None:
    workspace = workspace_of(gold_window)
    workspace.jump_to("1.1.2")
    assert line_of(workspace, "1.1.2.participants").text() == "312"
    assert not workspace.check_outside_change()

    command_line.open(workspace.interview.id).answer("1.1.2.participants", "400")
    assert workspace.check_outside_change()  # what the timer and activating the window do
    assert workspace.current_indicator_id() == "1.1.2"
    assert line_of(workspace, "1.1.2.participants").text() == "400"
    assert "changed by another program" in gold_window.save_label.text()
    assert not workspace.check_outside_change()
    gold_window.resize(1280, 800)
    gold_window.grab().save("/tmp/stale-outside-change.png")


def test_what_was_typed_and_not_saved_yet_is_kept_over_the_stored_answers(
    qtbot: QtBot, gold_window: MainWindow, command_line: AssessmentService
) -> None:
    workspace = workspace_of(gold_window)
    assessment_id = workspace.interview.id
    workspace.jump_to("1.1.1")
    line = line_of(workspace, "1.1.1.smes")
    line.selectAll()
    qtbot.keyClicks(line, "170")  # typed, waiting for the autosave
    command_line.open(assessment_id).answer("1.1.1.research", "40")
    assert workspace.check_outside_change()

    assert line_of(workspace, "1.1.1.research").text() == "40"
    assert line_of(workspace, "1.1.1.smes").text() == "170"
    stored = command_line.open(assessment_id).session
    assert stored.value("1.1.1.smes") == 170 and stored.value("1.1.1.research") == 40
    smes = [e for e in command_line.audit(assessment_id) if e.target == "1.1.1.smes"]
    assert (smes[-1].old, smes[-1].new) == (168, 170)
    assert command_line.verify_audit(assessment_id).ok


def test_an_edit_refused_for_an_outside_change_shows_the_stored_answers_and_is_saved_on_top(
    qtbot: QtBot, gold_window: MainWindow, command_line: AssessmentService
) -> None:
    workspace = workspace_of(gold_window)
    assessment_id = workspace.interview.id
    workspace.jump_to("1.1.2")
    command_line.open(assessment_id).answer("1.1.2.participants_prev", "250")
    line = line_of(workspace, "1.1.2.participants")
    line.selectAll()
    qtbot.keyClicks(line, "320")
    workspace.flush()  # refused inside its transaction, then stored on top of the stored state

    assert line_of(workspace, "1.1.2.participants_prev").text() == "250"
    assert line_of(workspace, "1.1.2.participants").text() == "320"
    stored = command_line.open(assessment_id).session
    assert stored.value("1.1.2.participants_prev") == 250 and stored.value("1.1.2.participants") == 320
    assert "changed by another program" in gold_window.save_label.text()


def test_a_stale_window_does_not_finalise_what_the_stored_answers_do_not_allow(
    qtbot: QtBot, gold_window: MainWindow, command_line: AssessmentService, messages: Messages
) -> None:
    workspace = workspace_of(gold_window)
    assessment_id = workspace.interview.id
    workspace.show_summary()
    assert "133 of 150 points" in workspace.summary.outcome.text()
    command_line.open(assessment_id).answer("1.1.1.companies", "")  # a required answer cleared elsewhere

    workspace.summary.finalise()
    assert messages.shown[-1][0] == "Not finalised"
    assert "changed by another program" in messages.shown[-1][1]
    assert command_line.get(assessment_id).status is AssessmentStatus.IN_PROGRESS
    assert workspace.interview.editable and workspace.summary.finalise_button.isVisible()
    assert "1.1.1.companies" in workspace.summary.problems.text()
    assert "128 of 150 points" in workspace.summary.outcome.text()

    workspace.summary.finalise()  # again: now refused for the problem the stored answers have
    assert messages.shown[-1][0] == "Cannot finalise yet"
    assert command_line.get(assessment_id).status is AssessmentStatus.IN_PROGRESS


def test_activating_the_window_shows_what_the_command_line_changed(
    qtbot: QtBot, gold_window: MainWindow, command_line: AssessmentService, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = workspace_of(gold_window)
    workspace.jump_to("2.1")
    command_line.open(workspace.interview.id).set_note("2.1", "Checked the statutes")
    monkeypatch.setattr(gold_window, "isActiveWindow", lambda: True)  # back from the terminal
    QApplication.sendEvent(gold_window, QEvent(QEvent.Type.ActivationChange))
    assert workspace.page is not None and workspace.page.note_edit.toPlainText() == "Checked the statutes"


def test_typing_into_an_assessment_finalised_elsewhere_says_it_was_not_saved(
    qtbot: QtBot, gold_window: MainWindow, command_line: AssessmentService
) -> None:
    workspace = workspace_of(gold_window)
    assessment_id = workspace.interview.id
    workspace.jump_to("1.1.2")
    line = line_of(workspace, "1.1.2.participants")
    line.selectAll()
    qtbot.keyClicks(line, "320")
    command_line.open(assessment_id).finalise()
    workspace.flush()

    assert line_of(workspace, "1.1.2.participants").isReadOnly()
    assert line_of(workspace, "1.1.2.participants").text() == "312"
    assert "read-only now" in gold_window.save_label.text()
    assert command_line.open(assessment_id).session.value("1.1.2.participants") == 312
