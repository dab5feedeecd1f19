"""The assessment and what belongs to it, as immutable values returned by the repositories."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


class AssessmentStatus(enum.Enum):
    """One-way life of an assessment; `RETURNED` reopens it as a new revision."""

    DRAFT = "draft"
    IN_PROGRESS = "in_progress"
    FINALISED = "finalised"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"

    @property
    def editable(self) -> bool:
        return self in (AssessmentStatus.DRAFT, AssessmentStatus.IN_PROGRESS, AssessmentStatus.RETURNED)

    def label(self, lang: str = "en") -> str:
        return _STATUS_LABELS[self][1 if lang == "de" else 0]


_STATUS_LABELS = {
    AssessmentStatus.DRAFT: ("draft", "Entwurf"),
    AssessmentStatus.IN_PROGRESS: ("in progress", "in Arbeit"),
    AssessmentStatus.FINALISED: ("finalised", "abgeschlossen"),
    AssessmentStatus.SUBMITTED: ("submitted", "eingereicht"),
    AssessmentStatus.RETURNED: ("returned", "zurückgegeben"),
    AssessmentStatus.APPROVED: ("approved", "genehmigt"),
}


@dataclass(frozen=True, slots=True)
class AssessorProfile:
    name: str
    email: str = ""
    expert_id: str = ""


@dataclass(frozen=True, slots=True)
class Organisation:
    name: str
    country: str  # ISO 3166-1 alpha-2
    region: str = ""
    legal_form: str = ""
    sector: str = ""  # a sector portfolio id from `domain.sectors`
    website: str = ""
    contact: str = ""


@dataclass(frozen=True, slots=True)
class CatalogBinding:
    """The exact catalog an assessment was started under; it never changes for that assessment."""

    catalog_id: str
    version: str
    content_hash: str

    @property
    def ref(self) -> str:
        return f"{self.catalog_id}@{self.version}"


@dataclass(frozen=True, slots=True)
class AssessmentSummary:
    """A row of the assessments list: enough to show it without loading the catalog."""

    id: str
    organisation: str
    country: str
    scheme: str
    status: AssessmentStatus
    revision: int
    progress_done: int
    progress_total: int
    score_points: float | None
    score_max: float | None
    outcome_passed: bool | None
    updated_at: dt.datetime
    archived: bool = False  # hidden from the list unless archived ones are shown


@dataclass(frozen=True, slots=True)
class Assessment:
    id: str
    organisation: Organisation
    catalog: CatalogBinding
    scheme: str
    status: AssessmentStatus
    revision: int
    assessors: tuple[str, ...]
    interview_start: dt.date | None
    interview_end: dt.date | None
    place: str
    interview_lang: str
    current_indicator: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    finalised_at: dt.datetime | None
    strengths: str = ""
    improvement_areas: str = ""
    recommendations: str = ""
    archived_at: dt.datetime | None = None  # archived: read-only until unarchived

    @property
    def editable(self) -> bool:
        """Whether answers and details may change: an editable status, and not archived."""
        return self.status.editable and self.archived_at is None


@dataclass(frozen=True, slots=True)
class AssessmentDetails:
    """The particulars of an assessment that can be corrected until it is finalised."""

    organisation: Organisation
    assessors: tuple[str, ...]
    interview_start: dt.date | None
    interview_end: dt.date | None
    place: str


@dataclass(frozen=True, slots=True)
class DeletedAssessment:
    """What is left of a deleted assessment: what it was, and its audit trail (kept in the store)."""

    id: str
    organisation: str
    country: str
    scheme: str
    catalog: str
    status: AssessmentStatus
    revision: int
    deleted_at: dt.datetime
    deleted_by: str


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    id: str
    assessment_id: str
    file_name: str
    stored_name: str
    sha256: str
    size: int
    description: str
    indicators: tuple[str, ...]
    added_by: str
    added_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ReviewComment:
    """A central reviewer's comment on one indicator of a returned revision, with the assessor's reply."""

    revision: int  # the revision that was returned
    indicator_id: str
    comment: str
    reviewer: str
    at: dt.datetime
    reply: str = ""
    resolved: bool = False
    replied_by: str = ""
    replied_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Attendee:
    """A person present at one interview session: printed in the report's list of interviewees."""

    id: str
    session_id: str
    name: str
    role: str = ""
    organisation: str = ""
    present_from: str = ""  # "HH:MM", "" for the whole session
    present_to: str = ""


@dataclass(frozen=True, slots=True)
class VisitSession:
    """One planned interview session of the visit: a day, a time slot, a topic and the areas planned."""

    id: str
    day: dt.date
    start: str  # "HH:MM"
    end: str
    title: str
    areas: tuple[str, ...] = ()
    attendees: tuple[Attendee, ...] = ()


@dataclass(frozen=True, slots=True)
class QuickNote:
    """A timestamped note for the whole visit, not tied to an indicator; internal (never in the report)."""

    id: int
    at: dt.datetime
    author: str
    text: str


@dataclass(frozen=True, slots=True)
class Interviewee:
    """One person of the report's list of interviewees, with the sessions they attended."""

    name: str
    role: str
    organisation: str
    sessions: tuple[str, ...]  # the titles of the sessions attended
    days: tuple[dt.date, ...]


def interviewees(sessions: Sequence[VisitSession]) -> list[Interviewee]:
    """Everyone who attended a session, once per person (same name, role and organisation), in the
    order they first appear on the agenda."""
    people: dict[tuple[str, str, str], tuple[list[str], list[dt.date]]] = {}
    for session in sessions:
        for person in session.attendees:
            key = (person.name.strip(), person.role.strip(), person.organisation.strip())
            titles, days = people.setdefault(key, ([], []))
            titles.append(session.title or session.start)
            days.append(session.day)
    return [Interviewee(n, r, o, tuple(t), tuple(d)) for (n, r, o), (t, d) in people.items()]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    assessment_id: str
    at: dt.datetime
    actor: str
    action: str
    target: str
    old: Any
    new: Any
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class AuditVerification:
    ok: bool
    entries: int
    message: str
    first_bad_seq: int | None = None


@dataclass(frozen=True, slots=True)
class Changes:
    """What an operation changed, so that each view refreshes only what it shows."""

    assessment_ids: frozenset[str] = frozenset()
    answers: frozenset[str] = frozenset()  # field keys
    indicators: frozenset[str] = frozenset()  # indicator results
    notes: bool = False
    evidence: bool = False
    status: bool = False
    summary: bool = False
    list: bool = False  # the assessments list (a row added, removed or changed)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.assessment_ids | other.assessment_ids,
            self.answers | other.answers,
            self.indicators | other.indicators,
            self.notes or other.notes,
            self.evidence or other.evidence,
            self.status or other.status,
            self.summary or other.summary,
            self.list or other.list,
        )


Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso_utc(moment: dt.datetime) -> str:
    """A moment as stored in the databases: ISO 8601 in UTC, to the microsecond (sorts as text)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


@dataclass
class FakeClock:
    """A clock for tests: starts at a fixed time and advances by `step` on every reading."""

    now_value: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC))
    step: dt.timedelta = dt.timedelta(seconds=1)

    def __call__(self) -> dt.datetime:
        value = self.now_value
        self.now_value = value + self.step
        return value
