"""Use-cases of the visit on site: the agenda of interview sessions, who attended them, quick notes
for the whole visit, and the interview time counted per area.

Attendance is printed in the report's list of interviewees (and is part of what a drawn signature
signs); the agenda and the quick notes go into the interview protocol only. Every edit is durable
and audited, and only allowed while the assessment is editable.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import replace

from esca_desktop.domain.model import Attendee, Changes, Interviewee, QuickNote, VisitSession, interviewees
from esca_desktop.errors import NotFoundError, ValidationError
from esca_desktop.services.assessments import Interview

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]?([0-5]\d)$")


def parse_time(text: str, what: str, lang: str = "en", optional: bool = False) -> str:
    """A time of day as "HH:MM" ("9:30", "0930" and "9.30" are accepted); "" when optional and empty."""
    text = text.strip()
    if not text and optional:
        return ""
    match = _TIME.match(text)
    if match is None:
        raise ValidationError(
            f"{what}: {text!r} ist keine Uhrzeit (HH:MM)" if lang == "de" else f"{what}: {text!r} is not a time (HH:MM)"
        )
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def current_session(sessions: Sequence[VisitSession], now: dt.datetime) -> tuple[VisitSession | None, bool]:
    """The session running at `now` (True), else the next one planned (False); (None, False) without
    either. Sessions are planned in the local wall-clock time of the visit."""
    moment = now.astimezone()
    day, clock = moment.date(), f"{moment:%H:%M}"
    upcoming: VisitSession | None = None
    for session in sorted(sessions, key=lambda s: (s.day, s.start)):
        if session.day == day and session.start <= clock < session.end:
            return session, True
        if upcoming is None and (session.day, session.start) > (day, clock):
            upcoming = session
    return upcoming, False


class Visit:
    """The visit of one open assessment."""

    def __init__(self, interview: Interview) -> None:
        self.interview = interview
        self.repository = interview.repository
        self.context = interview.context

    @property
    def id(self) -> str:
        return self.interview.id

    def _msg(self, en: str, de: str) -> str:
        return de if self.context.lang == "de" else en

    def _changes(self, summary: bool = False) -> Changes:
        return Changes(assessment_ids=frozenset({self.id}), notes=True, summary=summary)

    # --- the agenda -----------------------------------------------------------------------------

    def sessions(self) -> list[VisitSession]:
        return self.repository.visit_sessions(self.id)

    def find_session(self, ref: str) -> VisitSession:
        """A session by its id, the start of its id, or its position on the agenda (1, 2 …)."""
        sessions = self.sessions()
        if ref.isdigit() and 1 <= int(ref) <= len(sessions):
            return sessions[int(ref) - 1]
        matches = [s for s in sessions if s.id.startswith(ref)] if ref else []
        if len(matches) == 1:
            return matches[0]
        raise NotFoundError(
            self._msg(
                f"no interview session {ref!r} in assessment {self.id[:8]} (give its number on the agenda or its id)",
                f"keine Gesprächsrunde {ref!r} in der Bewertung {self.id[:8]} "
                "(geben Sie ihre Nummer in der Agenda oder ihre Kennung an)",
            )
        )

    def _checked_session(self, session: VisitSession) -> VisitSession:
        lang = self.context.lang
        start = parse_time(session.start, self._msg("start", "Beginn"), lang)
        end = parse_time(session.end, self._msg("end", "Ende"), lang)
        if end <= start:
            raise ValidationError(
                self._msg(
                    f"interview session: it ends ({end}) before it starts ({start})",
                    f"Gesprächsrunde: das Ende ({end}) liegt vor dem Beginn ({start})",
                )
            )
        known = {area.id for area in self.interview.catalog.areas}
        for area in session.areas:
            if area not in known:
                raise NotFoundError(
                    self._msg(
                        f"no area {area!r} in {self.interview.catalog.ref}",
                        f"kein Bereich {area!r} in {self.interview.catalog.ref}",
                    )
                )
        return replace(session, start=start, end=end, title=session.title.strip())

    def add_session(
        self, day: dt.date, start: str, end: str, title: str, areas: Sequence[str] = ()
    ) -> tuple[VisitSession, Changes]:
        """Plan an interview session (a day, a time slot, a topic and optionally the areas planned)."""
        self.interview._require_editable()
        session = self._checked_session(VisitSession(str(uuid.uuid4()), day, start, end, title, tuple(areas)))
        self.repository.save_visit_session(self.id, session, self.context.actor)
        return session, self._changes()

    def update_session(self, session: VisitSession) -> Changes:
        self.interview._require_editable()
        self.repository.save_visit_session(self.id, self._checked_session(session), self.context.actor)
        return self._changes(summary=True)

    def remove_session(self, session_id: str) -> Changes:
        self.interview._require_editable()
        self.repository.remove_visit_session(self.id, session_id, self.context.actor)
        return self._changes(summary=True)

    def current_session(self, now: dt.datetime | None = None) -> tuple[VisitSession | None, bool]:
        """See `current_session`; by default at the context clock's time."""
        return current_session(self.sessions(), now or self.context.clock())

    # --- attendance -----------------------------------------------------------------------------

    def attend(
        self,
        session_id: str,
        name: str,
        role: str = "",
        organisation: str = "",
        present_from: str = "",
        present_to: str = "",
        attendee_id: str | None = None,
    ) -> tuple[Attendee, Changes]:
        """Record a person present at a session (or change them, with `attendee_id`)."""
        self.interview._require_editable()
        lang = self.context.lang
        if not name.strip():
            raise ValidationError(
                self._msg("attendance: the person's name is required", "Anwesenheit: der Name der Person fehlt")
            )
        start = parse_time(present_from, self._msg("present from", "anwesend ab"), lang, optional=True)
        end = parse_time(present_to, self._msg("present until", "anwesend bis"), lang, optional=True)
        if start and end and end <= start:
            raise ValidationError(
                self._msg(
                    f"attendance: present until {end} is before present from {start}",
                    f"Anwesenheit: anwesend bis {end} liegt vor anwesend ab {start}",
                )
            )
        attendee = Attendee(
            attendee_id or str(uuid.uuid4()), session_id, name.strip(), role.strip(), organisation.strip(), start, end
        )
        self.repository.save_attendee(self.id, attendee, self.context.actor)
        return attendee, self._changes(summary=True)

    def remove_attendee(self, attendee_id: str) -> Changes:
        self.interview._require_editable()
        self.repository.remove_attendee(self.id, attendee_id, self.context.actor)
        return self._changes(summary=True)

    def interviewees(self) -> list[Interviewee]:
        return interviewees(self.sessions())

    # --- quick notes ----------------------------------------------------------------------------

    def quick_notes(self) -> list[QuickNote]:
        return self.repository.quick_notes(self.id)

    def add_quick_note(self, text: str) -> tuple[QuickNote, Changes]:
        """A timestamped note for the whole visit ("Board member left early"); internal, never in the report."""
        self.interview._require_editable()
        if not text.strip():
            raise ValidationError(self._msg("quick note: the text is empty", "Notiz: der Text ist leer"))
        note = self.repository.add_quick_note(self.id, text.strip(), self.context.actor)
        return note, self._changes()

    def remove_quick_note(self, note_id: int) -> Changes:
        self.interview._require_editable()
        self.repository.remove_quick_note(self.id, note_id, self.context.actor)
        return self._changes()

    # --- time per area --------------------------------------------------------------------------

    def area_times(self) -> dict[str, float]:
        return self.repository.area_times(self.id)

    def add_area_time(self, area_id: str, seconds: float) -> float:
        """Count interview time for an area; returns its total (kept across restarts)."""
        self.interview._require_editable()
        if area_id not in {area.id for area in self.interview.catalog.areas}:
            raise NotFoundError(f"no area {area_id!r} in {self.interview.catalog.ref}")
        if seconds <= 0:
            return self.area_times().get(area_id, 0.0)
        return self.repository.add_area_time(self.id, area_id, seconds, self.context.actor)
