"""The interview engine: one catalog evaluated against one assessment's answers.

`FormSession` keeps the position in the ordered indicators, checks and applies answers, updates
computed fields and indicator results incrementally (only what depends on the changed field, from a
dependency index built once per catalog), and derives scores, the outcome, progress and problems.
It never touches storage or widgets: callers persist what `answer` reports as stored.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from esca_desktop.errors import NotFoundError, ValidationError
from esca_desktop.forms.catalog import Catalog, Field, Indicator, Judgement, Level
from esca_desktop.forms.results import (
    AnswerResult,
    AnswerStatus,
    AreaScore,
    CheckResult,
    IndicatorResult,
    IndicatorState,
    NavEvent,
    NavEventKind,
    Outcome,
    Override,
    Problem,
    ProblemKind,
    Progress,
    ResultStatus,
    TotalScore,
)
from esca_desktop.forms.values import AnswerValue, ValueProblem, msg, parse_value, to_expression_value


@dataclass(frozen=True)
class _DependencyIndex:
    """Which computed fields, indicators and checks read each field key (directly or through
    computed fields), so that an answer re-evaluates only what it can change."""

    computed_order: tuple[str, ...]
    computed_after: dict[str, tuple[str, ...]]
    indicators_reading: dict[str, frozenset[str]]
    checks_reading: dict[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class _Edit:
    """One step of the undo history: a field's value and draft before and after."""

    key: str
    old: AnswerValue
    old_draft: str | None
    new: AnswerValue
    new_draft: str | None


def _indicator_references(indicator: Indicator) -> set[str]:
    refs: set[str] = set()
    if indicator.relevant is not None:
        refs |= indicator.relevant.references
    for fld in indicator.fields:
        refs.add(fld.key)
        for expr in (fld.relevant, fld.constraint):
            if expr is not None:
                refs |= expr.references
    for level in indicator.scoring.levels:
        refs |= level.when.references
    if indicator.scoring.met is not None:
        refs |= indicator.scoring.met.references
    return refs


def _build_index(catalog: Catalog) -> _DependencyIndex:
    computed = {f.key: f.compute.references for f in catalog.field_by_key.values() if f.compute is not None}
    order: list[str] = []
    seen: set[str] = set()

    def visit(key: str, stack: frozenset[str]) -> None:
        if key in seen or key not in computed:
            return
        if key in stack:
            raise ValidationError(f"{catalog.source_name}: computed fields form a cycle through {key}")
        for dep in computed[key]:
            visit(dep, stack | {key})
        seen.add(key)
        order.append(key)

    for key in computed:
        visit(key, frozenset())
    position = {key: n for n, key in enumerate(order)}

    # Transitive closure: which computed fields must be recomputed after a key changes.
    direct: dict[str, set[str]] = {}
    for key, refs in computed.items():
        for ref in refs:
            direct.setdefault(ref, set()).add(key)
    computed_after: dict[str, tuple[str, ...]] = {}
    for key in catalog.field_by_key:
        reached: set[str] = set()
        pending = list(direct.get(key, ()))
        while pending:
            item = pending.pop()
            if item not in reached:
                reached.add(item)
                pending.extend(direct.get(item, ()))
        if reached:
            computed_after[key] = tuple(sorted(reached, key=position.__getitem__))

    readers: dict[str, set[str]] = {}
    for indicator in catalog.indicators:
        for ref in _indicator_references(indicator):
            readers.setdefault(ref, set()).add(indicator.id)
    check_readers: dict[str, set[str]] = {}
    for check in catalog.checks:
        for ref in check.condition.references:
            check_readers.setdefault(ref, set()).add(check.id)
    return _DependencyIndex(
        computed_order=tuple(order),
        computed_after=computed_after,
        indicators_reading={k: frozenset(v) for k, v in readers.items()},
        checks_reading={k: frozenset(v) for k, v in check_readers.items()},
    )


_INDEXES: weakref.WeakKeyDictionary[Catalog, _DependencyIndex] = weakref.WeakKeyDictionary()


def dependency_index(catalog: Catalog) -> _DependencyIndex:
    index = _INDEXES.get(catalog)
    if index is None:
        index = _INDEXES[catalog] = _build_index(catalog)
    return index


class FormSession:
    """An interview over `catalog` with the given answers and per-indicator states."""

    def __init__(
        self,
        catalog: Catalog,
        answers: Mapping[str, AnswerValue] | None = None,
        states: Mapping[str, IndicatorState] | None = None,
        lang: str = "en",
        position: str | None = None,
        drafts: Mapping[str, str] | None = None,
    ) -> None:
        self.catalog = catalog
        self.lang = lang
        self._index = dependency_index(catalog)
        self._indicators = catalog.indicators
        self._position_of = {ind.id: n for n, ind in enumerate(self._indicators)}
        self._load(answers or {}, states or {}, drafts or {})
        self._position = self._position_of.get(position or "", 0)
        if position is None:
            self._position = self._first_relevant_from(0, 1) or 0

    def _load(
        self, answers: Mapping[str, AnswerValue], states: Mapping[str, IndicatorState], drafts: Mapping[str, str]
    ) -> None:
        self._answers: dict[str, AnswerValue] = {}
        self._env: dict[str, Any] = {}
        for key, value in answers.items():
            fld = self.catalog.field_by_key.get(key)
            if fld is not None and not fld.computed and value is not None:
                self._answers[key] = value
                self._env[key] = to_expression_value(value)
        # Text typed into a field that is not a value of its type or range, kept so that nothing is lost.
        self._drafts: dict[str, str] = {}
        for key, text in drafts.items():
            fld = self.catalog.field_by_key.get(key)
            if fld is not None and not fld.computed and key not in self._answers:
                self._drafts[key] = text
        self._computed: dict[str, AnswerValue] = {}
        self._computed_problems: dict[str, str] = {}
        for key in self._index.computed_order:
            self._recompute(key)
        self._states: dict[str, IndicatorState] = dict(states)
        self._raw_results: dict[str, IndicatorResult] = {}
        self._results: dict[str, IndicatorResult] = {}
        self._problems: dict[str, tuple[Problem, ...]] = {}
        for indicator in self._indicators:
            self._evaluate(indicator)
        self._checks = {check.id: self._evaluate_check(check.id) for check in self.catalog.checks}
        self._undo: list[_Edit] = []
        self._redo: list[_Edit] = []
        self._open_edit: str | None = None  # the field being typed in: its edits make one undo step

    def replace_state(
        self,
        answers: Mapping[str, AnswerValue],
        states: Mapping[str, IndicatorState],
        drafts: Mapping[str, str] | None = None,
    ) -> None:
        """Take the answers, drafts and indicator states as stored now (another program changed them),
        keeping the position and the language; the undo history goes, as it undid the replaced values."""
        self._load(answers, states, drafts or {})

    # --- reading --------------------------------------------------------------------------------

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return self._indicators

    @property
    def current(self) -> Indicator:
        return self._indicators[self._position]

    @property
    def position(self) -> int:
        return self._position

    def value(self, key: str) -> AnswerValue:
        """The answer or computed value of a field (None when unanswered)."""
        if key in self._computed:
            return self._computed[key]
        return self._answers.get(key)

    @property
    def answers(self) -> dict[str, AnswerValue]:
        """The typed-in answers (computed fields excluded)."""
        return dict(self._answers)

    def draft(self, key: str) -> str | None:
        """The invalid text kept for a field, or None."""
        return self._drafts.get(key)

    @property
    def drafts(self) -> dict[str, str]:
        return dict(self._drafts)

    def field_problems(self, key: str) -> tuple[Problem, ...]:
        """What is wrong with one field now (a kept draft, a contradiction, a computed value)."""
        fld = self.field(key)
        return tuple(p for p in self.indicator_problems(fld.indicator_id) if p.field_key == key)

    def state(self, indicator_id: str) -> IndicatorState:
        return self._states.get(indicator_id, IndicatorState())

    def result(self, indicator_id: str) -> IndicatorResult:
        return self._results[indicator_id]

    def results(self) -> list[IndicatorResult]:
        return [self._results[ind.id] for ind in self._indicators]

    def matched_level(self, indicator_id: str) -> Level | None:
        """The scoring level that gives the current points (None when open or unscored)."""
        indicator = self.catalog.indicator_by_id[indicator_id]
        if self._raw_results[indicator_id].status in (ResultStatus.OPEN, ResultStatus.NOT_APPLICABLE):
            return None
        for level in indicator.scoring.levels:
            if level.when(self._env):
                return level
        return None

    def is_relevant(self, indicator: Indicator) -> bool:
        return self._results[indicator.id].computed_status is not ResultStatus.NOT_APPLICABLE

    def field_relevant(self, fld: Field) -> bool:
        if fld.relevant is None:
            return True
        return fld.relevant(self._env) is not False

    # --- navigation -----------------------------------------------------------------------------

    def _first_relevant_from(self, start: int, step: int) -> int | None:
        index = start
        while 0 <= index < len(self._indicators):
            if self.is_relevant(self._indicators[index]):
                return index
            index += step
        return None

    def _event(self, kind: NavEventKind) -> NavEvent:
        indicator = self.current
        return NavEvent(kind, self._position, indicator.id, self.is_relevant(indicator))

    def step_next(self) -> NavEvent:
        """Move to the next applicable indicator; at the end, stay and report END_OF_FORM."""
        target = self._first_relevant_from(self._position + 1, 1)
        if target is None:
            return self._event(NavEventKind.END_OF_FORM)
        self._position = target
        return self._event(NavEventKind.MOVED)

    def step_previous(self) -> NavEvent:
        target = self._first_relevant_from(self._position - 1, -1)
        if target is None:
            return self._event(NavEventKind.BEGINNING_OF_FORM)
        self._position = target
        return self._event(NavEventKind.MOVED)

    def jump_to(self, indicator_id: str) -> NavEvent:
        """Go to any indicator, applicable or not (the event says which)."""
        if indicator_id not in self._position_of:
            raise NotFoundError(f"no indicator {indicator_id!r} in {self.catalog.ref}")
        self._position = self._position_of[indicator_id]
        return self._event(NavEventKind.MOVED)

    # --- answering ------------------------------------------------------------------------------

    def field(self, key: str) -> Field:
        fld = self.catalog.field_by_key.get(key)
        if fld is None:
            raise NotFoundError(
                f"no field {key!r} in {self.catalog.ref}; "
                "fields are written <indicator>.<field> as listed by 'catalog show'"
            )
        return fld

    def check_answer(self, key: str, raw: object, *, constraints: bool = True) -> AnswerResult:
        """Validate an answer without applying it. The result carries the parsed value.

        `constraints=False` checks type and range only (for loading many answers whose
        cross-field constraints are judged on the final state)."""
        fld = self.field(key)
        lang = self.lang
        label = f"{key} ({fld.label.get(lang)})"
        previous = self._answers.get(key)
        if fld.computed:
            return AnswerResult(
                AnswerStatus.NOT_EDITABLE,
                key,
                None,
                msg(
                    lang,
                    f"{label} is computed and cannot be typed in",
                    f"{label} wird berechnet und kann nicht eingegeben werden",
                ),
                previous,
            )
        indicator = self.catalog.indicator_by_id[fld.indicator_id]
        if not self.is_relevant(indicator):
            return AnswerResult(
                AnswerStatus.NOT_EDITABLE,
                key,
                None,
                msg(
                    lang,
                    f"{label}: indicator {indicator.id} is not applicable",
                    f"{label}: Indikator {indicator.id} ist nicht anwendbar",
                ),
                previous,
            )
        try:
            value = parse_value(fld, raw, lang)
        except ValueProblem as problem:
            status = AnswerStatus.WRONG_TYPE if problem.kind == "wrong_type" else AnswerStatus.CONSTRAINT_VIOLATED
            return AnswerResult(status, key, None, f"{label}: {problem.message}", previous)
        if value is None:
            if fld.required and self.field_relevant(fld):
                return AnswerResult(
                    AnswerStatus.REQUIRED_BUT_EMPTY,
                    key,
                    None,
                    msg(lang, f"{label}: an answer is required", f"{label}: Angabe erforderlich"),
                    previous,
                )
            return AnswerResult(AnswerStatus.OK, key, None, "", previous)
        if constraints and fld.constraint is not None:
            env = dict(self._env)
            env[key] = to_expression_value(value)
            for computed_key in self._index.computed_after.get(key, ()):
                computed_field = self.catalog.field_by_key[computed_key]
                assert computed_field.compute is not None
                env[computed_key] = computed_field.compute(env)
            if fld.constraint(env) is False:
                # The value itself is fine; it contradicts another answer (`answer(keep=True)` stores it).
                return AnswerResult(
                    AnswerStatus.CONSTRAINT_VIOLATED,
                    key,
                    value,
                    f"{label}: {fld.constraint_message.get(lang)}",
                    previous,
                )
        return AnswerResult(AnswerStatus.OK, key, value, "", previous)

    def answer(
        self,
        key: str,
        raw: object,
        *,
        record: bool = True,
        constraints: bool = True,
        keep: bool = False,
        typing: bool = False,
    ) -> AnswerResult:
        """Check and, when acceptable, apply an answer; the result names what changed.

        With `keep`, what was typed is applied even when it is refused (see `AnswerResult.kept`):
        a value contradicting another answer is stored and counts as a problem until either is
        corrected; text that is no value of the field is kept as the field's draft.
        With `typing`, successive answers to one field make a single undo step until `end_edit`."""
        checked = self.check_answer(key, raw, constraints=constraints)
        previous_draft = self._drafts.get(key)
        draft: str | None = None
        if not checked.ok:
            if not keep or checked.status is AnswerStatus.NOT_EDITABLE:
                return checked
            if checked.value is None:  # no value of the field's type or range: keep the text itself
                if not isinstance(raw, str):
                    return checked
                draft = raw
            checked = replace(checked, kept=True)
        checked = replace(checked, draft=draft, previous_draft=previous_draft)
        same_value = checked.value == checked.previous and type(checked.value) is type(checked.previous)
        if same_value and draft == previous_draft:
            return checked
        if draft is None:
            self._drafts.pop(key, None)
        else:
            self._drafts[key] = draft
        changed_fields, changed_indicators = self._apply(key, checked.value, force_evaluate=True)
        if record:
            self._record(_Edit(key, checked.previous, previous_draft, checked.value, draft), typing)
        return replace(checked, changed_fields=changed_fields, changed_indicators=changed_indicators)

    def _record(self, edit: _Edit, typing: bool) -> None:
        if typing and self._open_edit == edit.key and self._undo and self._undo[-1].key == edit.key:
            first = self._undo.pop()  # still typing in the same field: one undo step for the whole edit
            edit = _Edit(edit.key, first.old, first.old_draft, edit.new, edit.new_draft)
        if (edit.old, edit.old_draft) != (edit.new, edit.new_draft) or type(edit.old) is not type(edit.new):
            self._undo.append(edit)
        self._redo.clear()
        self._open_edit = edit.key if typing else None

    def end_edit(self) -> None:
        """The person left the field: the next edit starts a new undo step."""
        self._open_edit = None

    def _apply(
        self, key: str, value: AnswerValue, *, force_evaluate: bool = False
    ) -> tuple[frozenset[str], frozenset[str]]:
        if value is None:
            self._answers.pop(key, None)
            self._env.pop(key, None)
        else:
            self._answers[key] = value
            self._env[key] = to_expression_value(value)
        changed = {key}
        for computed_key in self._index.computed_after.get(key, ()):
            if self._recompute(computed_key):
                changed.add(computed_key)
        affected: set[str] = set()
        checks: set[str] = set()
        for changed_key in changed:
            affected |= self._index.indicators_reading.get(changed_key, frozenset())
            checks |= self._index.checks_reading.get(changed_key, frozenset())
        changed_indicators = set()
        if force_evaluate:  # a draft appeared or went: its own indicator's problems changed
            affected.add(self.catalog.field_by_key[key].indicator_id)
        for indicator_id in affected:
            if self._evaluate(self.catalog.indicator_by_id[indicator_id]):
                changed_indicators.add(indicator_id)
        for check_id in checks:
            self._checks[check_id] = self._evaluate_check(check_id)
        return frozenset(changed), frozenset(changed_indicators)

    def revert(self, result: AnswerResult) -> None:
        """Undo an applied answer without history, e.g. when saving it failed."""
        self._set_draft(result.key, result.previous_draft)
        self._apply(result.key, result.previous, force_evaluate=True)
        top = self._undo[-1] if self._undo else None
        if top is not None and top.key == result.key and (top.new, top.new_draft) == (result.value, result.draft):
            self._undo.pop()
            if (top.old, top.old_draft) != (result.previous, result.previous_draft):
                self._undo.append(_Edit(top.key, top.old, top.old_draft, result.previous, result.previous_draft))
        self._open_edit = None

    def _set_draft(self, key: str, draft: str | None) -> None:
        if draft is None:
            self._drafts.pop(key, None)
        else:
            self._drafts[key] = draft

    def _recompute(self, key: str) -> bool:
        fld = self.catalog.field_by_key[key]
        assert fld.compute is not None
        raw = fld.compute(self._env)
        value: AnswerValue
        problem = ""
        try:
            value = None if raw is None else parse_value(fld, _from_expression(raw), self.lang)
        except ValueProblem as exc:
            value = None  # e.g. a share above 100 % from inconsistent counts: a problem of the indicator
            problem = exc.message
        problem_changed = self._computed_problems.get(key, "") != problem
        if problem:
            self._computed_problems[key] = problem
        else:
            self._computed_problems.pop(key, None)
        if self._computed.get(key) == value and key in self._computed:
            return problem_changed
        self._computed[key] = value
        if value is None:
            self._env.pop(key, None)
        else:
            self._env[key] = to_expression_value(value)
        return True

    # --- undo / redo ----------------------------------------------------------------------------

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> AnswerResult | None:
        """Restore the previous value of the last edited answer (the caller persists it)."""
        if not self._undo:
            return None
        edit = self._undo.pop()
        result = self._restore(edit.key, edit.old, edit.old_draft, edit.new, edit.new_draft)
        self._redo.append(edit)
        return result

    def redo(self) -> AnswerResult | None:
        if not self._redo:
            return None
        edit = self._redo.pop()
        result = self._restore(edit.key, edit.new, edit.new_draft, edit.old, edit.old_draft)
        self._undo.append(edit)
        return result

    def _restore(
        self, key: str, value: AnswerValue, draft: str | None, previous: AnswerValue, previous_draft: str | None
    ) -> AnswerResult:
        self._open_edit = None
        self._set_draft(key, draft)
        changed_fields, changed_indicators = self._apply(key, value, force_evaluate=True)
        self.jump_to(self.catalog.field_by_key[key].indicator_id)
        return AnswerResult(
            AnswerStatus.OK,
            key,
            value,
            "",
            previous,
            changed_fields,
            changed_indicators,
            draft=draft,
            previous_draft=previous_draft,
            kept=draft is not None,
        )

    # --- notes, follow-ups, overrides -----------------------------------------------------------

    def set_state(self, indicator_id: str, state: IndicatorState) -> bool:
        """Replace an indicator's note/follow-up/override; returns whether its result changed."""
        if indicator_id not in self.catalog.indicator_by_id:
            raise NotFoundError(f"no indicator {indicator_id!r} in {self.catalog.ref}")
        self._states[indicator_id] = state
        return self._evaluate(self.catalog.indicator_by_id[indicator_id])

    def check_override(self, indicator_id: str, override: Override) -> str | None:
        """Why an override cannot be accepted, or None when it can."""
        lang = self.lang
        indicator = self.catalog.indicator_by_id.get(indicator_id)
        if indicator is None:
            return msg(lang, f"no indicator {indicator_id!r}", f"kein Indikator {indicator_id!r}")
        if len(override.justification.strip()) < 10:
            return msg(
                lang,
                f"{indicator_id}: an override needs a written justification (at least 10 characters)",
                f"{indicator_id}: eine Übersteuerung braucht eine schriftliche Begründung (mindestens 10 Zeichen)",
            )
        if override.status is ResultStatus.OPEN:
            return msg(
                lang, f"{indicator_id}: cannot override to 'open'", f"{indicator_id}: 'offen' ist keine Übersteuerung"
            )
        maximum = indicator.scoring.max_points
        needs_points = maximum > 0 and override.status is not ResultStatus.NOT_APPLICABLE
        if needs_points and (override.points is None or not 0 <= override.points <= maximum):
            return msg(
                lang,
                f"{indicator_id}: points must be between 0 and {maximum:g}",
                f"{indicator_id}: Punkte müssen zwischen 0 und {maximum:g} liegen",
            )
        return None

    # --- evaluation -----------------------------------------------------------------------------

    def _evaluate(self, indicator: Indicator) -> bool:
        """Recompute an indicator's result and problems; returns whether either changed."""
        raw, problems = self._judge(indicator)
        problems_changed = self._problems.get(indicator.id) != problems
        self._raw_results[indicator.id] = raw
        self._problems[indicator.id] = problems
        result = raw
        override = self.state(indicator.id).override
        if override is not None:
            result = IndicatorResult(
                indicator.id,
                override.status,
                None if override.status is ResultStatus.NOT_APPLICABLE else override.points,
                raw.max_points,
                True,
                raw.status,
                raw.points,
            )
        else:
            result = replace(raw, computed_status=raw.status, computed_points=raw.points)
        changed = self._results.get(indicator.id) != result or problems_changed
        self._results[indicator.id] = result
        return changed

    def _judge(self, indicator: Indicator) -> tuple[IndicatorResult, tuple[Problem, ...]]:
        lang = self.lang
        scoring = indicator.scoring
        env = self._env

        def result(status: ResultStatus, points: float | None = None) -> IndicatorResult:
            return IndicatorResult(indicator.id, status, points, scoring.max_points)

        if indicator.relevant is not None and indicator.relevant(env) is False:
            return result(ResultStatus.NOT_APPLICABLE), ()
        problems: list[Problem] = []
        answered_any = False
        for fld in indicator.fields:
            label = fld.label.get(lang)
            if fld.computed:
                computed_problem = self._computed_problems.get(fld.key)
                if computed_problem and self.field_relevant(fld):
                    problems.append(
                        Problem(
                            indicator.id,
                            fld.key,
                            ProblemKind.CONSTRAINT,
                            msg(
                                lang,
                                f"{fld.key} ({label}): the computed value {computed_problem}; "
                                "check the answers it is computed from",
                                f"{fld.key} ({label}): der berechnete Wert {computed_problem}; "
                                "prüfen Sie die Angaben, aus denen er berechnet wird",
                            ),
                        )
                    )
                continue
            has_value = fld.key in self._answers
            draft = self._drafts.get(fld.key)
            answered_any = answered_any or has_value or draft is not None
            if not self.field_relevant(fld):
                continue
            if draft is not None:
                problems.append(Problem(indicator.id, fld.key, ProblemKind.INVALID, self._draft_message(fld, draft)))
            elif fld.required and not has_value:
                problems.append(
                    Problem(
                        indicator.id,
                        fld.key,
                        ProblemKind.REQUIRED,
                        msg(
                            lang,
                            f"{fld.key} ({label}): an answer is required",
                            f"{fld.key} ({label}): Angabe erforderlich",
                        ),
                    )
                )
            elif has_value and fld.constraint is not None and fld.constraint(env) is False:
                problems.append(
                    Problem(
                        indicator.id,
                        fld.key,
                        ProblemKind.CONSTRAINT,
                        f"{fld.key} ({label}): {fld.constraint_message.get(lang)}",
                    )
                )
        if problems or not answered_any:
            return result(ResultStatus.OPEN), tuple(problems)
        undecided = Problem(
            indicator.id,
            None,
            ProblemKind.UNDECIDED,
            msg(
                lang,
                f"{indicator.id}: the result cannot be decided from the answers yet",
                f"{indicator.id}: das Ergebnis lässt sich aus den Angaben noch nicht bestimmen",
            ),
        )
        if scoring.levels:
            points = 0.0
            for level in scoring.levels:
                holds = level.when(env)
                if holds is None:
                    return result(ResultStatus.OPEN), (undecided,)
                if holds:
                    points = level.points
                    break
            if scoring.threshold is None:
                return result(ResultStatus.ANSWERED, points), ()
            status = ResultStatus.MET if points >= scoring.threshold else ResultStatus.NOT_MET
            return result(status, points), ()
        if scoring.met is not None:
            met = scoring.met(env)
            if met is None:
                return result(ResultStatus.OPEN), (undecided,)
            return result(ResultStatus.MET if met else ResultStatus.NOT_MET), ()
        return result(ResultStatus.ANSWERED), ()

    def _draft_message(self, fld: Field, draft: str) -> str:
        label = f"{fld.key} ({fld.label.get(self.lang)})"
        try:
            parse_value(fld, draft, self.lang)
        except ValueProblem as problem:
            return f"{label}: {problem.message}"
        return msg(self.lang, f"{label}: not saved as an answer yet", f"{label}: noch nicht als Angabe gespeichert")

    def _evaluate_check(self, check_id: str) -> CheckResult:
        check = next(c for c in self.catalog.checks if c.id == check_id)
        value = check.condition(self._env)
        status = ResultStatus.OPEN if value is None else (ResultStatus.MET if value else ResultStatus.NOT_MET)
        return CheckResult(check.id, check.label.get(self.lang), status)

    # --- scores and outcome ---------------------------------------------------------------------

    def area_scores(self) -> list[AreaScore]:
        scores = []
        for area in self.catalog.areas:
            points = maximum = 0.0
            counts: dict[ResultStatus, int] = {}
            for indicator in area.indicators:
                res = self._results[indicator.id]
                counts[res.status] = counts.get(res.status, 0) + 1
                if res.status is not ResultStatus.NOT_APPLICABLE:
                    maximum += res.max_points
                    points += res.points or 0.0
            scores.append(AreaScore(area.id, points, maximum, counts))
        return scores

    def total(self) -> TotalScore:
        points = maximum = 0.0
        for res in self._results.values():
            if res.status is not ResultStatus.NOT_APPLICABLE:
                maximum += res.max_points
                points += res.points or 0.0
        return TotalScore(points, maximum)

    def checks(self) -> tuple[CheckResult, ...]:
        return tuple(CheckResult(c.id, c.label.get(self.lang), self._checks[c.id].status) for c in self.catalog.checks)

    def outcome(self) -> Outcome:
        rule = self.catalog.outcome
        lang = self.lang
        total = self.total()
        checks = self.checks()
        if rule.judgement is Judgement.BENCHMARK:
            return Outcome(self.catalog.scheme, rule.judgement.value, None, (), total.percent, None, checks)
        failures: list[str] = []
        open_items: list[str] = []

        def require_met(indicator: Indicator, what_en: str, what_de: str) -> None:
            res = self._results[indicator.id]
            title = indicator.title.get(lang)
            if res.status is ResultStatus.OPEN:
                open_items.append(
                    msg(
                        lang,
                        f"{what_en} {indicator.id} ({title}) is still open",
                        f"{what_de} {indicator.id} ({title}) ist noch offen",
                    )
                )
            elif res.status is ResultStatus.NOT_MET:
                failures.append(
                    msg(
                        lang,
                        f"{what_en} {indicator.id} ({title}) is not met",
                        f"{what_de} {indicator.id} ({title}) ist nicht erfüllt",
                    )
                )

        if rule.minimum_requirements:
            for indicator in self._indicators:
                if indicator.minimum_requirement and indicator.area_id not in rule.must_meet_areas:
                    require_met(indicator, "Minimum requirement", "Mindestanforderung")
        for area_id in rule.must_meet_areas:
            for indicator in self.catalog.area_by_id[area_id].indicators:
                require_met(indicator, "Improvement area", "Verbesserungsbereich")
        if rule.checks_required:
            for check in checks:
                if check.status is ResultStatus.OPEN:
                    open_items.append(
                        msg(lang, f"Check '{check.label}' is still open", f"Prüfung '{check.label}' ist noch offen")
                    )
                elif check.status is ResultStatus.NOT_MET:
                    failures.append(
                        msg(lang, f"Check '{check.label}' is not met", f"Prüfung '{check.label}' ist nicht erfüllt")
                    )
        below = rule.pass_percent is not None and total.percent is not None and total.percent < rule.pass_percent
        if below:
            text = msg(
                lang,
                f"Total {total.points:g} of {total.max_points:g} points ({total.percent:.1f} %) is below {rule.pass_percent:g} %",
                f"Gesamt {total.points:g} von {total.max_points:g} Punkten ({total.percent:.1f} %) liegt unter {rule.pass_percent:g} %",
            )
            # With open indicators the total may still rise: undecided, not failed.
            still_open = any(r.status is ResultStatus.OPEN for r in self._results.values())
            (open_items if still_open else failures).append(text)
        open_count = sum(1 for r in self._results.values() if r.status is ResultStatus.OPEN)
        if failures:
            passed: bool | None = False
            reasons = failures
        elif open_count:
            passed = None
            reasons = [
                msg(
                    lang,
                    f"{open_count} indicator{'' if open_count == 1 else 's'} still open",
                    f"{open_count} Indikator{'' if open_count == 1 else 'en'} noch offen",
                ),
                *open_items,
            ]
        else:
            passed = True
            reasons = []
        return Outcome(
            self.catalog.scheme, rule.judgement.value, passed, tuple(reasons), total.percent, rule.pass_percent, checks
        )

    # --- progress and problems ------------------------------------------------------------------

    def progress(self) -> Progress:
        done = total = req_done = req_total = 0
        for indicator in self._indicators:
            res = self._results[indicator.id]
            if res.computed_status is ResultStatus.NOT_APPLICABLE:
                continue
            total += 1
            if res.status is not ResultStatus.OPEN:
                done += 1
            for fld in indicator.fields:
                if fld.required and not fld.computed and self.field_relevant(fld):
                    req_total += 1
                    if fld.key in self._answers:
                        req_done += 1
        return Progress(done, total, req_done, req_total)

    def problems(self) -> list[Problem]:
        out: list[Problem] = []
        for indicator in self._indicators:
            if self._results[indicator.id].overridden:
                continue  # the assessor decided, with a justification
            out.extend(self._problems[indicator.id])
        return out

    def indicator_problems(self, indicator_id: str) -> tuple[Problem, ...]:
        if self._results[indicator_id].overridden:
            return ()
        return self._problems[indicator_id]

    def follow_ups(self) -> list[str]:
        return [ind.id for ind in self._indicators if self.state(ind.id).follow_up]

    def next_problem(self) -> NavEvent | None:
        """Jump to the first indicator with a problem after the current one (wrapping round)."""
        count = len(self._indicators)
        for offset in range(1, count + 1):
            index = (self._position + offset) % count
            indicator = self._indicators[index]
            if self.indicator_problems(indicator.id):
                return self.jump_to(indicator.id)
        return None


def _from_expression(value: object) -> object:
    """A computed expression value as input to `parse_value` (sets become lists, floats round)."""
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, float):
        return round(value, 6)
    return value
