"""Correcting an assessment's details until it is finalised, archiving it and deleting one never sent:
each audited, drawn signatures removed by a change of the details, the deleted one's trail kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from esca_desktop.domain.model import AssessmentDetails, AssessmentStatus, Organisation
from esca_desktop.errors import NotFoundError, ReadOnlyError, ValidationError
from esca_desktop.services.assessments import AssessmentService, Interview
from esca_desktop.services.demo import create_demo_assessments
from tests.conftest import new_request
from tests.services.test_drawn_signatures import signature_png


@pytest.fixture
def interview(service: AssessmentService) -> Interview:
    assessment_id, _ = service.create(new_request())
    return service.open(assessment_id)


def corrected(interview: Interview, **changes: object) -> AssessmentDetails:
    details = interview.details()
    organisation = {k[4:]: v for k, v in changes.items() if k.startswith("org_")}
    rest = {k: v for k, v in changes.items() if not k.startswith("org_")}
    return replace(details, organisation=replace(details.organisation, **organisation), **rest)  # type: ignore[arg-type]


def test_edited_details_are_stored_normalised_and_audited_with_old_and_new_values(
    service: AssessmentService, interview: Interview
) -> None:
    changed, changes = interview.edit_details(
        corrected(
            interview,
            org_name="  Cluster Nordwest e.V. ",
            org_country="Dänemark",
            org_website="cluster-nordwest.dk",
            place="Aalborg",
            interview_start=dt.date(2026, 12, 3),
            interview_end=dt.date(2026, 12, 4),
            assessors=("A. Expert", " B. Zweite "),
        )
    )

    assert changes.list and interview.id in changes.assessment_ids
    stored = service.get(interview.id)
    assert stored.organisation.name == "Cluster Nordwest e.V."
    assert stored.organisation.country == "DK"
    assert stored.organisation.website == "https://cluster-nordwest.dk"
    assert (stored.place, stored.interview_start, stored.interview_end) == (
        "Aalborg",
        dt.date(2026, 12, 3),
        dt.date(2026, 12, 4),
    )
    assert stored.assessors == ("A. Expert", "B. Zweite")
    assert interview.assessment.organisation.name == "Cluster Nordwest e.V."
    entries = {e.target: (e.old, e.new) for e in service.audit(interview.id) if e.action == "details"}
    assert entries["organisation.name"] == ("Cluster Nordwest", "Cluster Nordwest e.V.")
    assert entries["organisation.country"] == ("DE", "DK")
    assert entries["place"] == ("", "Aalborg")
    assert entries["interview_start"] == (None, "2026-12-03")
    assert entries["assessors"] == (["A. Expert"], ["A. Expert", "B. Zweite"])
    assert set(changed) == set(entries)
    assert service.verify_audit(interview.id).ok
    assert service.list_summaries()[0].organisation == "Cluster Nordwest e.V."


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"org_name": "  "}, "organisation name"),
        ({"org_country": "Atlantis"}, "country: 'Atlantis'"),
        ({"org_sector": "knitting"}, "sector: 'knitting'"),
        ({"interview_start": dt.date(2026, 12, 4), "interview_end": dt.date(2026, 12, 3)}, "interview dates"),
        ({"assessors": (" ",)}, "assessors"),
    ],
)
def test_wrong_details_are_refused_naming_the_field_and_nothing_changes(
    service: AssessmentService, interview: Interview, changes: dict[str, object], message: str
) -> None:
    before = service.audit(interview.id)
    with pytest.raises(ValidationError, match=message):
        interview.edit_details(corrected(interview, **changes))
    assert service.get(interview.id).organisation == Organisation("Cluster Nordwest", "DE", sector="ict")
    assert service.audit(interview.id) == before


def test_unchanged_details_write_nothing(service: AssessmentService, interview: Interview) -> None:
    before = len(service.audit(interview.id))
    assert interview.edit_details(interview.details()) == ([], interview.edit_details(interview.details())[1])
    assert len(service.audit(interview.id)) == before


def test_editing_the_details_after_signing_removes_the_drawn_signatures(service: AssessmentService) -> None:
    gold = service.open(create_demo_assessments(service)["gold"])
    gold.add_drawn_signature("assessor", "Anna Expert", signature_png())
    assert len(gold.drawn_signatures()) == 1

    gold.edit_details(corrected(gold, place="Odense, Forskerparken 10"))

    assert gold.drawn_signatures() == []
    assert [(s.role, s.reason) for s in gold.removed_signatures()] == [("assessor", "details")]
    last = service.audit(gold.id)[-1]
    assert (last.action, last.new) == ("drawn_signature_cleared", {"reason": "details"})


def test_details_of_a_finalised_assessment_cannot_be_edited(service: AssessmentService) -> None:
    gold = service.open(create_demo_assessments(service)["gold"])
    gold.finalise()
    with pytest.raises(ReadOnlyError, match="finalised and read-only"):
        gold.edit_details(corrected(gold, place="Elsewhere"))
    assert service.get(gold.id).place != "Elsewhere"


def test_an_archived_assessment_is_read_only_until_unarchived(service: AssessmentService, interview: Interview) -> None:
    changes = service.archive(interview.id)
    assert changes.list
    assert [s.archived for s in service.list_summaries()] == [True]
    archived = service.open(interview.id)
    assert not archived.editable
    with pytest.raises(ReadOnlyError, match="archived"):
        archived.answer("1.1.2.participants", "85")
    with pytest.raises(ReadOnlyError, match="archived"):
        archived.edit_details(corrected(archived, place="Kiel"))
    with pytest.raises(ReadOnlyError, match="archived"):  # an interview opened before still cannot write
        interview.answer("1.1.2.participants", "85")

    service.unarchive(interview.id)

    reopened = service.open(interview.id)
    assert reopened.editable and not service.list_summaries()[0].archived
    reopened.answer("1.1.2.participants", "85")
    assert [e.action for e in service.audit(interview.id)][-3:-1] == ["archive", "unarchive"]


def test_deleting_removes_the_assessment_and_its_evidence_files_but_keeps_its_audit_trail(
    service: AssessmentService, interview: Interview, tmp_path: Path
) -> None:
    source = tmp_path / "statutes.pdf"
    source.write_bytes(b"%PDF-1.4 statutes")
    item, _ = interview.add_evidence(source, "Statutes", ["1.1.1"])
    stored_file = interview.evidence_path(item)
    assert stored_file.exists()
    interview.answer("1.1.2.participants", "85")

    deleted, changes = service.delete(interview.id[:8])

    assert changes.list and deleted.organisation == "Cluster Nordwest"
    assert service.list_summaries() == []
    assert not stored_file.exists() and not stored_file.parent.exists()
    with pytest.raises(NotFoundError, match="was deleted"):
        service.open(interview.id)
    trail = service.audit(interview.id)
    assert trail[0].action == "create"
    assert trail[-1].action == "deleted"
    assert trail[-1].old["evidence"] == [{"file": "statutes.pdf", "sha256": item.sha256}]
    assert service.verify_audit(interview.id).ok


def test_an_assessment_that_was_sent_cannot_be_deleted(service: AssessmentService) -> None:
    gold = service.open(create_demo_assessments(service)["gold"])
    gold.finalise()
    service.repository.set_status(gold.id, AssessmentStatus.SUBMITTED, "Test Assessor")  # as a sync does
    with pytest.raises(ReadOnlyError, match="was sent to the secretariat"):
        service.delete(gold.id)
    assert service.get(gold.id).status is AssessmentStatus.SUBMITTED

    service.repository.set_status(gold.id, AssessmentStatus.RETURNED, "Test Assessor", new_revision=True)
    service.repository.set_status(gold.id, AssessmentStatus.IN_PROGRESS, "Test Assessor")
    with pytest.raises(ReadOnlyError, match="was sent"):  # a new revision of a returned one was sent before
        service.delete(gold.id)
    assert service.get(gold.id).revision == 2


def test_a_finalised_assessment_waiting_in_the_outbox_can_be_deleted(service: AssessmentService) -> None:
    from esca_desktop.storage.sync_store import SyncStore

    gold = service.open(create_demo_assessments(service)["gold"])
    gold.finalise()
    store = SyncStore(service.repository.engine, service.context.clock)
    assert [i.assessment_id for i in store.outbox()] == [gold.id]

    service.delete(gold.id)

    assert store.outbox() == []


def test_a_deleted_assessment_cannot_be_imported_again_over_its_kept_audit_trail(
    service: AssessmentService, tmp_path: Path
) -> None:
    from esca_desktop.storage.bundle_store import RecordClashError, read_record, stored_state, write_record

    assessment_id, _ = service.create(new_request())
    engine = service.repository.engine
    record = read_record(engine, assessment_id)
    assert record is not None
    service.delete(assessment_id)
    with pytest.raises(RecordClashError, match="was deleted from this store"):
        write_record(engine, record, stored_state(engine, assessment_id), None, "2026-12-03T10:00:00+00:00")
    assert service.verify_audit(assessment_id).ok
