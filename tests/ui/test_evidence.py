"""Evidence on the indicator page as an assessor handles it: tick the checklist, write the finding apart
from the internal notes, and remove (Delete, after asking), rename (F2) or re-link (context menu) a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QInputDialog
from pytestqt.qtbot import QtBot

from esca_desktop.context import open_context
from esca_desktop.domain.model import EvidenceItem
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.ui.evidence_links import EvidenceLinkDialog
from esca_desktop.ui.indicator_page import EVIDENCE_ROLE, IndicatorPage
from esca_desktop.ui.main_window import MainWindow
from esca_desktop.ui.workspace import InterviewWorkspace
from tests.ui.conftest import Messages
from tests.ui.test_window import create_gold, workspace_of


def stored(data_dir: Path, assessment_id: str) -> Any:
    context = open_context(data_dir)
    try:
        interview = AssessmentService(context).open(assessment_id)
        return interview.evidence(), {i.id: interview.session.state(i.id) for i in interview.session.indicators}
    finally:
        context.close()


def page_of(workspace: InterviewWorkspace) -> IndicatorPage:
    assert workspace.page is not None
    return workspace.page


def listed(page: IndicatorPage) -> list[str]:
    return [page.evidence_list.item(n).text() for n in range(page.evidence_list.count())]


def attach(workspace: InterviewWorkspace, tmp_path: Path, name: str, content: bytes) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    workspace._add_evidence_files(page_of(workspace).indicator.id, [source], "Statutes of 2019")


def test_delete_removes_the_evidence_after_asking(
    qtbot: QtBot, window: MainWindow, data_dir: Path, tmp_path: Path, messages: Messages
) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("2.4")
    attach(workspace, tmp_path, "Satzung.pdf", b"%PDF-1.4 statutes")
    page = page_of(workspace)
    [item] = stored(data_dir, assessment_id)[0]
    page.evidence_list.setFocus()
    qtbot.keyClick(page.evidence_list, Qt.Key.Key_Delete)
    assert messages.shown and messages.shown[-1][0] == "Remove evidence"
    assert "Statutes of 2019" in messages.shown[-1][1] and "audit trail" in messages.shown[-1][1]
    assert stored(data_dir, assessment_id)[0] == []
    assert listed(page_of(workspace)) == ["No files attached yet"]
    assert not (window.context.evidence_dir / assessment_id / item.stored_name).exists()  # type: ignore[union-attr]
    assert "Evidence removed" in window.save_label.text()


def test_cancelling_the_question_keeps_the_evidence(
    qtbot: QtBot, window: MainWindow, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Cancel)
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("2.4")
    attach(workspace, tmp_path, "Satzung.pdf", b"%PDF-1.4 statutes")
    qtbot.keyClick(page_of(workspace).evidence_list, Qt.Key.Key_Delete)
    assert len(stored(data_dir, assessment_id)[0]) == 1


def test_f2_renames_and_the_context_menu_relinks(
    qtbot: QtBot, window: MainWindow, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("2.4")
    attach(workspace, tmp_path, "Satzung.pdf", b"%PDF-1.4 statutes")
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("Statutes, amended 2023", True))
    qtbot.keyClick(page_of(workspace).evidence_list, Qt.Key.Key_F2)
    assert stored(data_dir, assessment_id)[0][0].description == "Statutes, amended 2023"
    assert any(text.startswith("Statutes, amended 2023") for text in listed(page_of(workspace)))

    def choose(dialog: EvidenceLinkDialog) -> int:
        dialog.set_checked("2.4", False)
        dialog.set_checked("1.1.0", True)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(EvidenceLinkDialog, "exec", choose)
    page = page_of(workspace)
    evidence = page.evidence_list.item(0).data(EVIDENCE_ROLE)
    assert isinstance(evidence, EvidenceItem)
    menu = page.evidence_menu(evidence)
    texts = [action.text().split("\t")[0] for action in menu.actions()]
    assert texts == ["&Open", "&Rename…", "&Link to indicators…", "Re&move from the assessment…"]
    menu.actions()[2].trigger()
    assert stored(data_dir, assessment_id)[0][0].indicators == ("1.1.0",)
    assert listed(page_of(workspace)) == ["No files attached yet"]  # no longer on 2.4
    workspace.jump_to("1.1.0")
    assert any("Satzung.pdf" in text for text in listed(page_of(workspace)))


def test_an_empty_file_is_refused_with_its_name(
    qtbot: QtBot, window: MainWindow, data_dir: Path, tmp_path: Path, messages: Messages
) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("2.4")
    attach(workspace, tmp_path, "Leere Liste.xlsx", b"")
    assert messages.shown == [("Evidence not attached", messages.shown[0][1])]
    assert "Leere Liste.xlsx" in messages.shown[0][1] and "empty" in messages.shown[0][1]
    assert stored(data_dir, assessment_id)[0] == []


def test_the_evidence_checklist_is_ticked_and_stays_ticked(
    qtbot: QtBot, window: MainWindow, data_dir: Path, tmp_path: Path
) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("1.1.0")
    page = page_of(workspace)
    assert [box.text() for box in page.evidence_checks][:2] == ["Member list", "Statutes"]
    page.evidence_checks[1].setFocus()
    qtbot.keyClick(page.evidence_checks[1], Qt.Key.Key_Space)
    assert stored(data_dir, assessment_id)[1]["1.1.0"].evidence_checked == (1,)
    assert page.attached_hint is not None and page.attached_hint.isHidden()
    attach(workspace, tmp_path, "Mitgliederliste.xlsx", b"PK list")
    assert page.attached_hint.isVisibleTo(page) and "1 file(s) attached" in page.attached_hint.text()
    workspace.jump_to("1.1.1")
    workspace.jump_to("1.1.0")
    assert [box.isChecked() for box in page_of(workspace).evidence_checks] == [False, True, False]


def test_the_finding_for_the_report_is_saved_apart_from_the_internal_notes(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("2.4")
    page = page_of(workspace)
    qtbot.keyClicks(page.finding_edit, "Clear statutes.")
    qtbot.keyClicks(page.note_edit, "Ask about the minutes")
    assert workspace.has_pending
    qtbot.waitUntil(lambda: not workspace.has_pending, timeout=3000)
    state = stored(data_dir, assessment_id)[1]["2.4"]
    assert (state.finding, state.note) == ("Clear statutes.", "Ask about the minutes")
    assert page.note_edit.accessibleName() == "Internal notes"
