"""The typed, frozen shape of a label catalog: areas, indicators, fields, scoring and outcome rules.

A catalog is data (a YAML file); `loader.load_catalog` parses it once into these objects. Nothing
here knows about answers: `session.FormSession` evaluates a catalog against one assessment.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from esca_desktop.forms.expressions import Expression

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class LocalText:
    """A human-facing string in several languages; falls back to English, then to any language."""

    translations: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, mapping: Mapping[str, str]) -> LocalText:
        return cls(tuple(sorted(mapping.items())))

    def get(self, lang: str = DEFAULT_LANGUAGE) -> str:
        table = dict(self.translations)
        if lang in table:
            return table[lang]
        if DEFAULT_LANGUAGE in table:
            return table[DEFAULT_LANGUAGE]
        return self.translations[0][1] if self.translations else ""

    def __bool__(self) -> bool:
        return any(text for _, text in self.translations)


EMPTY_TEXT = LocalText(())


class FieldType(enum.Enum):
    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENT = "percent"
    MONEY = "money"
    YEAR = "year"
    DATE = "date"
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    URL = "url"

    @property
    def is_numeric(self) -> bool:
        return self in _NUMERIC

    @property
    def has_choices(self) -> bool:
        return self in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE)


_NUMERIC = {FieldType.INTEGER, FieldType.DECIMAL, FieldType.PERCENT, FieldType.MONEY, FieldType.YEAR}


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    label: LocalText


@dataclass(frozen=True, slots=True)
class Field:
    """One typed answer of an indicator. `key` (`<indicator>.<field>`) names it everywhere."""

    key: str
    id: str
    indicator_id: str
    type: FieldType
    label: LocalText
    help: LocalText = EMPTY_TEXT
    unit: LocalText = EMPTY_TEXT
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False
    relevant: Expression | None = None
    constraint: Expression | None = None
    constraint_message: LocalText = EMPTY_TEXT
    choices: tuple[Choice, ...] = ()
    compute: Expression | None = None

    @property
    def computed(self) -> bool:
        return self.compute is not None

    def choice(self, choice_id: str) -> Choice | None:
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        return None


@dataclass(frozen=True, slots=True)
class Level:
    """A graded scoring level: `points` when `when` holds (levels are tried from the top)."""

    points: float
    when: Expression
    label: LocalText = EMPTY_TEXT


@dataclass(frozen=True, slots=True)
class Scoring:
    """How an indicator is judged.

    With `levels`, the first level whose condition holds gives the points (none: 0); the indicator is
    met when the points reach `threshold`. With `met` (a gate without points), the expression decides.
    With neither, the indicator is only recorded (benchmarking), never judged.
    """

    max_points: float = 0.0
    threshold: float | None = None
    levels: tuple[Level, ...] = ()
    met: Expression | None = None
    provisional: bool = False
    note: LocalText = EMPTY_TEXT

    @property
    def judged(self) -> bool:
        return bool(self.levels) or self.met is not None


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    area_id: str
    title: LocalText
    measures: LocalText
    guidance: LocalText
    evidence: tuple[LocalText, ...]
    fields: tuple[Field, ...]
    scoring: Scoring
    minimum_requirement: bool = False
    silver_scope: bool = False
    relevant: Expression | None = None

    def field(self, field_id: str) -> Field | None:
        for candidate in self.fields:
            if candidate.id == field_id:
                return candidate
        return None


@dataclass(frozen=True, slots=True)
class Area:
    id: str
    title: LocalText
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True, slots=True)
class Check:
    """A named yes/no check over the answers, such as an eligibility criterion."""

    id: str
    label: LocalText
    condition: Expression
    provisional: bool = False
    note: LocalText = EMPTY_TEXT


class Judgement(enum.Enum):
    PASS_FAIL = "pass_fail"
    BENCHMARK = "benchmark"


@dataclass(frozen=True, slots=True)
class OutcomeRule:
    """The scheme's decision: pass/fail (Gold, Silver) or a benchmark without judgement (Bronze)."""

    judgement: Judgement
    pass_percent: float | None = None
    minimum_requirements: bool = False
    must_meet_areas: tuple[str, ...] = ()
    checks_required: bool = False
    validity_years: int = 2
    provisional: bool = False
    note: LocalText = EMPTY_TEXT


@dataclass(frozen=True, eq=False)
class Catalog:
    """A parsed catalog. Compared by identity: `content_hash` says whether two are the same file."""

    id: str
    version: str
    scheme: str
    title: LocalText
    languages: tuple[str, ...]
    provisional: bool
    provisional_note: LocalText
    provenance: LocalText
    areas: tuple[Area, ...]
    checks: tuple[Check, ...]
    outcome: OutcomeRule
    content_hash: str
    source_name: str = field(default="", compare=False)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @cached_property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(ind for area in self.areas for ind in area.indicators)

    @cached_property
    def indicator_by_id(self) -> dict[str, Indicator]:
        return {ind.id: ind for ind in self.indicators}

    @cached_property
    def field_by_key(self) -> dict[str, Field]:
        return {f.key: f for ind in self.indicators for f in ind.fields}

    @cached_property
    def area_by_id(self) -> dict[str, Area]:
        return {area.id: area for area in self.areas}

    @property
    def max_points(self) -> float:
        return sum(ind.scoring.max_points for ind in self.indicators)
