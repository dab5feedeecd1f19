"""The Visit page and the interview timer in the workspace header, driven as an assessor would, on a
fake clock (no waiting, no timed assertions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from esca_desktop.context import AppContext
from esca_desktop.domain.model import FakeClock
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.services.visit import Visit
from esca_desktop.ui.workspace import InterviewWorkspace
from tests.conftest import new_request

# 10:00 local time on the first interview day (sessions are planned in local time)
MORNING = dt.datetime(2026, 12, 3, 10, 0).astimezone()


@pytest.fixture
def clock(context: AppContext) -> FakeClock:
    fake = FakeClock(now_value=MORNING, step=dt.timedelta(0))  # time moves only when a test moves it
    context.clock = fake
    context.repository.clock = fake
    return fake


@pytest.fixture
def workspace(qtbot: QtBot, service: AssessmentService, clock: FakeClock) -> Iterator[InterviewWorkspace]:
    assessment_id, _ = service.create(new_request())
    ws = InterviewWorkspace(service.open(assessment_id))
    qtbot.addWidget(ws)
    ws.resize(1024, 560)
    ws.show()
    yield ws
    ws.close_interview()


def test_sessions_people_and_notes_are_added_on_the_visit_page_and_stored(
    qtbot: QtBot, workspace: InterviewWorkspace, service: AssessmentService
) -> None:
    workspace.visit_button.click()
    page = workspace.visit_page
    assert workspace.stack.currentWidget() is page
    page.day.setDate(QDate(2026, 12, 3))
    qtbot.keyClicks(page.start, "9:00")
    qtbot.keyClicks(page.end, "12:00")
    qtbot.keyClicks(page.topic, "Strategy")
    qtbot.keyClicks(page.areas, "1, 2")
    qtbot.keyClick(page.areas, Qt.Key.Key_Return)
    assert page.agenda.rowCount() == 1 and page.agenda.item(0, 1).text() == "09:00–12:00"
    qtbot.keyClicks(page.person_name, "Anna Berg")
    qtbot.keyClicks(page.person_role, "Cluster manager")
    qtbot.keyClicks(page.person_org, "Cluster Nordwest")
    qtbot.keyClick(page.person_org, Qt.Key.Key_Return)
    assert page.people.item(0, 0).text() == "Anna Berg"
    qtbot.keyClicks(page.note_text, "Board member left early")
    qtbot.keyClick(page.note_text, Qt.Key.Key_Return)
    assert page.notes.count() == 1 and page.notes.item(0).text().endswith("10:00  Board member left early")

    stored = Visit(service.open(workspace.interview.id))
    [session] = stored.sessions()
    assert (session.start, session.title, session.areas) == ("09:00", "Strategy", ("1", "2"))
    assert [(a.name, a.role, a.organisation) for a in session.attendees] == [
        ("Anna Berg", "Cluster manager", "Cluster Nordwest")
    ]
    assert [n.text for n in stored.quick_notes()] == ["Board member left early"]
    # the header shows the session running now
    assert workspace.visit_bar.session_label.text() == "Now: 09:00–12:00 Strategy"


def test_a_wrong_time_is_refused_with_a_message_and_nothing_is_stored(
    qtbot: QtBot, workspace: InterviewWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.ui.test_window import Messages

    messages = Messages(monkeypatch)
    workspace.show_visit()
    page = workspace.visit_page
    qtbot.keyClicks(page.start, "12:00")
    qtbot.keyClicks(page.end, "9:00")
    page.add_session_button.click()
    assert messages.shown and "before it starts" in messages.shown[0][1]
    assert page.agenda.rowCount() == 0
    assert page.start.text() == "12:00"  # what was typed stays to be corrected


def test_the_timer_counts_only_the_open_area_while_running_and_keeps_the_totals(
    qtbot: QtBot, workspace: InterviewWorkspace, service: AssessmentService, clock: FakeClock
) -> None:
    catalog = workspace.interview.catalog
    first_area, second_area = catalog.areas[0], catalog.areas[1]
    workspace.show_indicator(first_area.indicators[0].id)
    bar = workspace.visit_bar
    assert bar.toggle_button.text() == "Start"
    clock.now_value += dt.timedelta(minutes=5)  # not running: not counted
    bar.toggle_button.click()
    assert bar.toggle_button.text() == "Pause"
    clock.now_value += dt.timedelta(minutes=12, seconds=34)
    bar.refresh()
    assert bar.time_label.text() == f"Area {first_area.id}: 0:12:34"
    workspace.show_indicator(second_area.indicators[0].id)  # the time goes to the area open now
    clock.now_value += dt.timedelta(minutes=3)
    workspace.show_summary()  # no indicator page: not counted
    clock.now_value += dt.timedelta(minutes=30)
    workspace.show_indicator(first_area.indicators[1].id)
    clock.now_value += dt.timedelta(minutes=1)
    bar.toggle_button.click()  # pause
    clock.now_value += dt.timedelta(hours=1)
    bar.refresh()
    assert bar.time_label.text() == f"Area {first_area.id}: 0:13:34"

    reopened = Visit(service.open(workspace.interview.id))
    assert reopened.area_times() == {first_area.id: 814.0, second_area.id: 180.0}
    again = InterviewWorkspace(service.open(workspace.interview.id))
    qtbot.addWidget(again)
    again.show_indicator(second_area.indicators[0].id)
    assert again.visit_bar.time_label.text() == f"Area {second_area.id}: 0:03:00"
    again.close_interview()


def test_closing_the_assessment_stores_the_running_time(
    workspace: InterviewWorkspace, service: AssessmentService, clock: FakeClock
) -> None:
    area = workspace.interview.catalog.areas[0]
    workspace.show_indicator(area.indicators[0].id)
    workspace.visit_bar.toggle_button.click()
    clock.now_value += dt.timedelta(minutes=2)
    workspace.close_interview()
    assert Visit(service.open(workspace.interview.id)).area_times() == {area.id: 120.0}


def test_a_quick_note_from_the_header_is_stored_with_the_time(
    workspace: InterviewWorkspace, service: AssessmentService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("Board member left early", True))
    workspace.show_indicator(workspace.interview.catalog.indicators[3].id)
    workspace.visit_bar.note_button.click()
    [note] = Visit(service.open(workspace.interview.id)).quick_notes()
    assert (note.text, note.at) == ("Board member left early", MORNING)
    assert workspace.stack.currentWidget() is workspace.page  # the interview stays where it was


def test_a_finalised_assessment_shows_the_visit_read_only(
    qtbot: QtBot, service: AssessmentService, clock: FakeClock
) -> None:
    from esca_desktop.domain.model import AssessmentStatus

    assessment_id, _ = service.create(new_request())
    Visit(service.open(assessment_id)).add_session(MORNING.date(), "09:00", "12:00", "Strategy")
    service.repository.set_status(assessment_id, AssessmentStatus.FINALISED, "Test Assessor")
    ws = InterviewWorkspace(service.open(assessment_id))
    qtbot.addWidget(ws)
    ws.show_visit()
    assert ws.visit_page.agenda.rowCount() == 1
    assert not ws.visit_page.add_session_button.isEnabled() and not ws.visit_page.note_text.isEnabled()
    assert not ws.visit_bar.toggle_button.isEnabled() and not ws.visit_bar.note_button.isEnabled()
    ws.visit_bar.toggle_button.click()
    assert not ws.area_timer.running
    ws.close_interview()
