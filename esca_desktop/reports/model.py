"""What a protocol or a report shows, as frozen values: the documents read these and nothing else.

`services.documents` builds them from an open interview and the store; the builders in this package
turn them into PDF pages. Small rules that belong to the documents themselves live here too: the
report code and the "label valid until" date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from esca_desktop.domain.benchmarks import Quartiles
from esca_desktop.domain.model import Assessment, EvidenceItem, Interviewee, Organisation, QuickNote, VisitSession
from esca_desktop.forms.catalog import Catalog
from esca_desktop.forms.results import AreaScore, IndicatorResult, IndicatorState, Outcome, TotalScore
from esca_desktop.forms.values import AnswerValue


@dataclass(frozen=True, slots=True)
class SignatureBox:
    """Where the report leaves an empty, labelled box for the cryptographic signature stamp.

    `page_index` counts from 0; the corners are PDF user-space points (origin bottom left), as
    pyHanko's `SigFieldSpec(box=(x1, y1, x2, y2), on_page=page_index)` expects them.
    """

    page_index: int
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1


@dataclass(frozen=True, slots=True)
class DrawnSignature:
    """A signature drawn by hand in the window (PNG), for example the cluster manager's."""

    role: str
    signer_name: str
    image_png: bytes
    signed_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AuditSummary:
    """The audit trail in a few lines: how many entries, whether the hash chain is intact, by whom."""

    entries: int
    intact: bool
    message: str
    head_hash: str = ""
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    actors: tuple[str, ...] = ()
    actions: tuple[tuple[str, int], ...] = ()  # (action, count), most frequent first


@dataclass(frozen=True)
class ProtocolData:
    """An interview protocol: blank (for printing before the visit) or pre-filled with known answers."""

    catalog: Catalog
    organisation: Organisation
    assessment_id: str
    assessors: tuple[str, ...]
    interview_start: dt.date | None
    interview_end: dt.date | None
    place: str
    generated_at: dt.datetime
    blank: bool
    values: Mapping[str, AnswerValue] = field(default_factory=dict)  # answers and computed values
    notes: Mapping[str, str] = field(default_factory=dict)  # the assessors' internal notes
    not_applicable: frozenset[str] = frozenset()  # indicator ids (pre-filled protocols only)
    findings: Mapping[str, str] = field(default_factory=dict)  # written for the report
    follow_ups: frozenset[str] = frozenset()  # indicator ids marked for follow-up
    evidence_checked: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # checklist positions ticked
    evidence: Mapping[str, tuple[EvidenceItem, ...]] = field(default_factory=dict)  # files attached per indicator
    sessions: tuple[VisitSession, ...] = ()  # the visit's agenda, each session with its attendees
    quick_notes: tuple[QuickNote, ...] = ()  # internal notes for the whole visit (pre-filled protocols only)
    lang: str = "en"  # the language the values' texts (choice labels, messages) were made in


@dataclass(frozen=True)
class ReportData:
    """An assessment report: everything the cover, summary, results, signatures and appendix show."""

    catalog: Catalog
    assessment: Assessment
    report_code: str
    generated_at: dt.datetime
    values: Mapping[str, AnswerValue]  # answers and computed values
    results: Mapping[str, IndicatorResult]
    states: Mapping[str, IndicatorState]  # the report prints their findings, never notes or follow-up flags
    area_scores: tuple[AreaScore, ...]
    total: TotalScore
    outcome: Outcome
    valid_until: dt.date | None  # None: no label (not passed, or not decided yet)
    evidence: tuple[EvidenceItem, ...] = ()
    drawn_signatures: tuple[DrawnSignature, ...] = ()
    audit: AuditSummary | None = None
    # Benchmark statistics by field key, one per comparison group (e.g. same sector, same country).
    quartiles: Mapping[str, tuple[Quartiles, ...]] = field(default_factory=dict)
    hidden_fields: frozenset[str] = frozenset()  # field keys not asked given the answers
    interviewees: tuple[Interviewee, ...] = ()  # from the attendance of the interview sessions
    lang: str = "en"  # the language the outcome's reasons and checks were made in


SCHEME_LETTERS = {"gold": "G", "silver": "S", "bronze": "B"}


def report_code(
    country_alpha3: str, scheme: str, interview_month: dt.date, assessment_id: str, revision: int = 1
) -> str:
    """A report code in ESCA's style: the ISO alpha-3 country code first, e.g. `POL202611G1A2B3C4D`.

    Then the interview year and month, the scheme letter and the first eight characters of the
    assessment id; later revisions end in `-R2`, `-R3` ….
    """
    letter = SCHEME_LETTERS.get(scheme, scheme[:1].upper() or "X")
    short_id = assessment_id.replace("-", "")[:8].upper()
    code = f"{country_alpha3.upper()}{interview_month:%Y%m}{letter}{short_id}"
    return code if revision <= 1 else f"{code}-R{revision}"


def label_valid_until(interview_month: dt.date, validity_years: int) -> dt.date:
    """The scheme's rule: valid for `validity_years` from the month of the interview.

    The label runs to the end of that month `validity_years` later: an interview on 17 November
    2026 under a 2-year rule gives a label valid until 30 November 2028.
    """
    year = interview_month.year + validity_years
    month = interview_month.month
    return dt.date(year, month, calendar.monthrange(year, month)[1])
