"""The interview with the keyboard: Enter moves on (Ctrl+Enter in a long text), dates typed the local
way, the page's shortcuts (notes, follow-up, attach, finding), the override form in Tab order, and a
name for every widget the keyboard can reach (what a screen reader says)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from esca_desktop.domain.model import Organisation
from esca_desktop.services.assessments import NewAssessment
from esca_desktop.ui.indicator_page import IndicatorPage
from esca_desktop.ui.main_window import MainWindow
from esca_desktop.ui.workspace import InterviewWorkspace
from tests.ui.conftest import Messages
from tests.ui.test_window import line_of, stored_value, workspace_of

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def open_bronze(qtbot: QtBot, window: MainWindow, indicator_id: str) -> tuple[str, InterviewWorkspace, IndicatorPage]:
    assert window.service is not None
    assessment_id, _ = window.service.create(
        NewAssessment("bronze", Organisation("Hellenic Food Cluster", "GR", sector="food"), ("Anna Assessor",))
    )
    window.refresh_list()
    window.open_assessment(assessment_id)
    workspace = workspace_of(window)
    window.activateWindow()
    workspace.jump_to(indicator_id)
    assert workspace.page is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    return assessment_id, workspace, workspace.page


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def editor_widget(page: IndicatorPage, key: str) -> QWidget:
    return page.editors[key].focus_widget()


def test_enter_in_a_number_saves_it_and_moves_to_the_next_field(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    assessment_id, _workspace, page = open_bronze(qtbot, window, "B1.4")
    assert focused() is editor_widget(page, "B1.4.committed_members")
    qtbot.keyClicks(focused(), "64")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert focused() is editor_widget(page, "B1.4.members_prev")
    assert stored_value(data_dir, assessment_id, "B1.4.committed_members") == 64


def test_enter_in_a_choice_confirms_it_and_moves_on(qtbot: QtBot, window: MainWindow, data_dir: Path) -> None:
    assessment_id, _workspace, page = open_bronze(qtbot, window, "B2.1")
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # the first kind of set-up
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert focused() is editor_widget(page, "B2.1.fulltime_manager")
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # yes
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert focused() is page.note_edit  # after the last field: the internal notes
    assert stored_value(data_dir, assessment_id, "B2.1.set_up") == "own_entity"
    assert stored_value(data_dir, assessment_id, "B2.1.fulltime_manager") is True


def test_enter_skips_fields_that_are_computed_or_do_not_apply(qtbot: QtBot, window: MainWindow) -> None:
    _id, _workspace, page = open_bronze(qtbot, window, "B1.1")
    qtbot.keyClicks(focused(), "2017")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.keyClicks(focused(), "2026")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # the age is computed: not a place to type
    assert focused() is page.note_edit


def test_enter_in_a_long_text_is_a_new_line_and_ctrl_enter_moves_on(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    assessment_id, _workspace, page = open_bronze(qtbot, window, "B2.7")
    qtbot.keyClicks(focused(), "4")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    topics = editor_widget(page, "B2.7.priority_topics")
    assert focused() is topics
    qtbot.keyClicks(topics, "Export")
    qtbot.keyClick(topics, Qt.Key.Key_Return)
    qtbot.keyClicks(topics, "Digitalisation")
    assert focused() is topics
    qtbot.keyClick(topics, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert focused() is page.note_edit
    assert stored_value(data_dir, assessment_id, "B2.7.priority_topics") == "Export\nDigitalisation"


@pytest.mark.parametrize("typed", ["3.12.26", "03.12.2026", "3/12/2026", "2026-12-03"])
def test_a_date_typed_the_local_way_is_stored_and_shown_as_understood(
    qtbot: QtBot, window: MainWindow, data_dir: Path, typed: str
) -> None:
    assessment_id, workspace, page = open_bronze(qtbot, window, "B5.5")
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # a survey was done: its date is asked
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    date = line_of(workspace, "B5.5.survey_date")
    assert focused() is date
    qtbot.keyClicks(date, typed)
    assert not page.messages["B5.5.survey_date"].isVisible()
    qtbot.keyClick(date, Qt.Key.Key_Return)
    assert stored_value(data_dir, assessment_id, "B5.5.survey_date") == dt.date(2026, 12, 3)
    assert date.text() == "03.12.2026"
    assert focused() is not date


def test_an_impossible_date_is_refused_with_a_clear_message(
    qtbot: QtBot, messages: Messages, window: MainWindow
) -> None:
    _id, workspace, page = open_bronze(qtbot, window, "B5.5")
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.keyClicks(line_of(workspace, "B5.5.survey_date"), "31.02.2026")
    message = page.messages["B5.5.survey_date"]
    assert message.isVisible() and "31.02.2026 is not a date" in message.text()


def test_the_page_shortcuts_reach_notes_finding_follow_up_and_attach(
    qtbot: QtBot, window: MainWindow, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _assessment_id, workspace, page = open_bronze(qtbot, window, "B1.4")
    field = focused()
    qtbot.keyClick(field, Qt.Key.Key_N, CTRL_SHIFT)
    assert focused() is page.note_edit
    qtbot.keyClick(focused(), Qt.Key.Key_R, CTRL_SHIFT)
    assert focused() is page.finding_edit
    qtbot.keyClick(focused(), Qt.Key.Key_F, CTRL_SHIFT)
    assert page.follow_up.isChecked()
    assert workspace.session.state("B1.4").follow_up
    asked: list[Any] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *args, **kw: (asked.append(args), ([], ""))[1])
    qtbot.keyClick(focused(), Qt.Key.Key_A, CTRL_SHIFT)
    assert len(asked) == 1  # the file dialog to attach evidence
    qtbot.keyClick(focused(), Qt.Key.Key_F, CTRL_SHIFT)
    assert not workspace.session.state("B1.4").follow_up
    # shown where a person looks for them: the Edit menu and the tooltips
    shown = {a.text(): a.shortcut().toString() for a in window.menuBar().actions()[1].menu().actions()}
    assert shown["Internal &notes"] == "Ctrl+Shift+N"
    assert shown["Follo&w up later"] == "Ctrl+Shift+F"
    assert shown["&Attach evidence…"] == "Ctrl+Shift+A"
    assert shown["Finding for the re&port"] == "Ctrl+Shift+R"
    assert "Ctrl+Shift+N" in page.note_edit.toolTip() and "Ctrl+Shift+F" in page.follow_up.toolTip()


def test_no_two_commands_of_the_window_share_a_shortcut(window: MainWindow) -> None:
    seen: dict[str, str] = {}
    for action in window.findChildren(QAction):
        for keys in action.shortcuts():
            text = keys.toString(QKeySequence.SequenceFormat.PortableText)
            assert text not in seen, f"{text}: {seen.get(text)} and {action.text()}"
            seen[text] = action.text()
    assert {"Ctrl+Shift+N", "Ctrl+Shift+F", "Ctrl+Shift+A", "Ctrl+Shift+R"} <= set(seen)


def test_the_override_form_comes_right_after_its_check_box_in_tab_order(qtbot: QtBot, window: MainWindow) -> None:
    _id, _workspace, page = open_bronze(qtbot, window, "B1.4")
    page.override_check.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(page.override_check, Qt.Key.Key_Space)
    assert page.override_form is not None and page.override_form.isVisible()
    assert not page.override_points.isEnabled()  # Bronze gives no points: nothing to type there
    reached = []
    for _ in range(4):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        reached.append(focused())
    assert reached == [page.override_status, page.override_justification, page.override_apply, page.finding_edit]
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)
    assert focused() is page.override_apply


def reachable_by_tab(root: QWidget) -> list[QWidget]:
    return [
        widget
        for widget in root.findChildren(QWidget)
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(root) and widget.isEnabled()
    ]


def spoken_name(widget: QWidget) -> str:
    """What assistive technology announces: the accessible name, or the text or buddy label Qt finds."""
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


@pytest.mark.parametrize("indicator_id", ["B1.5", "B2.6", "B5.5", "B6.1", "B6.3"])
def test_every_widget_the_keyboard_reaches_on_a_page_has_a_name(
    qtbot: QtBot, window: MainWindow, indicator_id: str
) -> None:
    _id, _workspace, page = open_bronze(qtbot, window, indicator_id)
    page.override_check.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(page.override_check, Qt.Key.Key_Space)  # the override form too
    widgets = reachable_by_tab(page)
    assert len(widgets) > 8
    unnamed = [f"{type(w).__name__} {w.objectName()}" for w in widgets if not spoken_name(w)]
    assert unnamed == []


def test_every_widget_the_keyboard_reaches_on_the_summary_has_a_name(qtbot: QtBot, window: MainWindow) -> None:
    _id, workspace, _page = open_bronze(qtbot, window, "B1.1")
    window.summary_action.trigger()
    widgets = reachable_by_tab(workspace.summary)
    assert widgets
    unnamed = [f"{type(w).__name__} {w.objectName()} {w.toolTip()}" for w in widgets if not spoken_name(w)]
    assert unnamed == []
