"""Correcting an assessment's details in the window, archiving it and deleting it from the list, as an
assessor does: the header, list and title follow an edit; archived ones leave the list until asked
for; a deletion is confirmed by a question that names the assessment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from esca_desktop.domain.model import AssessmentStatus
from esca_desktop.services.demo import create_demo_assessments
from esca_desktop.ui.assessment_list import STATUS_COLUMN
from esca_desktop.ui.details_dialog import AssessmentDetailsDialog
from esca_desktop.ui.main_window import MainWindow
from tests.services.test_drawn_signatures import signature_png
from tests.ui.conftest import Messages
from tests.ui.test_window import create_gold, workspace_of


def list_names(window: MainWindow) -> list[str]:
    proxy = window.list_page.proxy
    return [proxy.index(row, 0).data() for row in range(proxy.rowCount())]


def test_edit_details_from_the_menu_refreshes_header_list_and_title(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    assert window.details_action.isEnabled() and workspace.details_button.isEnabled()
    seen: dict[str, Any] = {}

    def fill_and_save(dialog: AssessmentDetailsDialog) -> int:
        qtbot.addWidget(dialog)
        seen["name"], seen["country"] = dialog.name.text(), dialog.country_code()
        seen["scheme shown"] = dialog.catalog.isVisibleTo(dialog)
        dialog.name.setText("Klaster Łódź sp. z o.o.")
        dialog.place.setText("Łódź, ul. Piotrkowska 1")
        dialog.assessors.setText("Test Assessor, Second Expert")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(AssessmentDetailsDialog, "exec", fill_and_save)
    window.details_action.trigger()

    assert seen == {"name": "Klaster Łódź", "country": "PL", "scheme shown": False}
    assert workspace.title.text() == "Klaster Łódź sp. z o.o."
    assert window.windowTitle().startswith("Klaster Łódź sp. z o.o.")
    assert list_names(window) == ["Klaster Łódź sp. z o.o."]
    assert "Details saved" in window.save_label.text()
    stored = window.service.get(assessment_id)  # type: ignore[union-attr]
    assert stored.place == "Łódź, ul. Piotrkowska 1"
    assert stored.assessors == ("Test Assessor", "Second Expert")


def test_the_details_dialog_checks_as_typed_and_names_a_field_the_service_refuses(
    qtbot: QtBot, window: MainWindow
) -> None:
    assessment_id = create_gold(qtbot, window)
    dialog = AssessmentDetailsDialog(workspace_of(window).interview, "en", window)
    qtbot.addWidget(dialog)
    dialog.show()
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert save is not None and save.text() == "Save" and save.isEnabled()
    dialog.country.setEditText("Atlantis")
    assert dialog.errors["country"].isVisible() and not save.isEnabled()
    dialog.country.setCurrentIndex(dialog.country.findData("PL"))
    dialog.assessors.setText(" , ")
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.general_error.isVisible() and "assessors" in dialog.general_error.text()
    assert window.service is not None and window.service.get(assessment_id).assessors == ("Test Assessor",)


def test_the_details_button_removes_drawn_signatures_and_the_summary_says_so(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.service is not None
    gold_id = create_demo_assessments(window.service)["gold"]
    window.service.open(gold_id).add_drawn_signature("assessor", "Anna Expert", signature_png())
    window.refresh_list()
    window.open_assessment(gold_id)
    workspace = workspace_of(window)

    def change_place(dialog: AssessmentDetailsDialog) -> int:
        qtbot.addWidget(dialog)
        dialog.place.setText("Kiel")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(AssessmentDetailsDialog, "exec", change_place)
    workspace.details_button.click()

    assert workspace.interview.drawn_signatures() == []
    assert [s.reason for s in workspace.interview.removed_signatures()] == ["details"]


def test_a_finalised_assessment_offers_no_details_editing(qtbot: QtBot, window: MainWindow) -> None:
    assert window.service is not None
    gold_id = create_demo_assessments(window.service)["gold"]
    window.service.open(gold_id).finalise()
    window.refresh_list()
    window.open_assessment(gold_id)
    assert not window.details_action.isEnabled()
    assert not workspace_of(window).details_button.isEnabled()


def test_archive_hides_the_assessment_until_show_archived_and_it_opens_read_only(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert window.service is not None
    created = create_demo_assessments(window.service)
    window.refresh_list()
    window.list_page.select(created["gold"])
    gold_name = window.list_page.current_summary().organisation  # type: ignore[union-attr]

    window.archive_action.trigger()

    assert gold_name not in list_names(window) and len(list_names(window)) == 2
    assert "2 assessments" in window.list_page.count_label.text()
    window.list_page.show_archived.setChecked(True)
    assert gold_name in list_names(window)
    model = window.list_page.model
    row = model.row_of(created["gold"])
    assert model.index(row, STATUS_COLUMN).data() == "archived"
    font = model.index(row, 0).data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.italic()
    window.list_page.select(created["gold"])
    assert window.unarchive_action.isEnabled() and not window.archive_action.isEnabled()
    window.list_page.open_current()
    workspace = workspace_of(window)
    assert workspace.read_only and "archived" in workspace.details.text()
    assert not window.details_action.isEnabled()

    window.unarchive_action.trigger()

    assert not workspace_of(window).read_only  # reopened editable
    window.close_assessment()
    window.list_page.show_archived.setChecked(False)
    assert gold_name in list_names(window)


def test_delete_asks_naming_the_assessment_then_removes_it(
    qtbot: QtBot, window: MainWindow, messages: Messages, data_dir: Path, tmp_path: Path
) -> None:
    assessment_id = create_gold(qtbot, window)
    source = tmp_path / "statutes.pdf"
    source.write_bytes(b"%PDF-1.4 statutes")
    workspace_of(window).interview.add_evidence(source, "Statutes", ["1.1.1"])
    window.close_assessment()
    window.list_page.select(assessment_id)

    window.delete_action.trigger()

    title, text = messages.shown[-1]
    assert title == "Delete assessment"
    assert "“Klaster Łódź” (Gold, draft)" in text and "cannot be undone" in text
    assert list_names(window) == []
    assert not (data_dir / "evidence" / assessment_id).exists()
    assert window.service is not None and window.service.audit(assessment_id)[-1].action == "deleted"
    assert "deleted" in window.save_label.text()


def test_delete_answered_no_keeps_the_assessment(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    assessment_id = create_gold(qtbot, window)
    asked: list[str] = []

    def cancel(_parent: Any, _title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", cancel)
    window.delete_action.trigger()  # on the open assessment

    assert len(asked) == 1 and "Klaster Łódź" in asked[0]
    assert window.workspace is not None  # still open
    assert window.service is not None and window.service.get(assessment_id).organisation.name == "Klaster Łódź"


def test_an_assessment_sent_to_the_secretariat_is_not_deleted(
    qtbot: QtBot, window: MainWindow, messages: Messages
) -> None:
    assert window.service is not None
    gold_id = create_demo_assessments(window.service)["gold"]
    window.service.open(gold_id).finalise()
    window.service.repository.set_status(gold_id, AssessmentStatus.SUBMITTED, "Test Assessor")
    window.refresh_list()
    window.list_page.select(gold_id)

    window.delete_action.trigger()

    assert messages.shown[-1][0] == "Not deleted" and "Archive it" in messages.shown[-1][1]
    assert window.list_page.model.row_of(gold_id) >= 0
