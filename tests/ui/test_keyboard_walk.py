"""A whole Bronze assessment answered with the keyboard only, as an assessor does on site: the sample
answers typed into the real window (no mouse, no widget setters), moving with Enter, Tab, Ctrl+Enter
and Ctrl+PgDown up to the summary; then every answer and note is read back from the database."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QWidget
from pytestqt.qtbot import QtBot

from esca_desktop.context import open_context
from esca_desktop.domain.model import Organisation
from esca_desktop.forms.catalog import Field, FieldType
from esca_desktop.forms.values import parse_value
from esca_desktop.resources import resource
from esca_desktop.services.assessments import AssessmentService, NewAssessment
from esca_desktop.ui.indicator_page import IndicatorPage
from esca_desktop.ui.main_window import MainWindow
from tests.ui.conftest import Messages, make_window
from tests.ui.test_window import workspace_of

CTRL = Qt.KeyboardModifier.ControlModifier
NOTES = "internal notes"


def bronze_sample() -> tuple[dict[str, Any], dict[str, str]]:
    sample = json.loads(resource("samples", "bronze.json").read_text(encoding="utf-8"))
    # the two required answers of B6.5 the sample leaves for the interview
    return {**sample["answers"], "B6.5.joined": 6, "B6.5.left": 2}, sample["notes"]


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key where the keyboard focus is, like a person pressing it."""
    QtBot.keyClick(focused(), key, modifier)


def type_text(text: str) -> None:
    QtBot.keyClicks(focused(), text)


def place_of_focus(page: IndicatorPage) -> str:
    widget = focused()
    if widget is page.note_edit:
        return NOTES
    for key, editor in page.editors.items():
        if widget is editor.widget or editor.widget.isAncestorOf(widget):
            return key
    return f"{type(widget).__name__} {widget.accessibleName()!r}"


def typed_form(field: Field, value: Any) -> str:
    """What the assessor types for a sample value (dates the local way, as on the paper protocol)."""
    if field.type is FieldType.DATE:
        date = dt.date.fromisoformat(value)
        return f"{date.day}.{date.month}.{date.year % 100:02d}"
    return str(value)


def answer_with_keys(field: Field, value: Any) -> None:
    """Answer the focused field (or leave it empty) and move on with the key that does it there."""
    kind = field.type
    widget = focused()
    if kind is FieldType.YES_NO:
        assert isinstance(widget, QComboBox)
        if value is not None:  # closed list: Down chooses Yes, then No
            for _ in range(1 if value else 2):
                press(Qt.Key.Key_Down)
        press(Qt.Key.Key_Return)
    elif kind is FieldType.SINGLE_CHOICE:
        assert isinstance(widget, QComboBox)
        if value is not None:  # open the list, walk down to the entry, Enter takes it and moves on
            press(Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
            assert widget.view().isVisible()
            for _ in range(widget.findData(value)):
                press(Qt.Key.Key_Down)
        press(Qt.Key.Key_Return)
    elif kind is FieldType.MULTIPLE_CHOICE:
        chosen = set(value or ())
        for n, choice in enumerate(field.choices):
            box = focused()
            assert isinstance(box, QCheckBox) and box.text() == choice.label.get("en")
            if choice.id in chosen:
                press(Qt.Key.Key_Space)
            if n < len(field.choices) - 1:
                press(Qt.Key.Key_Tab)
        press(Qt.Key.Key_Return)
    elif kind is FieldType.LONG_TEXT:
        for n, line in enumerate(str(value or "").split("\n")):
            if n:
                press(Qt.Key.Key_Return)  # a new line in a long text
            type_text(line)
        press(Qt.Key.Key_Return, CTRL)
    else:
        if value is not None:
            type_text(typed_form(field, value))
        press(Qt.Key.Key_Return)


def expected_after(page: IndicatorPage, key: str) -> str:
    """The next field that can be answered now (relevance follows what was just answered)."""
    fields = list(page.indicator.fields)
    position = [f.key for f in fields].index(key)
    for field in fields[position + 1 :]:
        if not field.computed and page.session.field_relevant(field):
            return field.key
    return NOTES


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")  # offscreen popups
def test_a_whole_bronze_assessment_answered_with_the_keyboard_only_is_stored(
    qtbot: QtBot, data_dir: Path, messages: Messages
) -> None:
    answers, notes = bronze_sample()
    window: MainWindow = make_window(qtbot, data_dir)
    assert window.service is not None
    assessment_id, _ = window.service.create(
        NewAssessment("bronze", Organisation("Hellenic Food Cluster", "GR", sector="food"), ("Anna Assessor",))
    )
    window.refresh_list()
    window.open_assessment(assessment_id)
    workspace = workspace_of(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: workspace.page is not None and place_of_focus(workspace.page) == "B1.1.founded")

    visited: list[str] = []
    while workspace.stack.currentWidget() is not workspace.summary:
        page = workspace.page
        assert page is not None
        visited.append(page.indicator.id)
        first = next(f.key for f in page.indicator.fields if not f.computed and page.session.field_relevant(f))
        assert place_of_focus(page) == first
        key = first
        while key != NOTES:
            answer_with_keys(page.session.catalog.field_by_key[key], answers.get(key))
            after = place_of_focus(page)
            assert after == expected_after(page, key), f"Enter in {key} went to {after}"
            key = after
        if page.indicator.id in notes:
            type_text(notes[page.indicator.id])
        press(Qt.Key.Key_PageDown, CTRL)
        assert workspace.page is not page or workspace.stack.currentWidget() is workspace.summary

    catalog = workspace.session.catalog
    assert visited == [indicator.id for indicator in catalog.indicators]
    assert messages.shown == []

    context = open_context(data_dir)  # a fresh read of what is on disk
    try:
        stored = AssessmentService(context).open(assessment_id).session
        for key, value in answers.items():
            field = catalog.field_by_key[key]
            assert stored.value(key) == parse_value(field, value), key
        assert stored.drafts == {}
        for indicator_id, note in notes.items():
            assert stored.state(indicator_id).note == note
        assert stored.problems() == []
    finally:
        context.close()
    window.close()
