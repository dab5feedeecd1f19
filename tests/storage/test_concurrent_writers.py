"""Two repositories (two engines) on one database file, as the window and the command line are: a
write made with an old version is refused inside its transaction, and the audit trail's old values
are always the stored ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from esca_desktop.context import AppContext
from esca_desktop.domain.model import FakeClock
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.storage.database import open_engine
from esca_desktop.storage.repository import AnswerWrite, AssessmentRepository, ChangedElsewhereError, ScoreSummary
from tests.conftest import new_request

SUMMARY = ScoreSummary(0, 31, None, None, None)


@pytest.fixture
def second(data_dir: Path, context: AppContext) -> Iterator[AssessmentRepository]:
    engine = open_engine(data_dir)
    yield AssessmentRepository(engine, FakeClock())
    engine.dispose()


def test_a_write_from_an_old_version_is_refused_and_stores_nothing(
    service: AssessmentService, second: AssessmentRepository
) -> None:
    first = service.repository
    assessment_id, _ = service.create(new_request())
    seen = first.load(assessment_id).version
    second.save_answers(assessment_id, [AnswerWrite("1.1.1.companies", 100, None)], "Command Line", [], SUMMARY)
    entries = len(first.audit_entries(assessment_id))

    with pytest.raises(ChangedElsewhereError):
        first.save_answers(assessment_id, [AnswerWrite("1.1.1.smes", 50, None)], "Window", [], SUMMARY, version=seen)
    assert "1.1.1.smes" not in first.answers_json(assessment_id)
    assert len(first.audit_entries(assessment_id)) == entries
    assert first.changed_elsewhere(assessment_id, seen)


def test_a_versioned_write_follows_the_programs_own_writes(
    service: AssessmentService, second: AssessmentRepository
) -> None:
    first = service.repository
    assessment_id, _ = service.create(new_request())
    seen = first.load(assessment_id).version
    first.add_quick_note(assessment_id, "Tour of the lab", "Window")  # no version: this program's own
    assert not first.changed_elsewhere(assessment_id, seen)
    first.save_answers(assessment_id, [AnswerWrite("1.1.1.smes", 50, None)], "Window", [], SUMMARY, version=seen)
    assert not first.changed_elsewhere(assessment_id, seen)  # the version moved on with the write
    assert second.changed_elsewhere(assessment_id, second.load(assessment_id).version) is False
    second.add_quick_note(assessment_id, "From the command line", "Command Line")
    assert first.changed_elsewhere(assessment_id, seen)  # the other program's own writes are not ours


def test_the_audit_trail_records_the_stored_old_value_not_the_callers(
    service: AssessmentService, second: AssessmentRepository
) -> None:
    first = service.repository
    assessment_id, _ = service.create(new_request())
    second.save_answers(assessment_id, [AnswerWrite("1.1.1.companies", 100, None)], "Command Line", [], SUMMARY)
    # the window still believes the field was empty
    first.save_answers(assessment_id, [AnswerWrite("1.1.1.companies", 120, None)], "Window", [], SUMMARY)
    second.save_answers(
        assessment_id, [AnswerWrite("1.1.1.companies", None, 120, draft="12o")], "Command Line", [], SUMMARY
    )
    first.save_answers(assessment_id, [AnswerWrite("1.1.1.companies", 125, 120)], "Window", [], SUMMARY)
    trail = [(e.old, e.new) for e in first.audit_entries(assessment_id) if e.target == "1.1.1.companies"]
    assert trail == [(None, 100), (100, 120), (120, {"draft": "12o"}), ({"draft": "12o"}, 125)]
    assert second.drafts(assessment_id) == {}  # the valid answer replaced the stored draft
    assert first.verify_audit(assessment_id).ok
