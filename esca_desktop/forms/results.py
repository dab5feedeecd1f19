"""Value types the interview engine returns: answer results, navigation events, scores, outcomes.

They are plain frozen values so that the command line, the window, the reports and the bundle can
all read them without knowing how they were computed.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from esca_desktop.forms.values import AnswerValue


class ResultStatus(enum.Enum):
    OPEN = "open"
    MET = "met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"
    ANSWERED = "answered"  # recorded, not judged (benchmarking)

    def label(self, lang: str = "en") -> str:
        return _STATUS_LABELS[self][1 if lang == "de" else 0]


_STATUS_LABELS = {
    ResultStatus.OPEN: ("open", "offen"),
    ResultStatus.MET: ("met", "erfüllt"),
    ResultStatus.NOT_MET: ("not met", "nicht erfüllt"),
    ResultStatus.NOT_APPLICABLE: ("not applicable", "nicht anwendbar"),
    ResultStatus.ANSWERED: ("answered", "beantwortet"),
}


class AnswerStatus(enum.Enum):
    OK = "ok"
    REQUIRED_BUT_EMPTY = "required_but_empty"
    CONSTRAINT_VIOLATED = "constraint_violated"
    WRONG_TYPE = "wrong_type"
    NOT_EDITABLE = "not_editable"


@dataclass(frozen=True, slots=True)
class AnswerResult:
    """What happened to one answer.

    `OK` and `REQUIRED_BUT_EMPTY` store the value. With `kept`, a refused input was kept anyway, as
    the interview window does so that nothing typed is lost: a value that contradicts another answer
    is stored with its problem, and text that is no value at all is kept as the field's `draft`
    (the field then has no value). Either way the problem counts until the input is corrected."""

    status: AnswerStatus
    key: str
    value: AnswerValue = None
    message: str = ""
    previous: AnswerValue = None
    changed_fields: frozenset[str] = frozenset()  # the key itself and computed fields that changed
    changed_indicators: frozenset[str] = frozenset()  # indicators whose result changed
    draft: str | None = None  # the invalid text kept for the field
    previous_draft: str | None = None
    kept: bool = False

    @property
    def stored(self) -> bool:
        return self.kept or self.status in (AnswerStatus.OK, AnswerStatus.REQUIRED_BUT_EMPTY)

    @property
    def ok(self) -> bool:
        return self.status in (AnswerStatus.OK, AnswerStatus.REQUIRED_BUT_EMPTY)


class NavEventKind(enum.Enum):
    MOVED = "moved"
    END_OF_FORM = "end_of_form"
    BEGINNING_OF_FORM = "beginning_of_form"


@dataclass(frozen=True, slots=True)
class NavEvent:
    kind: NavEventKind
    index: int
    indicator_id: str
    relevant: bool = True


@dataclass(frozen=True, slots=True)
class Override:
    """An assessor's override of an indicator's result, with the required written justification."""

    status: ResultStatus
    points: float | None
    justification: str
    by: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class IndicatorState:
    """What the assessor adds to an indicator besides answers."""

    note: str = ""  # internal: for the assessors and the secretariat, never printed in the report
    follow_up: bool = False
    override: Override | None = None
    finding: str = ""  # written for the client: printed in the report under the indicator
    evidence_checked: tuple[int, ...] = ()  # positions in the indicator's evidence checklist ticked as seen


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    indicator_id: str
    status: ResultStatus
    points: float | None
    max_points: float
    overridden: bool = False
    computed_status: ResultStatus | None = None  # the engine's own result when overridden
    computed_points: float | None = None


@dataclass(frozen=True, slots=True)
class AreaScore:
    area_id: str
    points: float
    max_points: float
    counts: dict[ResultStatus, int] = field(default_factory=dict)

    @property
    def percent(self) -> float | None:
        return None if self.max_points == 0 else 100.0 * self.points / self.max_points


@dataclass(frozen=True, slots=True)
class TotalScore:
    points: float
    max_points: float

    @property
    def percent(self) -> float | None:
        return None if self.max_points == 0 else 100.0 * self.points / self.max_points


@dataclass(frozen=True, slots=True)
class CheckResult:
    check_id: str
    label: str
    status: ResultStatus  # MET, NOT_MET or OPEN


@dataclass(frozen=True, slots=True)
class Outcome:
    """The scheme's decision. `passed` is None for a benchmark, or while results are still open."""

    scheme: str
    judgement: str
    passed: bool | None
    reasons: tuple[str, ...]
    percent: float | None
    pass_percent: float | None
    checks: tuple[CheckResult, ...] = ()


@dataclass(frozen=True, slots=True)
class Progress:
    indicators_done: int  # relevant indicators whose result is no longer open
    indicators_total: int  # relevant indicators
    required_answered: int
    required_total: int

    @property
    def fraction(self) -> float:
        return 1.0 if self.indicators_total == 0 else self.indicators_done / self.indicators_total


class ProblemKind(enum.Enum):
    REQUIRED = "required"
    CONSTRAINT = "constraint"  # a value that contradicts the field's rule or another answer
    INVALID = "invalid"  # text kept as a draft that is not a value of the field's type or range
    UNDECIDED = "undecided"


@dataclass(frozen=True, slots=True)
class Problem:
    indicator_id: str
    field_key: str | None
    kind: ProblemKind
    message: str
