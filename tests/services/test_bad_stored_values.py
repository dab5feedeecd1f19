"""An assessment whose stored answer its field could never have held (a 400-digit number that an older
version imported from a bundle) opens, scores, prints and can be deleted: the value shows as a problem
to correct, never as a crash."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from esca_desktop.context import AppContext
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.services.documents import DocumentService
from tests.conftest import new_request


def _store_raw(context: AppContext, assessment_id: str, key: str, value_json: str) -> None:
    database = context.repository.engine.url.database
    assert database
    with sqlite3.connect(database) as conn:
        updated = conn.execute(
            "UPDATE answer SET value_json = ? WHERE assessment_id = ? AND field_key = ?",
            (value_json, assessment_id, key),
        ).rowcount
    assert updated == 1


def test_an_impossible_stored_number_is_a_problem_not_a_crash(
    context: AppContext, service: AssessmentService, tmp_path: Path
) -> None:
    assessment_id, _ = service.create(new_request())
    service.open(assessment_id).answer("1.1.1.companies", 120)
    _store_raw(context, assessment_id, "1.1.1.companies", "1" + "0" * 400)

    interview = service.open(assessment_id)

    assert interview.session.value("1.1.1.companies") is None
    [problem] = [p for p in interview.session.problems() if p.field_key == "1.1.1.companies"]
    assert "expects a whole number" in problem.message
    assert interview.session.total().max_points > 0  # scoring works
    documents = DocumentService(context, service)
    documents.write_protocol(assessment_id, tmp_path / "protocol.pdf")
    documents.write_report(assessment_id, tmp_path / "report.pdf")
    assert (tmp_path / "report.pdf").stat().st_size > 0
    deleted, _ = service.delete(assessment_id)
    assert deleted.id == assessment_id
    assert [s.id for s in service.list_summaries()] == []
