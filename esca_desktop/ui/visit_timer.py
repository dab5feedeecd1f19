"""The interview timer in the workspace header: the current (or next) session of the agenda and the
time spent on the area being interviewed, with Start/Pause.

Time is counted only while the timer runs and an indicator page is open; it goes to that page's area.
It is stored when the timer pauses, the area changes, the assessment closes, and every few minutes
while it runs, so that a restart keeps the totals. All times come from the context's clock."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from esca_desktop.domain.model import VisitSession
from esca_desktop.errors import UserError
from esca_desktop.services.visit import Visit, current_session
from esca_desktop.ui.elided_label import ElidedLabel
from esca_desktop.ui.style import role

logger = logging.getLogger(__name__)

TICK_MS = 1000
SAVE_EVERY_TICKS = 300  # while running, the time counted so far is stored every five minutes


def format_duration(seconds: float) -> str:
    whole = int(max(seconds, 0))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


class AreaTimer(QObject):
    """Counts interview time per area while running; the totals live in the store."""

    changed = Signal()

    def __init__(self, visit: Visit, clock: Callable[[], dt.datetime], editable: bool, parent: QObject | None = None):
        super().__init__(parent)
        self.visit = visit
        self.clock = clock
        self.editable = editable
        self.totals: dict[str, float] = visit.area_times()
        self.running = False
        self.area: str | None = None
        self._since: dt.datetime | None = None

    def _bank(self, now: dt.datetime) -> None:
        """Store the time counted since the last time it was stored."""
        if self.running and self.area is not None and self._since is not None:
            elapsed = (now - self._since).total_seconds()
            if elapsed > 0:
                try:
                    self.totals[self.area] = self.visit.add_area_time(self.area, elapsed)
                except UserError:
                    logger.warning("the interview time of area %s could not be stored", self.area, exc_info=True)
        self._since = now if self.running and self.area is not None else None

    def set_area(self, area_id: str | None) -> None:
        """The area of the page now open (None: no indicator page)."""
        if area_id == self.area:
            return
        now = self.clock()
        self._bank(now)
        self.area = area_id
        self._since = now if self.running and area_id is not None else None
        self.changed.emit()

    def start(self) -> None:
        if self.running or not self.editable:
            return
        self.running = True
        self._since = self.clock() if self.area is not None else None
        self.changed.emit()

    def pause(self) -> None:
        if not self.running:
            return
        self._bank(self.clock())
        self.running = False
        self._since = None
        self.changed.emit()

    def toggle(self) -> None:
        self.pause() if self.running else self.start()

    def save(self) -> None:
        """Store what was counted so far (the timer keeps running)."""
        self._bank(self.clock())

    def elapsed(self, area_id: str | None = None, now: dt.datetime | None = None) -> float:
        """Seconds spent on an area (by default the current one), the running part included."""
        area = self.area if area_id is None else area_id
        if area is None:
            return 0.0
        total = self.totals.get(area, 0.0)
        if self.running and area == self.area and self._since is not None:
            total += max(((now or self.clock()) - self._since).total_seconds(), 0.0)
        return total


class VisitBar(QFrame):
    """The header's piece of the visit: session now or next, the area's elapsed time, Start/Pause."""

    quick_note_requested = Signal()

    def __init__(self, timer: AreaTimer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timer = timer
        self.sessions: list[VisitSession] = timer.visit.sessions()
        self.session_label = ElidedLabel()  # a long topic is cut with "…", whole in the tooltip
        role(self.session_label, "mutedLabel")
        self.session_label.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 17)
        self.time_label = QLabel()
        self.time_label.setAccessibleName(self.tr("Interview time of the area"))
        self.toggle_button = QPushButton()
        self.toggle_button.setEnabled(timer.editable)
        self.toggle_button.clicked.connect(timer.toggle)
        self.note_button = QPushButton(self.tr("Note…"))
        self.note_button.setToolTip(
            self.tr("A note for the whole visit, with the time (internal, never in the report)")
        )
        self.note_button.setEnabled(timer.editable)
        self.note_button.clicked.connect(self.quick_note_requested)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        texts.setContentsMargins(0, 0, 0, 0)
        texts.addWidget(self.session_label)
        texts.addWidget(self.time_label)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addLayout(texts)
        row.addWidget(self.toggle_button)
        row.addWidget(self.note_button)
        self._ticks = 0
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()
        timer.changed.connect(self.refresh)
        self.refresh()

    def set_sessions(self, sessions: list[VisitSession]) -> None:
        self.sessions = sessions
        self.refresh()

    def _on_tick(self) -> None:
        self._ticks += 1
        if self.timer.running and self._ticks % SAVE_EVERY_TICKS == 0:
            self.timer.save()
        self.refresh()

    def session_text(self, now: dt.datetime) -> str:
        session, running = current_session(self.sessions, now)
        if session is None:
            return self.tr("No session planned")
        slot = f"{session.start}–{session.end} {session.title}".strip()
        if running:
            return self.tr("Now: %1").replace("%1", slot)
        if session.day != now.astimezone().date():
            slot = f"{session.day:%d.%m.} {slot}"
        return self.tr("Next: %1").replace("%1", slot)

    def refresh(self) -> None:
        now = self.timer.clock()
        self.session_label.setText(self.session_text(now))
        area = self.timer.area
        if area is None:
            self.time_label.setText(self.tr("No area open"))
        else:
            self.time_label.setText(
                self.tr("Area %1: %2").replace("%1", area).replace("%2", format_duration(self.timer.elapsed(now=now)))
            )
        running = self.timer.running
        self.toggle_button.setText(self.tr("Pause") if running else self.tr("Start"))
        self.toggle_button.setToolTip(
            self.tr("Pause the interview timer") if running else self.tr("Count the interview time of the open area")
        )
        self.toggle_button.setAccessibleName(self.tr("Interview timer"))
