"""One editor class per answer type, chosen by a registry (adding a type = one enum member + one class).

Editors show a value and report what the person entered (`edited(raw)`); they never write the model.
The page hands the raw input to the interview, which validates, stores and answers back.

Keyboard: Enter in a line, a choice or a check box list commits the answer and asks the page to move
on (`next_requested`); in a long text Enter is a new line and Ctrl+Enter moves on.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QObject, QSignalBlocker, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFocusEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from esca_desktop.forms.catalog import Field, FieldType
from esca_desktop.forms.values import (
    AnswerValue,
    ValueProblem,
    format_date_typed,
    format_value,
    parse_date,
    parse_value,
)
from esca_desktop.ui.style import role

YES_NO_LABELS = {"en": ("Yes", "No"), "de": ("Ja", "Nein")}
NOT_ANSWERED = {"en": "— not answered —", "de": "— keine Angabe —"}


class FieldEditor(QObject):
    """Base class: `widget` is what the page lays out; `edited(raw)` fires on every change;
    `committed()` fires when the person leaves the editor (a moment to save at once);
    `next_requested()` when Enter asks to go on to the next field (after `committed`)."""

    edited = Signal(object)
    committed = Signal()
    next_requested = Signal()

    def __init__(self, field: Field, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.lang = lang
        self.widget = self.build()
        self.widget.setAccessibleName(field.label.get(lang))
        if field.help:
            self.widget.setAccessibleDescription(field.help.get(lang))

    def build(self) -> QWidget:
        raise NotImplementedError

    def set_value(self, value: AnswerValue) -> None:
        raise NotImplementedError

    def show_answer(self, value: AnswerValue, draft: str | None) -> None:
        """Show the stored answer, or the invalid text kept for the field."""
        self.set_value(value)

    def set_read_only(self, read_only: bool) -> None:
        self.widget.setEnabled(not read_only)

    def focus_widget(self) -> QWidget:
        return self.widget


class _CommitOnFocusOut(QObject):
    """Emits `committed` of an editor when one of its widgets loses the keyboard focus."""

    def __init__(self, editor: FieldEditor) -> None:
        super().__init__(editor)
        self.editor = editor

    def eventFilter(self, watched: QObject, event: Any) -> bool:
        if isinstance(event, QFocusEvent) and event.type() == QFocusEvent.Type.FocusOut:
            self.editor.committed.emit()
        return False


def _watch_focus(editor: FieldEditor, *widgets: QWidget) -> None:
    watcher = _CommitOnFocusOut(editor)
    for widget in widgets:
        widget.installEventFilter(watcher)


class _AnswerUndo(QObject):
    """Leaves Ctrl+Z / Ctrl+Shift+Z to the window's answer undo instead of the widget's own text undo,
    which knows nothing of what was saved (one undo history for every answer, typed or chosen)."""

    def eventFilter(self, watched: QObject, event: Any) -> bool:
        if (
            event.type() == QKeyEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and (event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo))
        ):
            event.ignore()  # not for the widget: the shortcut of the window's action runs
            return True
        return False


def _route_undo(editor: FieldEditor, *widgets: QWidget) -> None:
    router = _AnswerUndo(editor)
    for widget in widgets:
        widget.installEventFilter(router)


_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _EnterMovesOn(QObject):
    """Enter (or Ctrl+Enter where Enter is a new line) commits the editor's answer and asks for the
    next field, as an assessor filling a form with the keyboard expects."""

    def __init__(self, editor: FieldEditor, with_control: bool) -> None:
        super().__init__(editor)
        self.editor = editor
        self.with_control = with_control

    def eventFilter(self, watched: QObject, event: Any) -> bool:
        if event.type() != QKeyEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() not in _ENTER_KEYS:
            return False
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        wanted = Qt.KeyboardModifier.ControlModifier if self.with_control else Qt.KeyboardModifier.NoModifier
        if modifiers != wanted:
            return False
        self.editor.committed.emit()
        self.editor.next_requested.emit()
        return True


def _enter_moves_on(editor: FieldEditor, *widgets: QWidget, with_control: bool = False) -> None:
    mover = _EnterMovesOn(editor, with_control)
    for widget in widgets:
        widget.installEventFilter(mover)


class LineEditor(FieldEditor):
    """Numbers, years, short texts: a line edit with the unit beside it."""

    def build(self) -> QWidget:
        container = QWidget()
        layout = QHBoxLayout(container)
        layout.setContentsMargins(0, 0, 0, 0)
        self.line = QLineEdit()
        self.line.setAccessibleName(self.field.label.get(self.lang))
        placeholder = self.placeholder()
        if placeholder:
            self.line.setPlaceholderText(placeholder)
        if self.field.type.is_numeric:
            self.line.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.line.setMaximumWidth(self.line.fontMetrics().horizontalAdvance("0") * 18)
        layout.addWidget(self.line, 0 if self.field.type.is_numeric else 1)
        unit = self.unit_text()
        if unit:
            label = QLabel(unit)
            role(label, "unitLabel")
            layout.addWidget(label)
        if self.field.type.is_numeric:
            layout.addStretch(1)
        self.line.textEdited.connect(lambda text: self.edited.emit(text))
        self.line.editingFinished.connect(self.committed)
        _route_undo(self, self.line)
        _enter_moves_on(self, self.line)
        container.setFocusProxy(self.line)
        return container

    def unit_text(self) -> str:
        if self.field.type is FieldType.PERCENT:
            return "%"
        if self.field.type is FieldType.MONEY:
            return self.field.unit.get(self.lang) or "EUR"
        return self.field.unit.get(self.lang)

    def placeholder(self) -> str:
        kind = self.field.type
        if kind is FieldType.YEAR:
            return "2024"
        if kind in (FieldType.DECIMAL, FieldType.MONEY, FieldType.PERCENT):
            return "0.0" if self.lang == "en" else "0,0"
        return ""

    def set_value(self, value: AnswerValue) -> None:
        self._show_text("" if value is None else self.text_of(value))

    def show_answer(self, value: AnswerValue, draft: str | None) -> None:
        if draft is not None:
            self._show_text(draft)
        elif not (self.line.hasFocus() and self._typed_value() == value):
            # what is being typed stays as typed ("3.12.2" is not rewritten while "6" is still to come)
            self.set_value(value)

    def _typed_value(self) -> AnswerValue:
        try:
            return parse_value(self.field, self.line.text(), self.lang)
        except ValueProblem:
            return None

    def _show_text(self, text: str) -> None:
        if self.line.text() != text:
            with QSignalBlocker(self.line):
                self.line.setText(text)

    def text_of(self, value: AnswerValue) -> str:
        if self.field.type in (FieldType.DECIMAL, FieldType.PERCENT, FieldType.MONEY):
            text = format(value, "f")
            return text.replace(".", ",") if self.lang == "de" else text
        return str(value)

    def set_read_only(self, read_only: bool) -> None:
        self.line.setReadOnly(read_only)

    def focus_widget(self) -> QWidget:
        return self.line


class UrlEditor(LineEditor):
    def build(self) -> QWidget:
        container = super().build()
        self.line.setPlaceholderText("https://")
        open_button = QToolButton()
        open_button.setText(self.tr("Open"))
        open_button.setToolTip(self.tr("Open the address in the web browser"))
        open_button.clicked.connect(self._open)
        layout = container.layout()
        assert layout is not None
        layout.addWidget(open_button)
        return container

    def _open(self) -> None:
        text = self.line.text().strip()
        if text:
            QDesktopServices.openUrl(QUrl.fromUserInput(text))


class DateEditor(LineEditor):
    def build(self) -> QWidget:
        container = super().build()
        # Shown day first with dots, as the printed protocol asks dates to be written; typed also as
        # 3.12.26, 3/12/2026 or 2026-12-03 (see forms.values.parse_date).
        self.line.setPlaceholderText(self.tr("DD.MM.YYYY"))
        self.line.setToolTip(self.tr("Type a date as 3.12.26, 03.12.2026, 3/12/2026 or 2026-12-03 (day first)"))
        self.line.setMaximumWidth(self.line.fontMetrics().horizontalAdvance("0") * 16)
        self.line.editingFinished.connect(self._show_typed_date_as_stored)
        self.button = QToolButton()
        self.button.setText("…")
        self.button.setToolTip(self.tr("Choose a date"))
        self.button.setAccessibleName(self.tr("Choose a date"))
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.button)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        menu.aboutToShow.connect(self._sync_calendar)

        def picked(date: QDate) -> None:
            self._pick(date)
            menu.close()

        self.calendar.clicked.connect(picked)
        self.button.setMenu(menu)
        layout = container.layout()
        assert isinstance(layout, QHBoxLayout)
        layout.setStretch(0, 0)
        layout.insertWidget(1, self.button)
        layout.addStretch(1)
        return container

    def _sync_calendar(self) -> None:
        try:
            date = parse_date(self.line.text(), self.lang)
            self.calendar.setSelectedDate(QDate(date.year, date.month, date.day))
        except ValueProblem:
            self.calendar.setSelectedDate(QDate.currentDate())

    def _show_typed_date_as_stored(self) -> None:
        """On leaving the field, "3.12.26" becomes "03.12.2026": the date that was understood."""
        try:
            date = parse_date(self.line.text(), self.lang)
        except ValueProblem:
            return
        self._show_text(format_date_typed(date))

    def _pick(self, date: QDate) -> None:
        text = format_date_typed(dt.date(date.year(), date.month(), date.day()))
        self.line.setText(text)
        self.edited.emit(text)
        self.committed.emit()

    def text_of(self, value: AnswerValue) -> str:
        return format_date_typed(value) if isinstance(value, dt.date) else str(value)

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        self.button.setEnabled(not read_only)


class ComboEditor(FieldEditor):
    """Yes/no and single choice: a combo box whose first item means "not answered"."""

    def options(self) -> list[tuple[str, Any]]:
        if self.field.type is FieldType.YES_NO:
            yes, no = YES_NO_LABELS.get(self.lang, YES_NO_LABELS["en"])
            return [(yes, True), (no, False)]
        return [(choice.label.get(self.lang), choice.id) for choice in self.field.choices]

    def build(self) -> QWidget:
        self.combo = QComboBox()
        self.combo.addItem(NOT_ANSWERED.get(self.lang, NOT_ANSWERED["en"]), None)
        for label, data in self.options():
            self.combo.addItem(label, data)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.activated.connect(self._chosen)
        _watch_focus(self, self.combo)
        _enter_moves_on(self, self.combo)  # closed: Enter confirms what is shown and moves on
        self.combo.view().installEventFilter(self)  # open: Enter picks the highlighted entry and moves on
        container = QWidget()
        layout = QHBoxLayout(container)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addStretch(1)
        container.setFocusProxy(self.combo)
        return container

    def _chosen(self, _index: int) -> None:
        self.edited.emit(self.combo.currentData())
        self.committed.emit()

    def eventFilter(self, watched: QObject, event: Any) -> bool:
        if (
            event.type() == QKeyEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER_KEYS
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            row = self.combo.view().currentIndex().row()
            self.combo.hidePopup()
            if row >= 0:
                self.combo.setCurrentIndex(row)
                self._chosen(row)
            self.next_requested.emit()
            return True
        return False

    def set_value(self, value: AnswerValue) -> None:
        index = self.combo.findData(value) if value is not None else 0
        with QSignalBlocker(self.combo):
            self.combo.setCurrentIndex(max(index, 0))

    def focus_widget(self) -> QWidget:
        return self.combo


class MultiChoiceEditor(FieldEditor):
    """Multiple choice: a grid of check boxes."""

    def build(self) -> QWidget:
        container = QWidget()
        grid = QGridLayout(container)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(18)
        self.boxes: dict[str, QCheckBox] = {}
        columns = 2 if len(self.field.choices) > 4 else 1
        for n, choice in enumerate(self.field.choices):
            box = QCheckBox(choice.label.get(self.lang))
            box.toggled.connect(self._changed)
            self.boxes[choice.id] = box
            grid.addWidget(box, n // columns, n % columns)
        _watch_focus(self, *self.boxes.values())
        _enter_moves_on(self, *self.boxes.values())  # Space ticks a box, Enter goes on to the next field
        if self.boxes:
            container.setFocusProxy(next(iter(self.boxes.values())))
        return container

    def _changed(self) -> None:
        self.edited.emit([choice_id for choice_id, box in self.boxes.items() if box.isChecked()])

    def set_value(self, value: AnswerValue) -> None:
        selected = set(value) if isinstance(value, tuple) else set()
        for choice_id, box in self.boxes.items():
            with QSignalBlocker(box):
                box.setChecked(choice_id in selected)


class _PlainText(QPlainTextEdit):
    """Tab moves the focus on (an interview form is filled with the keyboard)."""

    def __init__(self) -> None:
        super().__init__()
        self.setTabChangesFocus(True)


class LongTextEditor(FieldEditor):
    def build(self) -> QWidget:
        self.text = _PlainText()
        lines = 4
        self.text.setMinimumHeight(self.text.fontMetrics().lineSpacing() * lines + 12)
        self.text.setMaximumHeight(self.text.fontMetrics().lineSpacing() * 10 + 12)
        self.text.textChanged.connect(lambda: self.edited.emit(self.text.toPlainText()))
        _watch_focus(self, self.text)
        _route_undo(self, self.text)
        _enter_moves_on(self, self.text, with_control=True)  # Enter is a new line here
        self.text.setToolTip(self.tr("Enter starts a new line; Ctrl+Enter goes on to the next field"))
        return self.text

    def set_value(self, value: AnswerValue) -> None:
        self.show_answer(value, None)

    def show_answer(self, value: AnswerValue, draft: str | None) -> None:
        text = draft if draft is not None else "" if value is None else str(value)
        if self.text.toPlainText().rstrip() != text.rstrip():
            with QSignalBlocker(self.text):
                self.text.setPlainText(text)

    def set_read_only(self, read_only: bool) -> None:
        self.text.setReadOnly(read_only)


class ComputedView(FieldEditor):
    """A computed field: shown, never typed in."""

    def build(self) -> QWidget:
        self.label = QLabel("—")
        role(self.label, "computedValue")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return self.label

    def set_value(self, value: AnswerValue) -> None:
        shown = format_value(self.field, value, self.lang) if value is not None else "—"
        hint = self.tr("computed")
        self.label.setText(f"{html.escape(shown)}   <span style='font-weight:normal; color:gray'>{hint}</span>")

    def set_read_only(self, read_only: bool) -> None:
        pass


EDITORS: dict[FieldType, Callable[[Field, str, QWidget | None], FieldEditor]] = {
    FieldType.INTEGER: LineEditor,
    FieldType.DECIMAL: LineEditor,
    FieldType.PERCENT: LineEditor,
    FieldType.MONEY: LineEditor,
    FieldType.YEAR: LineEditor,
    FieldType.DATE: DateEditor,
    FieldType.YES_NO: ComboEditor,
    FieldType.SINGLE_CHOICE: ComboEditor,
    FieldType.MULTIPLE_CHOICE: MultiChoiceEditor,
    FieldType.SHORT_TEXT: LineEditor,
    FieldType.LONG_TEXT: LongTextEditor,
    FieldType.URL: UrlEditor,
}


def editor_for(field: Field, lang: str, parent: QWidget | None = None) -> FieldEditor:
    if field.computed:
        return ComputedView(field, lang, parent)
    return EDITORS[field.type](field, lang, parent)
