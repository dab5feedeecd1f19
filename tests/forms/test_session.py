"""The interview engine on its own: navigation (with property tests), answers, incremental computed
fields, results, scores and the outcome of each scheme, problems, overrides, undo and redo."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esca_desktop.forms.catalog import Catalog
from esca_desktop.forms.loader import load_catalog, parse_catalog
from esca_desktop.forms.results import AnswerStatus, IndicatorState, NavEventKind, Override, ProblemKind, ResultStatus
from esca_desktop.forms.session import FormSession

CATALOGS = Path(__file__).resolve().parents[2] / "esca_desktop" / "forms" / "catalogs"
SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


def catalog(name: str) -> Catalog:
    return load_catalog(CATALOGS / f"{name}.yaml")


GOLD = catalog("gold")
SILVER = catalog("silver")
BRONZE = catalog("bronze")


def sample_answers(name: str) -> dict[str, Any]:
    return dict(json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))["answers"])


def loaded(cat: Catalog, answers: dict[str, Any]) -> FormSession:
    session = FormSession(cat)
    for key, value in answers.items():
        result = session.answer(key, value, constraints=False)
        assert result.stored, result.message
    return session


# --- navigation ---------------------------------------------------------------------------------

TOY = parse_catalog(
    b"""
format: 1
id: toy
version: "1"
scheme: gold
title: {en: Toy, de: Spielzeug}
languages: [en, de]
provisional: false
provenance: {en: tests, de: Tests}
outcome: {judgement: pass_fail, pass_percent: 80}
areas:
  - id: A
    title: {en: A, de: A}
    indicators:
"""
    + b"".join(
        f"""      - id: "I{n}"
        title: {{en: I{n}, de: I{n}}}
        {"relevant: '{I0.skip} != true'" if n % 3 == 2 else ""}
        fields:
          - {{id: {"skip" if n == 0 else "x"}, type: {"yes_no" if n == 0 else "integer"}, label: {{en: X, de: X}}}}
""".encode()
        for n in range(12)
    ),
    "toy.yaml",
)


def test_step_next_skips_an_indicator_that_is_not_applicable() -> None:
    session = FormSession(TOY)
    session.answer("I0.skip", "yes")
    session.jump_to("I1")
    event = session.step_next()
    assert event.kind is NavEventKind.MOVED and event.indicator_id == "I3"
    assert session.result("I2").status is ResultStatus.NOT_APPLICABLE


def test_the_end_and_the_beginning_are_reported_not_passed() -> None:
    session = FormSession(TOY)
    session.jump_to("I11")
    assert session.step_next().kind is NavEventKind.END_OF_FORM
    assert session.current.id == "I11"
    session.jump_to("I0")
    assert session.step_previous().kind is NavEventKind.BEGINNING_OF_FORM


@settings(max_examples=150, deadline=None)
@given(
    skip=st.sampled_from([None, True, False]),
    moves=st.lists(st.sampled_from(["next", "previous", "jump", "answer"]), max_size=40),
    targets=st.lists(st.integers(min_value=0, max_value=11), min_size=40, max_size=40),
)
def test_navigation_never_lands_on_a_skipped_indicator_and_next_then_previous_returns(
    skip: bool | None, moves: list[str], targets: list[int]
) -> None:
    session = FormSession(TOY)
    if skip is not None:
        session.answer("I0.skip", skip)
    for move, target in zip(moves, targets, strict=False):
        before = session.current.id
        if move == "next":
            event = session.step_next()
            if event.kind is NavEventKind.MOVED:
                assert session.is_relevant(session.current)
                back = session.step_previous()
                assert back.indicator_id == before or not session.is_relevant(TOY.indicator_by_id[before])
                session.jump_to(event.indicator_id)
            else:
                assert session.current.id == before
        elif move == "previous":
            event = session.step_previous()
            if event.kind is NavEventKind.MOVED:
                assert session.is_relevant(session.current)
        elif move == "jump":
            assert session.jump_to(f"I{target}").indicator_id == f"I{target}"
        else:
            session.answer("I0.skip", target % 2 == 0)
        assert 0 <= session.position < len(TOY.indicators)


@settings(max_examples=60, deadline=None)
@given(skip=st.booleans())
def test_a_full_walk_with_step_next_visits_every_applicable_indicator_once(skip: bool) -> None:
    session = FormSession(TOY)
    session.answer("I0.skip", skip)
    session.jump_to("I0")
    visited = [session.current.id]
    while session.step_next().kind is NavEventKind.MOVED:
        visited.append(session.current.id)
    expected = [ind.id for ind in TOY.indicators if session.is_relevant(ind)]
    assert visited == expected


# --- answers and computed fields ----------------------------------------------------------------


def test_a_computed_share_follows_its_inputs_and_only_what_depends_on_them_changes() -> None:
    session = FormSession(GOLD)
    session.answer("1.1.2.participants", "100")
    result = session.answer("1.1.1.companies", "60")
    assert "1.1.1.company_share" in result.changed_fields
    assert "1.2.regional_share" not in result.changed_fields
    assert session.value("1.1.1.company_share") == Decimal("60")
    result = session.answer("2.1.founded", "2010")
    assert result.changed_fields == {"2.1.founded"}  # the age needs the assessment year too


def test_wrong_type_and_constraint_store_nothing() -> None:
    session = FormSession(GOLD)
    assert session.answer("1.1.2.participants", "many").status is AnswerStatus.WRONG_TYPE
    session.answer("1.1.1.companies", "10")
    result = session.answer("1.1.1.smes", "12")
    assert result.status is AnswerStatus.CONSTRAINT_VIOLATED and result.message
    assert session.value("1.1.1.smes") is None and session.value("1.1.2.participants") is None


def test_clearing_a_required_answer_is_stored_and_reported() -> None:
    session = FormSession(GOLD)
    session.answer("1.1.2.participants", "40")
    result = session.answer("1.1.2.participants", "")
    assert result.status is AnswerStatus.REQUIRED_BUT_EMPTY and result.stored
    assert session.value("1.1.2.participants") is None


def test_a_computed_field_cannot_be_typed_in() -> None:
    assert FormSession(GOLD).answer("1.1.1.sme_share", "50").status is AnswerStatus.NOT_EDITABLE


def test_undo_and_redo_walk_the_history_and_a_new_answer_clears_redo() -> None:
    session = FormSession(GOLD)
    session.answer("1.1.2.participants", "10")
    session.answer("1.1.2.participants", "20")
    undone = session.undo()
    assert undone is not None and session.value("1.1.2.participants") == 10
    session.redo()
    assert session.value("1.1.2.participants") == 20
    session.undo()
    session.answer("1.1.2.participants", "30")
    assert not session.can_redo


# --- results, scores, outcomes ------------------------------------------------------------------


def test_the_complete_gold_sample_passes_with_its_score() -> None:
    session = loaded(GOLD, sample_answers("gold"))
    total = session.total()
    assert (total.points, total.max_points) == (133, 150)
    outcome = session.outcome()
    assert outcome.passed is True and outcome.reasons == ()
    assert session.problems() == []
    assert session.progress().fraction == 1.0


def test_gold_fails_on_a_missed_minimum_requirement_and_says_which() -> None:
    answers = sample_answers("gold")
    answers["4.1.2.strategy_exists"] = False
    session = loaded(GOLD, answers)
    outcome = session.outcome()
    assert outcome.passed is False
    assert any("4.1.2" in reason and "not met" in reason for reason in outcome.reasons)


def test_gold_below_eighty_percent_fails_with_the_figures() -> None:
    answers = sample_answers("gold")
    for key in ("1.1.1.research", "2.6.joint_projects", "5.2.success_stories", "5.1.press_articles"):
        answers[key] = 0
    answers["5.2.published"] = 0
    answers["5.1.national_articles"] = 0
    answers["2.6.funded_projects"] = 0
    session = loaded(GOLD, answers)
    assert session.problems() == []
    assert session.total().percent == pytest.approx(78.0)
    outcome = session.outcome()
    assert outcome.passed is False
    assert "Total 117 of 150 points (78.0 %) is below 80 %" in outcome.reasons


def test_an_open_gold_assessment_is_undecided() -> None:
    outcome = FormSession(GOLD).outcome()
    assert outcome.passed is None
    assert re.fullmatch(r"\d+ indicators still open", outcome.reasons[0])


def test_silver_passes_only_with_every_improvement_validated() -> None:
    session = loaded(SILVER, sample_answers("silver"))
    assert session.outcome().passed is None  # the third improvement is not validated yet
    session.answer("I3.validated", "no")
    outcome = session.outcome()
    assert outcome.passed is False  # one failure decides, even while other indicators are open
    assert any("Improvement area I3" in reason and "not met" in reason for reason in outcome.reasons)


def test_bronze_makes_no_judgement_but_reports_eligibility() -> None:
    session = loaded(BRONZE, sample_answers("bronze"))
    outcome = session.outcome()
    assert outcome.judgement == "benchmark" and outcome.passed is None
    assert {check.status for check in outcome.checks} == {ResultStatus.MET}
    session.answer("B1.4.committed_members", "9")
    assert any(check.status is ResultStatus.NOT_MET for check in session.outcome().checks)


def test_an_override_with_justification_replaces_the_result_and_keeps_the_computed_one() -> None:
    session = FormSession(GOLD)
    session.answer("1.1.2.participants", "20")
    assert session.result("1.1.2").points == 1
    override = Override(ResultStatus.MET, 4.0, "Twelve more members signed in the week of the visit.")
    assert session.check_override("1.1.2", override) is None
    session.set_state("1.1.2", IndicatorState(override=override))
    result = session.result("1.1.2")
    assert result.overridden and result.points == 4 and result.computed_points == 1


def test_an_override_without_justification_or_with_too_many_points_is_refused() -> None:
    session = FormSession(GOLD)
    assert "justification" in (session.check_override("1.2", Override(ResultStatus.MET, 3, "ok")) or "")
    assert "between 0 and 5" in (
        session.check_override("1.2", Override(ResultStatus.MET, 7, "A long enough justification here")) or ""
    )


def test_next_problem_wraps_round_to_the_first_missing_answer() -> None:
    session = FormSession(GOLD)
    session.jump_to("5.3")
    event = session.next_problem()
    assert event is not None and event.indicator_id == "1.1.0"


def test_german_messages_follow_the_interview_language() -> None:
    session = FormSession(GOLD, lang="de")
    result = session.answer("1.1.2.participants", "viele")
    assert "erwartet eine ganze Zahl" in result.message


@pytest.mark.parametrize("cat", [GOLD, SILVER, BRONZE], ids=lambda c: c.id)
def test_every_shipped_catalog_opens_and_walks(cat: Catalog) -> None:
    session = FormSession(cat)
    steps = 1
    while session.step_next().kind is NavEventKind.MOVED:
        steps += 1
    assert steps == len(cat.indicators)


# --- nothing typed is lost: kept contradictions and drafts -------------------------------------


def test_a_value_contradicting_another_answer_is_kept_with_keep_and_judged_again_later() -> None:
    session = FormSession(BRONZE)
    session.answer("B1.5.companies", "30")
    refused = session.answer("B1.5.smes", "35")
    assert not refused.stored and session.value("B1.5.smes") is None  # without keep: refused, as before
    kept = session.answer("B1.5.smes", "35", keep=True)
    assert kept.stored and kept.status is AnswerStatus.CONSTRAINT_VIOLATED
    assert session.value("B1.5.smes") == 35
    problems = session.field_problems("B1.5.smes")
    assert [p.kind for p in problems] == [ProblemKind.CONSTRAINT]
    assert "more SMEs than companies" in problems[0].message
    fixed = session.answer("B1.5.companies", "40", keep=True)
    assert fixed.status is AnswerStatus.OK and "B1.5" in fixed.changed_indicators
    assert session.field_problems("B1.5.smes") == ()
    assert session.value("B1.5.smes") == 35


def test_text_that_is_no_value_is_kept_as_a_draft_and_the_old_value_no_longer_counts() -> None:
    session = FormSession(GOLD)
    session.answer("1.1.2.participants", "85")
    assert session.result("1.1.2").status is ResultStatus.MET
    kept = session.answer("1.1.2.participants", "zehn", keep=True)
    assert kept.stored and kept.draft == "zehn" and kept.previous == 85
    assert session.value("1.1.2.participants") is None
    assert session.draft("1.1.2.participants") == "zehn"
    assert session.result("1.1.2").status is ResultStatus.OPEN
    [problem] = session.indicator_problems("1.1.2")
    assert problem.kind is ProblemKind.INVALID and "whole number" in problem.message
    session.jump_to("1.1.1")
    event = session.next_problem()
    assert event is not None and event.indicator_id == "1.1.2"
    corrected = session.answer("1.1.2.participants", "90", keep=True)
    assert corrected.draft is None and corrected.previous_draft == "zehn"
    assert session.draft("1.1.2.participants") is None
    assert session.result("1.1.2").status is ResultStatus.MET


def test_a_draft_given_to_a_new_session_is_a_problem_until_corrected() -> None:
    session = FormSession(GOLD, drafts={"1.1.2.participants": "8x"})
    assert [p.kind for p in session.field_problems("1.1.2.participants")] == [ProblemKind.INVALID]
    assert session.result("1.1.2").status is ResultStatus.OPEN
    session.answer("1.1.2.participants", "", keep=True)
    assert session.drafts == {}


def test_undo_after_a_draft_brings_the_value_back_and_redo_the_draft() -> None:
    session = FormSession(GOLD)
    session.answer("1.1.2.participants", "85")
    session.answer("1.1.2.participants", "85 Teilnehmer", keep=True)
    undone = session.undo()
    assert undone is not None and undone.value == 85 and undone.draft is None
    assert session.value("1.1.2.participants") == 85 and session.drafts == {}
    redone = session.redo()
    assert redone is not None and redone.draft == "85 Teilnehmer"
    assert session.value("1.1.2.participants") is None and session.draft("1.1.2.participants") == "85 Teilnehmer"


def test_edits_while_typing_in_one_field_make_one_undo_step() -> None:
    session = FormSession(GOLD)
    session.answer("1.1.2.participants", "40")
    session.answer("1.1.2.participants", "4", typing=True)
    session.answer("1.1.2.participants", "45", typing=True)
    session.answer("1.1.2.participants", "450", typing=True)
    session.end_edit()
    session.answer("1.1.2.participants", "460", typing=True)
    assert session.undo() is not None and session.value("1.1.2.participants") == 450
    assert session.undo() is not None and session.value("1.1.2.participants") == 40


def test_a_computed_value_that_cannot_be_says_so_on_its_field() -> None:
    session = FormSession(GOLD)
    session.answer("1.1.2.participants", "100")
    session.answer("1.1.1.companies", "120")
    [problem] = [p for p in session.indicator_problems("1.1.1") if p.field_key == "1.1.1.company_share"]
    assert problem.kind is ProblemKind.CONSTRAINT
    assert "at most 100" in problem.message and "computed from" in problem.message
    session.answer("1.1.1.companies", "60")
    assert [p for p in session.indicator_problems("1.1.1") if p.field_key == "1.1.1.company_share"] == []
