"""The real window driven like an assessor would: create, answer with the keyboard, see validation,
navigate, jump, undo, attach evidence, finalise refused then allowed, close and reopen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from esca_desktop.app import build_window
from esca_desktop.context import open_context
from esca_desktop.forms.results import ResultStatus
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.ui.main_window import MainWindow
from esca_desktop.ui.new_assessment import NewAssessmentDialog
from esca_desktop.ui.workspace import InterviewWorkspace
from tests.ui.conftest import Messages, make_window


def workspace_of(window: MainWindow) -> InterviewWorkspace:
    assert window.workspace is not None
    return window.workspace


def line_of(workspace: InterviewWorkspace, key: str) -> QLineEdit:
    assert workspace.page is not None
    widget = workspace.page.editors[key].focus_widget()
    assert isinstance(widget, QLineEdit)
    return widget


def stored_value(data_dir: Path, assessment_id: str, key: str) -> object:
    context = open_context(data_dir)
    try:
        return AssessmentService(context).open(assessment_id).session.value(key)
    finally:
        context.close()


def create_gold(qtbot: QtBot, window: MainWindow) -> str:
    assert window.service is not None and window.context is not None
    dialog = NewAssessmentDialog(window.service, "Test Assessor", "en", window)
    qtbot.addWidget(dialog)
    dialog.name.setText("Klaster Łódź")  # QTest types ASCII only
    dialog.country.setEditText("Poland (PL)")
    dialog.country.setCurrentIndex(dialog.country.findData("PL"))
    dialog.catalog.setCurrentIndex(dialog.catalog.findData("gold@2013.1"))
    dialog.accept()
    assert dialog.created_id is not None
    window.refresh_list()
    window.open_assessment(dialog.created_id)
    return dialog.created_id


def test_new_assessment_dialog_checks_inline_and_creates(qtbot: QtBot, window: MainWindow) -> None:
    assert window.service is not None
    dialog = NewAssessmentDialog(window.service, "Test Assessor", "en", window)
    qtbot.addWidget(dialog)
    dialog.show()
    create = dialog.buttons.buttons()[0]
    assert not create.isEnabled()
    dialog.name.setText("Cluster Süd")  # QTest types ASCII only
    dialog.country.setEditText("Atlantis")
    assert dialog.errors["country"].isVisible()
    assert "Not a country" in dialog.errors["country"].text()
    assert not create.isEnabled()
    dialog.country.setCurrentIndex(dialog.country.findData("AT"))
    assert create.isEnabled()
    dialog.accept()
    assert dialog.created_id is not None
    window.refresh_list()
    assert window.list_page.model.rowCount() == 1


def test_typing_an_answer_saves_it_within_the_debounce(qtbot: QtBot, window: MainWindow, data_dir: Path) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("1.1.2")
    line = line_of(workspace, "1.1.2.participants")
    qtbot.keyClicks(line, "85")
    assert "Saving" in window.save_label.text()
    qtbot.waitUntil(lambda: "Saved" in window.save_label.text(), timeout=2000)
    assert stored_value(data_dir, assessment_id, "1.1.2.participants") == 85
    assert workspace.session.result("1.1.2").status is ResultStatus.MET


def test_a_wrong_number_is_kept_as_a_draft_shown_and_counted(
    qtbot: QtBot, window: MainWindow, data_dir: Path, messages: Messages
) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("1.1.2")
    qtbot.keyClicks(line_of(workspace, "1.1.2.participants"), "8x")
    assert workspace.page is not None
    message = workspace.page.messages["1.1.2.participants"]
    assert message.isVisible() and "whole number" in message.text()
    workspace.flush()
    assert stored_value(data_dir, assessment_id, "1.1.2.participants") is None
    assert "not valid yet" in window.save_label.text()
    assert message.isVisible() and "whole number" in message.text()


def test_navigation_by_keys_tree_and_search(qtbot: QtBot, window: MainWindow) -> None:
    create_gold(qtbot, window)
    workspace = workspace_of(window)
    assert workspace.session.current.id == "1.1.0"
    window.next_action.trigger()
    assert workspace.page is not None and workspace.page.indicator.id == "1.1.1"
    window.previous_action.trigger()
    assert workspace.page.indicator.id == "1.1.0"
    item = workspace.navigator._items["3.2"]
    workspace.navigator.tree.itemClicked.emit(item, 0)
    assert workspace.page.indicator.id == "3.2"
    window.find_action.trigger()
    assert workspace.navigator.search.hasFocus() or QApplication.focusWidget() is workspace.navigator.search
    qtbot.keyClicks(workspace.navigator.search, "internet")
    assert workspace.navigator.first_match() == "4.6.2"
    qtbot.keyClick(workspace.navigator.search, Qt.Key.Key_Return)
    assert workspace.page.indicator.id == "4.6.2"


def test_next_problem_goes_to_a_missing_required_answer(qtbot: QtBot, window: MainWindow) -> None:
    create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("2.1")
    window.problem_action.trigger()
    assert workspace.page is not None and workspace.page.indicator.id == "2.2.1"


def test_undo_restores_the_previous_answer_on_screen_and_on_disk(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("1.1.2")
    line = line_of(workspace, "1.1.2.participants")
    line.setFocus()
    qtbot.keyClicks(line, "40")
    qtbot.keyClick(line, Qt.Key.Key_Tab)  # leaving the field ends one answer edit
    line = line_of(workspace, "1.1.2.participants")
    line.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, "75")
    qtbot.keyClick(line, Qt.Key.Key_Tab)
    window.list_page.setFocus()
    window.undo_action.trigger()
    assert line_of(workspace, "1.1.2.participants").text() == "40"
    assert stored_value(data_dir, assessment_id, "1.1.2.participants") == 40
    window.redo_action.trigger()
    assert line_of(workspace, "1.1.2.participants").text() == "75"


def test_dropping_a_file_attaches_it_as_evidence(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("2.4")
    source = tmp_path / "Satzung 2019.pdf"
    source.write_bytes(b"%PDF-1.4 statutes")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(source))])
    page = workspace.page
    assert page is not None
    drop = QDropEvent(
        QPoint(10, 10).toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    page.dropEvent(drop)
    assert workspace.page is not None
    texts = [workspace.page.evidence_list.item(n).text() for n in range(workspace.page.evidence_list.count())]
    assert any("Satzung 2019.pdf" in text and "17 B" in text for text in texts)


def test_finalise_is_refused_with_the_problems_then_allowed(qtbot: QtBot, data_dir: Path, messages: Messages) -> None:
    window = make_window(qtbot, data_dir, samples=True)
    workspace = workspace_of(window)
    assert workspace.interview.assessment.scheme == "gold"
    workspace.jump_to("1.1.2")
    line = line_of(workspace, "1.1.2.participants")
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Backspace)  # the assessor deletes a required answer
    workspace.show_summary()
    workspace.summary.finalise()
    assert messages.shown and messages.shown[-1][0] == "Cannot finalise yet"
    assert "1.1.2.participants" in messages.shown[-1][1]
    workspace.jump_to("1.1.2")
    qtbot.keyClicks(line_of(workspace, "1.1.2.participants"), "312")
    workspace.show_summary()
    workspace.summary.finalise()
    assert workspace.interview.assessment.status.value == "finalised"
    assert not workspace.summary.finalise_button.isVisible()
    workspace.jump_to("1.1.2")
    assert line_of(workspace, "1.1.2.participants").isReadOnly()
    window.close()


def test_closing_and_reopening_finds_every_answer_at_the_same_indicator(qtbot: QtBot, data_dir: Path) -> None:
    window = make_window(qtbot, data_dir)
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("2.2.1")
    qtbot.keyClicks(line_of(workspace, "2.2.1.fte"), "2,5")
    assert workspace.page is not None
    workspace.page.note_edit.setPlainText("Two managers, one assistant.")
    window.close()  # flushes what the debounce had not stored yet
    again = make_window(qtbot, data_dir)
    reopened = workspace_of(again)
    assert reopened.interview.id == assessment_id
    assert reopened.page is not None and reopened.page.indicator.id == "2.2.1"
    assert line_of(reopened, "2.2.1.fte").text() == "2.5"
    assert reopened.page.note_edit.toPlainText() == "Two managers, one assistant."
    again.close()


def test_interview_language_switches_without_losing_typed_text(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("1.1.2")
    qtbot.keyClicks(line_of(workspace, "1.1.2.participants"), "64")
    workspace.language.setCurrentIndex(workspace.language.findData("de"))
    assert workspace.page is not None
    shown = [label.text() for label in workspace.page.findChildren(QLabel)]
    assert "Gesamtzahl der verbindlich beteiligten Clusterteilnehmer" in shown
    assert line_of(workspace, "1.1.2.participants").text() == "64"
    assert stored_value(data_dir, assessment_id, "1.1.2.participants") == 64


def test_the_list_filters_by_words(qtbot: QtBot, data_dir: Path) -> None:
    window = make_window(qtbot, data_dir, samples=True)
    window.close_assessment()
    page = window.list_page
    assert page.proxy.rowCount() == 3
    qtbot.keyClicks(page.filter_edit, "pl silver")
    assert page.proxy.rowCount() == 1
    assert "Łódź" in page.proxy.index(0, 0).data()
    window.close()


def test_a_finalised_report_is_signed_and_saved_from_the_documents_menu(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, messages: Messages, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    from esca_desktop.reports.signing import verify_pdf

    monkeypatch.setenv("ESCA_DESKTOP_KEYRING", "memory")
    target = tmp_path / "report.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "PDF (*.pdf)"))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)  # the "Document saved" box
    # A memory keyring forgets at exit, so the program asks for a passphrase instead:
    answers = iter([("assessor@example.org", True), ("correct horse battery", True)])  # e-mail, passphrase
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: next(answers))
    window = make_window(qtbot, data_dir, samples=True)
    workspace = workspace_of(window)
    window.documents.sign_report_action.trigger()
    assert messages.shown[-1][0] == "Sign report"  # not finalised yet: refused with a reason
    workspace.show_summary()
    workspace.summary.finalise()
    window.documents.sign_report_action.trigger()  # offers to create the identity: answered Yes
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=30_000)
    assert target.exists()
    verdict = verify_pdf(target)
    assert verdict.signed and verdict.intact
    window.close()


def test_the_program_speaks_german_when_the_setting_says_so(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> None:
    from esca_desktop.settings import Settings, save_settings

    save_settings(Settings(ui_language="de"))
    german = build_window(str(data_dir), interactive_errors=False)
    qtbot.addWidget(german)
    import gc

    gc.collect()  # the translators must survive a garbage collection
    titles = [action.text() for action in german.menuBar().actions()]
    assert "&Datei" in titles and "&Hilfe" in titles
    german.close()
    save_settings(Settings(ui_language="en"))
    english = build_window(str(data_dir), interactive_errors=False)
    qtbot.addWidget(english)
    assert "&File" in [action.text() for action in english.menuBar().actions()]
    english.close()
