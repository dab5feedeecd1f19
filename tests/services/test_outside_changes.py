"""Two programs on one data folder (the window and the command line): an interview read before the
other program's change never finalises, scores or audits from its stale copy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from esca_desktop.context import open_context
from esca_desktop.domain.model import AssessmentStatus, FakeClock
from esca_desktop.errors import ValidationError
from esca_desktop.services.assessments import AssessmentChangedError, AssessmentService
from esca_desktop.services.demo import create_demo_assessments
from esca_desktop.services.visit import Visit


@pytest.fixture
def other(data_dir: Path) -> Iterator[AssessmentService]:
    """A second program on the same data folder: its own engine and repository, like the command line."""
    context = open_context(data_dir, clock=FakeClock())
    context.set_actor("Command Line")
    yield AssessmentService(context)
    context.close()


@pytest.fixture
def gold_id(service: AssessmentService) -> str:
    return create_demo_assessments(service)["gold"]  # complete: it may be finalised


def test_a_stale_interview_does_not_finalise_what_the_stored_answers_do_not_allow(
    service: AssessmentService, other: AssessmentService, gold_id: str
) -> None:
    window = service.open(gold_id)
    assert window.blocking_problems() == []
    other.open(gold_id).answer("1.1.1.companies", "")  # a required answer cleared elsewhere
    with pytest.raises(ValidationError, match=r"1\.1\.1\.companies"):
        other.open(gold_id).finalise()

    with pytest.raises(AssessmentChangedError, match="another program"):
        window.finalise()
    assert other.get(gold_id).status is AssessmentStatus.IN_PROGRESS
    assert window.session.value("1.1.1.companies") is None  # the interview now holds what is stored
    with pytest.raises(ValidationError, match=r"1\.1\.1\.companies"):
        window.finalise()  # and judges what is stored
    assert other.get(gold_id).status is AssessmentStatus.IN_PROGRESS
    assert service.verify_audit(gold_id).ok


def test_finalising_records_the_snapshot_of_the_stored_answers(
    service: AssessmentService, other: AssessmentService, gold_id: str
) -> None:
    window = service.open(gold_id)
    other.open(gold_id).answer("1.1.2.participants", "400")
    with pytest.raises(AssessmentChangedError):
        window.finalise()
    window.finalise()  # after seeing the change
    snapshot = other.repository.snapshot(gold_id, 1)
    assert snapshot is not None and snapshot["answers"]["1.1.2.participants"] == 400
    assert snapshot["total"]["points"] == other.open(gold_id).session.total().points


def test_a_stale_edit_is_refused_and_then_audited_with_the_stored_old_value(
    service: AssessmentService, other: AssessmentService, gold_id: str
) -> None:
    window = service.open(gold_id)
    assert window.session.value("1.1.2.participants") == 312
    elsewhere = other.open(gold_id)
    elsewhere.answer("1.1.2.participants", "400")
    elsewhere.answer("1.1.1.smes", "100")

    with pytest.raises(AssessmentChangedError):
        window.answer("1.1.2.participants", "350")
    assert window.session.value("1.1.2.participants") == 400
    window.answer("1.1.2.participants", "350")

    last = service.audit(gold_id)[-1]
    assert (last.target, last.old, last.new) == ("1.1.2.participants", 400, 350)
    assert [e.old for e in service.audit(gold_id) if e.target == "1.1.2.participants"][-2:] == [312, 400]
    stored = other.open(gold_id)
    assert stored.session.value("1.1.1.smes") == 100  # the other program's change stays
    assert stored.session.value("1.1.2.participants") == 350
    assert service.verify_audit(gold_id).ok


def test_the_stored_score_stays_the_score_of_the_stored_answers(
    service: AssessmentService, other: AssessmentService, gold_id: str
) -> None:
    window = service.open(gold_id)
    other.open(gold_id).answer("1.1.1.companies", "")  # indicator 1.1.1 is open again: fewer points
    with pytest.raises(AssessmentChangedError):
        window.set_note("2.1", "Founded with the regional ministry")
    window.set_note("2.1", "Founded with the regional ministry")

    fresh = other.open(gold_id)
    [summary] = [s for s in other.list_summaries() if s.id == gold_id]
    assert summary.score_points == fresh.session.total().points == window.session.total().points
    assert summary.outcome_passed is fresh.session.outcome().passed is None
    assert other.repository.stored_results(gold_id)["1.1.1"][0] == fresh.session.result("1.1.1").status.value


def test_the_window_sees_a_change_elsewhere_but_not_its_own_writes(
    service: AssessmentService, other: AssessmentService, gold_id: str
) -> None:
    window = service.open(gold_id)
    Visit(window).add_quick_note("Tour of the lab")  # the same program, beside the interview
    window.set_follow_up("2.1", True)
    assert not window.changed_elsewhere()
    window.answer("1.1.2.participants", "320")  # not refused
    other.open(gold_id).set_note("2.1", "Seen elsewhere")
    assert window.changed_elsewhere()
    window.reload()
    assert window.session.state("2.1").note == "Seen elsewhere"
    assert window.session.state("2.1").follow_up
    assert not window.changed_elsewhere()
