"""The Visit page of the workspace: the agenda of interview sessions, who attended each, the visit's
quick notes (internal, timestamped) and the time counted per area. Every edit is stored at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from esca_desktop.domain.model import Changes, VisitSession
from esca_desktop.errors import UserError
from esca_desktop.services.visit import Visit
from esca_desktop.ui.style import role
from esca_desktop.ui.visit_timer import format_duration


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().lineSpacing() + 8)
    table.setMinimumHeight((table.fontMetrics().lineSpacing() + 8) * 5)
    return table


def _line(placeholder: str, accessible: str, width_chars: int = 0) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setAccessibleName(accessible)
    if width_chars:
        edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("0") * width_chars + 16)
    return edit


class VisitPage(QScrollArea):
    changed = Signal(object)  # Changes
    sessions_changed = Signal(list)  # the agenda, for the header

    def __init__(
        self,
        visit: Visit,
        editable: bool,
        area_time: Callable[[str], float],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.visit = visit
        self.editable = editable
        self.area_time = area_time
        self.sessions: list[VisitSession] = []
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(18, 12, 18, 18)
        column.setSpacing(10)
        heading = QLabel(self.tr("Visit"))
        role(heading, "indicatorTitle")
        column.addWidget(heading)

        # --- agenda
        agenda = QGroupBox(self.tr("Agenda"))
        agenda_layout = QVBoxLayout(agenda)
        self.agenda = _table([self.tr("Day"), self.tr("Time"), self.tr("Topic"), self.tr("Areas"), self.tr("Present")])
        self.agenda.setAccessibleName(self.tr("Agenda"))
        self.agenda.itemSelectionChanged.connect(self._show_attendance)
        agenda_layout.addWidget(self.agenda)
        form = QHBoxLayout()
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd.MM.yyyy")
        self.day.setAccessibleName(self.tr("Day of the session"))
        first = visit.interview.assessment.interview_start or visit.context.clock().astimezone().date()
        self.day.setDate(QDate(first.year, first.month, first.day))
        self.start = _line(self.tr("from"), self.tr("Session starts at"), 6)
        self.end = _line(self.tr("to"), self.tr("Session ends at"), 6)
        self.topic = _line(self.tr("Topic, e.g. Strategy"), self.tr("Topic of the session"))
        self.areas = _line(self.tr("Areas, e.g. 1, 2"), self.tr("Areas planned"), 10)
        self.add_session_button = QPushButton(self.tr("Add session"))
        self.add_session_button.clicked.connect(lambda: self.add_session())
        self.remove_session_button = QPushButton(self.tr("Remove"))
        self.remove_session_button.setToolTip(self.tr("Remove the selected session and its attendance"))
        self.remove_session_button.clicked.connect(lambda: self.remove_session())
        for widget in (self.day, self.start, self.end, self.topic, self.areas):
            form.addWidget(widget, 1 if widget is self.topic else 0)
        form.addWidget(self.add_session_button)
        form.addWidget(self.remove_session_button)
        for edit in (self.start, self.end, self.topic, self.areas):
            edit.returnPressed.connect(self.add_session)
        agenda_layout.addLayout(form)
        column.addWidget(agenda)

        # --- attendance
        self.attendance_box = QGroupBox(self.tr("Attendance"))
        people_layout = QVBoxLayout(self.attendance_box)
        self.people = _table([self.tr("Name"), self.tr("Role"), self.tr("Organisation"), self.tr("Present")])
        self.people.setAccessibleName(self.tr("Attendance of the selected session"))
        people_layout.addWidget(self.people)
        person = QHBoxLayout()
        self.person_name = _line(self.tr("Name"), self.tr("Name of the person"))
        self.person_role = _line(self.tr("Role"), self.tr("Role of the person"))
        self.person_org = _line(self.tr("Organisation"), self.tr("Organisation of the person"))
        self.present_from = _line(self.tr("from"), self.tr("Present from"), 6)
        self.present_to = _line(self.tr("to"), self.tr("Present until"), 6)
        self.add_person_button = QPushButton(self.tr("Add person"))
        self.add_person_button.clicked.connect(lambda: self.add_person())
        self.remove_person_button = QPushButton(self.tr("Remove"))
        self.remove_person_button.setToolTip(self.tr("Remove the selected person from this session"))
        self.remove_person_button.clicked.connect(lambda: self.remove_person())
        for edit in (self.person_name, self.person_role, self.person_org, self.present_from, self.present_to):
            person.addWidget(edit, 0 if edit in (self.present_from, self.present_to) else 1)
            edit.returnPressed.connect(self.add_person)
        person.addWidget(self.add_person_button)
        person.addWidget(self.remove_person_button)
        people_layout.addLayout(person)
        column.addWidget(self.attendance_box)

        # --- quick notes and time per area
        lower = QHBoxLayout()
        notes_box = QGroupBox(self.tr("Quick notes (internal, never in the report)"))
        notes_layout = QVBoxLayout(notes_box)
        self.notes = QListWidget()
        self.notes.setAccessibleName(self.tr("Quick notes"))
        self.notes.setMinimumHeight(self.notes.fontMetrics().lineSpacing() * 5)
        notes_layout.addWidget(self.notes)
        note_row = QHBoxLayout()
        self.note_text = _line(self.tr("e.g. Board member left early"), self.tr("New quick note"))
        self.note_text.returnPressed.connect(lambda: self.add_note())
        self.add_note_button = QPushButton(self.tr("Add note"))
        self.add_note_button.clicked.connect(lambda: self.add_note())
        note_row.addWidget(self.note_text, 1)
        note_row.addWidget(self.add_note_button)
        notes_layout.addLayout(note_row)
        lower.addWidget(notes_box, 3)
        times_box = QGroupBox(self.tr("Interview time per area"))
        self.times = QLabel()
        self.times.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.times.setTextFormat(Qt.TextFormat.PlainText)
        QVBoxLayout(times_box).addWidget(self.times)
        lower.addWidget(times_box, 2)
        column.addLayout(lower)
        column.addStretch(1)
        self.setWidget(body)

        if not editable:
            for control in (
                self.day, self.start, self.end, self.topic, self.areas, self.add_session_button,
                self.remove_session_button, self.person_name, self.person_role, self.person_org,
                self.present_from, self.present_to, self.add_person_button, self.remove_person_button,
                self.note_text, self.add_note_button,
            ):  # fmt: skip
                control.setEnabled(False)
        self.refresh()

    # --- showing --------------------------------------------------------------------------------

    def refresh(self, select_id: str | None = None) -> None:
        if select_id is None:
            chosen = self.selected_session()
            select_id = chosen.id if chosen is not None else None
        self.sessions = self.visit.sessions()
        self.agenda.setRowCount(len(self.sessions))
        for row, s in enumerate(self.sessions):
            cells = [
                f"{s.day:%d.%m.%Y}",
                f"{s.start}–{s.end}",
                s.title,
                ", ".join(s.areas),
                str(len(s.attendees)),
            ]
            for col, text in enumerate(cells):
                self.agenda.setItem(row, col, QTableWidgetItem(text))
        row = next((n for n, s in enumerate(self.sessions) if s.id == select_id), 0 if self.sessions else -1)
        if row >= 0:
            self.agenda.selectRow(row)
        self._show_attendance()
        self.notes.clear()
        for note in self.visit.quick_notes():
            self.notes.addItem(f"{note.at.astimezone():%d.%m. %H:%M}  {note.text}")
        self.refresh_times()
        self.sessions_changed.emit(self.sessions)

    def refresh_times(self) -> None:
        lang = self.visit.interview.session.lang
        lines = [
            f"{area.id}  {area.title.get(lang)}:  {format_duration(self.area_time(area.id))}"
            for area in self.visit.interview.catalog.areas
        ]
        self.times.setText("\n".join(lines))

    def selected_session(self) -> VisitSession | None:
        rows = self.agenda.selectionModel().selectedRows() if self.agenda.selectionModel() else []
        if not rows or rows[0].row() >= len(self.sessions):
            return None
        return self.sessions[rows[0].row()]

    def _show_attendance(self) -> None:
        session = self.selected_session()
        people = session.attendees if session is not None else ()
        if session is None:
            self.attendance_box.setTitle(self.tr("Attendance (add a session first)"))
        else:
            self.attendance_box.setTitle(
                self.tr("Attendance: %1").replace("%1", f"{session.start}–{session.end} {session.title}".strip())
            )
        self.people.setRowCount(len(people))
        for row, p in enumerate(people):
            present = f"{p.present_from}–{p.present_to}" if p.present_from or p.present_to else self.tr("whole session")
            for col, text in enumerate((p.name, p.role, p.organisation, present)):
                self.people.setItem(row, col, QTableWidgetItem(text))
        can = self.editable and session is not None
        for widget in (self.person_name, self.person_role, self.person_org, self.present_from, self.present_to):
            widget.setEnabled(can)
        self.add_person_button.setEnabled(can)
        self.remove_person_button.setEnabled(can and bool(people))
        self.remove_session_button.setEnabled(can)

    # --- edits ----------------------------------------------------------------------------------

    def _run(self, action: Callable[[], Changes]) -> bool:
        try:
            changes = action()
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Not saved"), str(exc))
            return False
        self.changed.emit(changes)
        return True

    def add_session(self) -> None:
        if not self.editable:
            return
        qdate = self.day.date()
        day = dt.date(qdate.year(), qdate.month(), qdate.day())
        areas = [a.strip() for a in self.areas.text().replace(";", ",").split(",") if a.strip()]
        added: list[VisitSession] = []

        def add() -> Changes:
            session, changes = self.visit.add_session(day, self.start.text(), self.end.text(), self.topic.text(), areas)
            added.append(session)
            return changes

        if self._run(add):
            for edit in (self.start, self.end, self.topic, self.areas):
                edit.clear()
            self.refresh(select_id=added[0].id)
            self.start.setFocus()

    def remove_session(self) -> None:
        session = self.selected_session()
        if session is None or not self.editable:
            return
        if session.attendees:
            answer = QMessageBox.question(
                self,
                self.tr("Remove session"),
                self.tr("Remove the session and the attendance of %1 people?").replace(
                    "%1", str(len(session.attendees))
                ),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        if self._run(lambda: self.visit.remove_session(session.id)):
            self.refresh()

    def add_person(self) -> None:
        session = self.selected_session()
        if session is None or not self.editable:
            return

        def attend() -> Changes:
            _attendee, changes = self.visit.attend(
                session.id,
                self.person_name.text(),
                self.person_role.text(),
                self.person_org.text(),
                self.present_from.text(),
                self.present_to.text(),
            )
            return changes

        if self._run(attend):
            for edit in (self.person_name, self.person_role, self.person_org, self.present_from, self.present_to):
                edit.clear()
            self.refresh(select_id=session.id)
            self.person_name.setFocus()

    def remove_person(self) -> None:
        session = self.selected_session()
        rows = self.people.selectionModel().selectedRows()
        if session is None or not rows or not self.editable:
            return
        person = session.attendees[rows[0].row()]
        if self._run(lambda: self.visit.remove_attendee(person.id)):
            self.refresh(select_id=session.id)

    def add_note(self, text: str | None = None) -> bool:
        """Add a quick note (the typed one by default); True when it was stored."""
        if not self.editable:
            return False
        typed = self.note_text.text() if text is None else text
        if not typed.strip():
            return False

        def add() -> Changes:
            _note, changes = self.visit.add_quick_note(typed)
            return changes

        if not self._run(add):
            return False
        if text is None:
            self.note_text.clear()
        self.refresh()
        return True
