"""The visit in the documents: the report lists the interviewees from the attendance and never the
quick notes; the pre-filled protocol prints the agenda with its participants."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from esca_desktop.context import AppContext
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.services.documents import DocumentService
from esca_desktop.services.visit import Visit
from tests.conftest import new_request
from tests.reports.pdfcheck import page_texts

DAY = dt.date(2026, 12, 3)
QUICK = "Board member left early, ask again"


def _visit(service: AssessmentService) -> Visit:
    assessment_id, _ = service.create(new_request())
    visit = Visit(service.open(assessment_id))
    strategy, _ = visit.add_session(DAY, "09:00", "12:00", "Strategy and governance", areas=("1",))
    finance, _ = visit.add_session(DAY, "13:30", "15:00", "Financing", areas=("2", "3"))
    visit.attend(strategy.id, "Anna Berg", "Cluster manager", "Cluster Nordwest e.V.")
    visit.attend(finance.id, "Anna Berg", "Cluster manager", "Cluster Nordwest e.V.")
    visit.attend(finance.id, "Jan Kowalski", "Board member", "Acme Sensorik GmbH", "13:30", "14:10")
    visit.add_quick_note(QUICK)
    return visit


def test_the_report_lists_the_interviewees_and_not_the_quick_notes(
    context: AppContext, service: AssessmentService, tmp_path: Path
) -> None:
    visit = _visit(service)
    path, _ = DocumentService(context, service).write_report(visit.id, tmp_path / "report.pdf")
    text = " ".join(page_texts(path))
    assert "Interviewees" in text
    for shown in ("Anna Berg", "Cluster manager", "Cluster Nordwest e.V.", "Jan Kowalski", "Acme Sensorik GmbH"):
        assert shown in text
    assert "Strategy and governance" in text and "Financing" in text
    assert QUICK not in text and "left early" not in text


def test_the_german_report_lists_the_interviewees(
    context: AppContext, service: AssessmentService, tmp_path: Path
) -> None:
    visit = _visit(service)
    path, _ = DocumentService(context, service).write_report(visit.id, tmp_path / "bericht.pdf", lang="de")
    text = " ".join(page_texts(path))
    assert "Gesprächspartnerinnen und Gesprächspartner" in text and "Teilgenommen an" in text
    assert "Jan Kowalski" in text


def test_the_prefilled_protocol_prints_the_agenda_participants_and_quick_notes(
    context: AppContext, service: AssessmentService, tmp_path: Path
) -> None:
    visit = _visit(service)
    path = DocumentService(context, service).write_protocol(visit.id, tmp_path / "protocol.pdf")
    pages = page_texts(path)
    cover, agenda = pages[0], pages[1]
    assert "Anna Berg, Cluster manager, Cluster Nordwest e.V." in cover  # instead of blank lines
    assert "Visit agenda and participants" in agenda
    assert "09:00–12:00" in agenda and "13:30–15:00" in agenda
    assert "Strategy and governance" in agenda and "Areas 2, 3" in agenda
    assert "Jan Kowalski, Board member, Acme Sensorik GmbH (13:30–14:10)" in agenda
    assert QUICK in agenda  # internal notes belong in the protocol, not the report


def test_the_blank_protocol_prints_the_agenda_but_not_the_quick_notes(
    context: AppContext, service: AssessmentService, tmp_path: Path
) -> None:
    visit = _visit(service)
    path = DocumentService(context, service).write_protocol(visit.id, tmp_path / "blank.pdf", blank=True)
    text = " ".join(page_texts(path))
    assert "Strategy and governance" in text
    assert QUICK not in text
