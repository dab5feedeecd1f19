"""Nothing typed is lost in the window: a value that contradicts another answer is saved and judged
again when that answer changes; text that is no valid answer is kept as a draft, shown, counted as a
problem, reached by F8 and asked about on closing; Ctrl+Z in a field undoes the answer edit."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from esca_desktop.context import open_context
from esca_desktop.domain.model import Organisation
from esca_desktop.forms.results import ProblemKind, ResultStatus
from esca_desktop.services.assessments import AssessmentService, NewAssessment
from esca_desktop.ui.main_window import MainWindow
from esca_desktop.ui.style import ERROR_COLOUR
from tests.ui.conftest import Messages
from tests.ui.test_window import create_gold, line_of, stored_value, workspace_of


def _open_bronze(window: MainWindow) -> str:
    assert window.service is not None
    request = NewAssessment("bronze", Organisation("Klaster Lodz", "PL", sector="ict"), assessors=("A. Expert",))
    assessment_id, _ = window.service.create(request)
    window.refresh_list()
    window.open_assessment(assessment_id)
    return assessment_id


def _drafts(data_dir: Path, assessment_id: str) -> dict[str, str]:
    context = open_context(data_dir)
    try:
        return AssessmentService(context).open(assessment_id).session.drafts
    finally:
        context.close()


def test_a_value_refused_next_to_another_answer_is_kept_and_its_message_goes_when_that_answer_is_fixed(
    qtbot: QtBot, window: MainWindow, data_dir: Path, messages: Messages
) -> None:
    assessment_id = _open_bronze(window)
    workspace = workspace_of(window)
    workspace.jump_to("B1.5")
    qtbot.keyClicks(line_of(workspace, "B1.5.companies"), "30")
    qtbot.keyClicks(line_of(workspace, "B1.5.smes"), "35")
    workspace.flush()
    assert workspace.page is not None
    smes_message = workspace.page.messages["B1.5.smes"]
    assert smes_message.isVisible() and "more SMEs than companies" in smes_message.text()
    assert stored_value(data_dir, assessment_id, "B1.5.smes") == 35  # kept, not thrown away

    companies = line_of(workspace, "B1.5.companies")
    companies.selectAll()
    qtbot.keyClicks(companies, "40")
    workspace.flush()
    assert not smes_message.isVisible()
    assert stored_value(data_dir, assessment_id, "B1.5.companies") == 40

    workspace.jump_to("B1.4")
    workspace.jump_to("B1.5")
    assert line_of(workspace, "B1.5.smes").text() == "35"
    assert not workspace.page.messages["B1.5.smes"].isVisible()


def test_shares_that_do_not_add_up_are_kept_and_judged_again_when_one_is_corrected(
    qtbot: QtBot, window: MainWindow, data_dir: Path, messages: Messages
) -> None:
    assessment_id = _open_bronze(window)
    workspace = workspace_of(window)
    workspace.jump_to("B3.2")
    for key, text in (("public_share", "50"), ("fees_share", "20"), ("services_share", "20"), ("other_share", "20")):
        qtbot.keyClicks(line_of(workspace, f"B3.2.{key}"), text)
    workspace.flush()
    assert workspace.page is not None
    other = workspace.page.messages["B3.2.other_share"]
    assert other.isVisible()
    assert stored_value(data_dir, assessment_id, "B3.2.other_share") == 20
    fees = line_of(workspace, "B3.2.fees_share")
    fees.selectAll()
    qtbot.keyClicks(fees, "10")
    workspace.flush()
    assert not other.isVisible()
    assert workspace.session.indicator_problems("B3.2") == ()


def test_text_that_is_no_number_is_kept_counted_reached_by_f8_and_survives_reopening(
    qtbot: QtBot, window: MainWindow, data_dir: Path, messages: Messages
) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("1.1.2")
    line = line_of(workspace, "1.1.2.participants")
    qtbot.keyClicks(line, "85")
    workspace.flush()
    assert workspace.session.result("1.1.2").status is ResultStatus.MET
    line.selectAll()
    qtbot.keyClicks(line, "zehn")
    workspace.flush()
    # the old value no longer counts: the result is open, the problem is counted and F8 goes there
    assert workspace.session.result("1.1.2").status is ResultStatus.OPEN
    kinds = [p.kind for p in workspace.session.indicator_problems("1.1.2")]
    assert kinds == [ProblemKind.INVALID]
    assert workspace.problem_button.isEnabled()
    assert _drafts(data_dir, assessment_id) == {"1.1.2.participants": "zehn"}
    workspace.jump_to("1.1.1")
    window.problem_action.trigger()  # F8
    assert workspace.page is not None and workspace.page.indicator.id == "1.1.2"
    assert QApplication.focusWidget() is line_of(workspace, "1.1.2.participants")
    assert line_of(workspace, "1.1.2.participants").text() == "zehn"
    assert workspace.page.messages["1.1.2.participants"].isVisible()

    # reopening shows the draft again, with its message
    window.close_assessment()
    window.open_assessment(assessment_id)
    workspace = workspace_of(window)
    workspace.jump_to("1.1.2")
    assert line_of(workspace, "1.1.2.participants").text() == "zehn"
    assert "whole number" in workspace.page.messages["1.1.2.participants"].text()


def test_closing_with_an_invalid_entry_asks_and_staying_goes_to_it(
    qtbot: QtBot, window: MainWindow, monkeypatch: object
) -> None:
    create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("1.1.2")
    qtbot.keyClicks(line_of(workspace, "1.1.2.participants"), "zehn")
    workspace.jump_to("2.1")
    asked: list[str] = []

    def stay(_parent: object, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", stay)  # type: ignore[attr-defined]
    window.close()
    assert window.isVisible() and asked and "1.1.2.participants" in asked[0]
    assert workspace.page is not None and workspace.page.indicator.id == "1.1.2"
    assert window.close_assessment() is False
    assert window.workspace is workspace

    def leave(_parent: object, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", leave)  # type: ignore[attr-defined]
    assert window.close_assessment() is True
    assert window.workspace is None


def test_ctrl_z_in_a_field_undoes_the_answer_edit(
    qtbot: QtBot, window: MainWindow, data_dir: Path, messages: Messages
) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("1.1.2")
    line = line_of(workspace, "1.1.2.participants")
    line.setFocus()
    qtbot.keyClicks(line, "40")
    qtbot.keyClick(line, Qt.Key.Key_Tab)  # leaves the field: one finished edit
    line = line_of(workspace, "1.1.2.participants")
    line.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, "75")  # still in the field, not yet saved
    assert QApplication.focusWidget() is line
    qtbot.keyClick(line, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert line_of(workspace, "1.1.2.participants").text() == "40"
    assert stored_value(data_dir, assessment_id, "1.1.2.participants") == 40
    qtbot.keyClick(
        line_of(workspace, "1.1.2.participants"),
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert line_of(workspace, "1.1.2.participants").text() == "75"
    assert stored_value(data_dir, assessment_id, "1.1.2.participants") == 75


def test_saved_is_not_shown_in_red_after_an_earlier_error(window: MainWindow) -> None:
    window.set_save_state("error", "Not saved")
    colour = window.save_label.palette().color(QPalette.ColorRole.WindowText)
    assert colour == ERROR_COLOUR
    window.set_save_state("saved", "Saved")
    assert window.save_label.palette().color(QPalette.ColorRole.WindowText) != ERROR_COLOUR
