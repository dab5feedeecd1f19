"""The visit on site: agenda, attendance, quick notes and time per area, against a real store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from esca_desktop.context import AppContext, open_context
from esca_desktop.domain.model import AssessmentStatus, FakeClock
from esca_desktop.errors import ReadOnlyError, ValidationError
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.services.visit import Visit
from tests.conftest import new_request

DAY = dt.date(2026, 12, 3)


def _visit(service: AssessmentService) -> Visit:
    assessment_id, _ = service.create(new_request())
    return Visit(service.open(assessment_id))


def test_sessions_are_kept_in_agenda_order_with_their_attendees(service: AssessmentService) -> None:
    visit = _visit(service)
    later, _ = visit.add_session(DAY, "13:30", "15:00", "Services", areas=("3",))
    first, _ = visit.add_session(DAY, "9:00", "12:00", "Strategy", areas=("1", "2"))
    visit.attend(first.id, "Anna Berg", "Cluster manager", "Cluster Nordwest", "09:00", "10:30")
    visit.attend(first.id, "Jan Kowalski", "Board member", "Acme GmbH")

    reopened = Visit(service.open(visit.id))
    sessions = reopened.sessions()
    assert [(s.start, s.title, s.areas) for s in sessions] == [
        ("09:00", "Strategy", ("1", "2")),
        ("13:30", "Services", ("3",)),
    ]
    assert [(a.name, a.role, a.organisation, a.present_from, a.present_to) for a in sessions[0].attendees] == [
        ("Anna Berg", "Cluster manager", "Cluster Nordwest", "09:00", "10:30"),
        ("Jan Kowalski", "Board member", "Acme GmbH", "", ""),
    ]
    assert sessions[1].id == later.id and sessions[1].attendees == ()
    actions = [e.action for e in service.audit(visit.id)]
    assert actions.count("visit_session") == 2 and actions.count("attendance") == 2


def test_a_session_that_ends_before_it_starts_is_refused(service: AssessmentService) -> None:
    visit = _visit(service)
    with pytest.raises(ValidationError, match="ends"):
        visit.add_session(DAY, "12:00", "09:00", "Strategy")
    with pytest.raises(ValidationError, match="not a time"):
        visit.add_session(DAY, "nine", "12:00", "Strategy")
    assert visit.sessions() == []


def test_the_interviewees_list_each_person_once_with_the_sessions_attended(service: AssessmentService) -> None:
    visit = _visit(service)
    a, _ = visit.add_session(DAY, "09:00", "12:00", "Strategy")
    b, _ = visit.add_session(DAY, "13:00", "15:00", "Finance")
    visit.attend(a.id, "Anna Berg", "Cluster manager", "Cluster Nordwest")
    visit.attend(b.id, "Anna Berg", "Cluster manager", "Cluster Nordwest")
    visit.attend(b.id, "Jan Kowalski", "Board member", "Acme GmbH")
    people = visit.interviewees()
    assert [(p.name, p.sessions) for p in people] == [
        ("Anna Berg", ("Strategy", "Finance")),
        ("Jan Kowalski", ("Finance",)),
    ]


def test_removing_a_session_removes_its_attendance_audited(service: AssessmentService) -> None:
    visit = _visit(service)
    a, _ = visit.add_session(DAY, "09:00", "12:00", "Strategy")
    visit.attend(a.id, "Anna Berg")
    visit.remove_session(a.id)
    assert visit.sessions() == [] and visit.interviewees() == []
    assert service.audit(visit.id)[-1].action == "visit_session_removed"


def test_quick_notes_are_timestamped_and_survive_reopening(service: AssessmentService) -> None:
    visit = _visit(service)
    note, _ = visit.add_quick_note("Board member left early")
    visit.add_quick_note("  Ask for the 2025 budget  ")
    notes = Visit(service.open(visit.id)).quick_notes()
    assert [n.text for n in notes] == ["Board member left early", "Ask for the 2025 budget"]
    assert notes[0].at == note.at and notes[0].author == "Test Assessor"
    with pytest.raises(ValidationError):
        visit.add_quick_note("   ")
    assert service.audit(visit.id)[-1].action == "quick_note"


def test_time_per_area_adds_up_and_survives_a_restart(
    data_dir: Path, context: AppContext, service: AssessmentService
) -> None:
    visit = _visit(service)
    visit.add_area_time("1", 600)
    visit.add_area_time("1", 90.5)
    visit.add_area_time("2", 30)
    context.close()
    again = open_context(data_dir, clock=FakeClock())
    try:
        again.set_actor("Test Assessor")
        reopened = Visit(AssessmentService(again).open(visit.id))
        assert reopened.area_times() == {"1": 690.5, "2": 30.0}
    finally:
        again.close()


def test_a_finalised_assessment_refuses_visit_edits(service: AssessmentService) -> None:
    visit = _visit(service)
    service.repository.set_status(visit.id, AssessmentStatus.FINALISED, "Test Assessor")
    frozen = Visit(service.open(visit.id))
    with pytest.raises(ReadOnlyError):
        frozen.add_quick_note("late")
    with pytest.raises(ReadOnlyError):
        frozen.add_session(DAY, "09:00", "10:00", "x")


def test_the_current_session_is_the_one_running_else_the_next(service: AssessmentService) -> None:
    visit = _visit(service)
    visit.add_session(DAY, "09:00", "12:00", "Strategy")
    visit.add_session(DAY, "13:00", "15:00", "Finance")
    local = dt.datetime(2026, 12, 3, 10, 0).astimezone()
    assert visit.current_session(local) == (visit.sessions()[0], True)
    assert visit.current_session(local.replace(hour=12, minute=30)) == (visit.sessions()[1], False)
    assert visit.current_session(local.replace(hour=16)) == (None, False)


def test_changing_the_attendance_after_signing_clears_the_drawn_signature(service: AssessmentService) -> None:
    from tests.services.test_drawn_signatures import signature_png

    visit = _visit(service)
    a, _ = visit.add_session(DAY, "09:00", "12:00", "Strategy")
    visit.attend(a.id, "Anna Berg")
    visit.interview.add_drawn_signature("interviewee", "Anna Berg", signature_png())
    assert visit.interview.drawn_signatures()
    visit.add_quick_note("internal, not signed")
    assert visit.interview.drawn_signatures()  # quick notes are not printed in the report
    visit.attend(a.id, "Jan Kowalski")
    assert visit.interview.drawn_signatures() == []
