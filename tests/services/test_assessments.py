"""The interview use-cases against a real SQLite store: what the assessor does and sees."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from esca_desktop.domain.model import AssessmentStatus, EvidenceItem, Organisation
from esca_desktop.errors import NotFoundError, ReadOnlyError, ValidationError
from esca_desktop.forms.results import AnswerStatus, ResultStatus
from esca_desktop.services.assessments import AssessmentService, Interview, NewAssessment
from tests.conftest import new_request


def test_new_assessment_is_bound_to_the_exact_catalog(service: AssessmentService) -> None:
    assessment_id, changes = service.create(new_request())
    assessment = service.get(assessment_id)
    assert changes.list
    assert assessment.catalog.ref == "gold@2013.1"
    assert assessment.catalog.content_hash.startswith("sha256:")
    assert assessment.status is AssessmentStatus.DRAFT
    assert assessment.organisation.country == "DE"


@pytest.mark.parametrize(
    ("organisation", "message"),
    [
        (Organisation("", "DE"), "organisation name"),
        (Organisation("X", "ZZ"), "country: 'ZZ'"),
        (Organisation("X", "DE", sector="knitting"), "sector: 'knitting'"),
    ],
)
def test_new_assessment_refuses_bad_organisation_details(
    service: AssessmentService, organisation: Organisation, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        service.create(NewAssessment("gold", organisation))
    assert service.list_summaries() == []


def test_country_accepts_alpha3_and_names(service: AssessmentService) -> None:
    first, _ = service.create(NewAssessment("gold", Organisation("A", "DNK")))
    second, _ = service.create(NewAssessment("gold", Organisation("B", "Polen")))
    assert service.get(first).organisation.country == "DK"
    assert service.get(second).organisation.country == "PL"


def test_unknown_catalog_is_refused_with_the_known_ones(service: AssessmentService) -> None:
    with pytest.raises(NotFoundError, match=r"known: .*gold@2013\.1"):
        service.create(new_request(catalog="platinum"))


def test_an_answer_survives_reopening(service: AssessmentService) -> None:
    assessment_id, _ = service.create(new_request())
    interview = service.open(assessment_id)
    result, changes = interview.answer("1.1.2.participants", "85")
    assert result.status is AnswerStatus.OK
    assert "1.1.2.participants" in changes.answers
    reopened = service.open(assessment_id)
    assert reopened.session.value("1.1.2.participants") == 85
    assert reopened.assessment.status is AssessmentStatus.IN_PROGRESS


def test_a_refused_answer_changes_nothing(service: AssessmentService) -> None:
    assessment_id, _ = service.create(new_request())
    interview = service.open(assessment_id)
    interview.answer("1.1.2.participants", "85")
    result, changes = interview.answer("1.1.2.participants", "eighty")
    assert result.status is AnswerStatus.WRONG_TYPE
    assert "whole number" in result.message
    assert changes.answers == frozenset()
    assert service.open(assessment_id).session.value("1.1.2.participants") == 85
    assert len(service.audit(assessment_id)) == 2  # create + one answer


def test_a_kept_draft_is_stored_audited_survives_reopening_and_blocks_finalising(service: AssessmentService) -> None:
    assessment_id, _ = service.create(new_request())
    interview = service.open(assessment_id)
    interview.answer("1.1.2.participants", "85")
    result, changes = interview.answer("1.1.2.participants", "eighty", keep=True)
    assert result.stored and result.draft == "eighty"
    assert "1.1.2.participants" in changes.answers and "1.1.2" in changes.indicators
    reopened = service.open(assessment_id)
    assert reopened.session.draft("1.1.2.participants") == "eighty"
    assert reopened.session.value("1.1.2.participants") is None  # the old 85 no longer counts
    last = service.audit(assessment_id)[-1]
    assert last.target == "1.1.2.participants" and last.old == 85 and last.new == {"draft": "eighty"}
    assert service.verify_audit(assessment_id).ok
    with pytest.raises(ValidationError, match="whole number"):
        reopened.finalise()
    reopened.answer("1.1.2.participants", "80", keep=True)
    assert service.open(assessment_id).session.drafts == {}


def test_computed_share_and_score_update_when_an_answer_changes(service: AssessmentService) -> None:
    interview = service.open(service.create(new_request())[0])
    interview.answer("1.1.2.participants", "100")
    interview.answer("1.1.1.companies", "60")
    _, changes = interview.answer("1.1.1.smes", "45")
    assert interview.session.value("1.1.1.sme_share") == pytest.approx(75)
    assert "1.1.1.sme_share" in changes.answers
    interview.answer("1.1.1.research", "20")
    assert interview.session.result("1.1.1").status in (ResultStatus.MET, ResultStatus.NOT_MET)
    stored = service.repository.stored_results(interview.id)
    assert stored["1.1.1"][0] == interview.session.result("1.1.1").status.value


def test_cross_field_constraint_refuses_more_smes_than_companies(service: AssessmentService) -> None:
    interview = service.open(service.create(new_request())[0])
    interview.answer("1.1.1.companies", "10")
    result, _ = interview.answer("1.1.1.smes", "11")
    assert result.status is AnswerStatus.CONSTRAINT_VIOLATED
    assert interview.session.value("1.1.1.smes") is None


def test_answer_many_is_all_or_nothing(service: AssessmentService) -> None:
    interview = service.open(service.create(new_request())[0])
    with pytest.raises(ValidationError, match=r"2\.1\.founded"):
        interview.answer_many({"1.1.2.participants": 80, "2.1.founded": "long ago"})
    assert service.open(interview.id).session.value("1.1.2.participants") is None
    applied, _ = interview.answer_many({"1.1.1.smes": 5, "1.1.1.companies": 10})  # order does not matter
    assert len(applied) == 2


def test_undo_and_redo_restore_and_persist_values(service: AssessmentService) -> None:
    interview = service.open(service.create(new_request())[0])
    interview.answer("1.1.2.participants", "50")
    interview.answer("1.1.2.participants", "70")
    result, _ = interview.undo()
    assert result is not None and result.value == 50
    assert service.open(interview.id).session.value("1.1.2.participants") == 50
    interview.redo()
    assert service.open(interview.id).session.value("1.1.2.participants") == 70


def test_override_needs_a_justification(service: AssessmentService) -> None:
    interview = service.open(service.create(new_request())[0])
    with pytest.raises(ValidationError, match="justification"):
        interview.set_override("1.2", ResultStatus.MET, 4, "ok")
    interview.set_override("1.2", ResultStatus.MET, 4, "Members list checked on site, all regional.")
    reopened = service.open(interview.id)
    result = reopened.session.result("1.2")
    assert result.overridden and result.points == 4 and result.status is ResultStatus.MET
    assert reopened.session.state("1.2").override is not None


def test_notes_and_follow_ups_are_kept(service: AssessmentService) -> None:
    interview = service.open(service.create(new_request())[0])
    interview.set_note("2.1", "Founded as a project in 2009, association since 2012.")
    interview.set_follow_up("3.2", True)
    reopened = service.open(interview.id)
    assert reopened.session.state("2.1").note.startswith("Founded")
    assert reopened.session.follow_ups() == ["3.2"]


def test_finalise_is_refused_while_required_answers_are_missing(service: AssessmentService) -> None:
    interview = service.open(service.create(new_request())[0])
    with pytest.raises(ValidationError, match=r"cannot finalise, \d+ problems remain: 1.1.0.commitment_form"):
        interview.finalise()
    assert service.get(interview.id).status is AssessmentStatus.DRAFT


def test_a_single_remaining_problem_is_counted_in_the_singular_in_the_persons_language(
    service: AssessmentService,
) -> None:
    from esca_desktop.services.demo import create_demo_assessments

    interview = service.open(create_demo_assessments(service)["gold"])
    interview.answer("1.1.0.commitment_form", None)
    with pytest.raises(ValidationError, match=r"^cannot finalise, 1 problem remains: 1.1.0.commitment_form"):
        interview.finalise()
    service.context.lang = "de"  # the window's or the command line's language
    with pytest.raises(ValidationError, match=r"^Abschließen nicht möglich, 1 Problem ist noch offen: 1.1.0"):
        interview.finalise()


def test_finalised_assessment_is_read_only_until_reopened(service: AssessmentService) -> None:
    from esca_desktop.services.demo import create_demo_assessments

    gold_id = create_demo_assessments(service)["gold"]
    interview = service.open(gold_id)
    interview.finalise()
    assert service.get(gold_id).status is AssessmentStatus.FINALISED
    with pytest.raises(ReadOnlyError, match="read-only"):
        interview.answer("1.1.2.participants", "1")
    with pytest.raises(ReadOnlyError):
        service.open(gold_id).set_note("1.2", "late remark")
    interview.reopen()
    assert interview.assessment.revision == 2
    assert service.repository.snapshot(gold_id, 1) is not None
    result, _ = interview.answer("1.1.2.participants", "99")
    assert result.stored


def test_evidence_is_copied_with_its_hash(service: AssessmentService, tmp_path: Path) -> None:
    interview = service.open(service.create(new_request())[0])
    source = tmp_path / "Satzung.pdf"
    source.write_bytes(b"%PDF-1.4 statutes")
    item, changes = interview.add_evidence(source, "Statutes of 2019", ["2.4"])
    assert changes.evidence
    assert interview.evidence_path(item).read_bytes() == b"%PDF-1.4 statutes"
    assert item.sha256 == hashlib.sha256(b"%PDF-1.4 statutes").hexdigest()
    assert [e.file_name for e in interview.evidence()] == ["Satzung.pdf"]
    with pytest.raises(NotFoundError):
        interview.add_evidence(source, "", ["9.9"])


def test_new_catalog_version_does_not_change_existing_assessments(service: AssessmentService, tmp_path: Path) -> None:
    assessment_id, _ = service.create(new_request())
    gold = service.context.catalogs.find("gold")
    newer = gold.content.replace(b'version: "2013.1"', b'version: "2027.1"').replace(
        b"pass_percent: 80", b"pass_percent: 90"
    )
    service.context.catalogs.install(newer, "gold-2027.yaml")
    assert service.context.catalogs.find("gold").catalog.version == "2027.1"
    assert service.open(assessment_id).catalog.ref == "gold@2013.1"
    assert service.open(assessment_id).catalog.outcome.pass_percent == 80
    newest, _ = service.create(new_request())
    assert service.open(newest).catalog.outcome.pass_percent == 90


# --- evidence: remove, rename, re-link; empty files; the checklist; findings ----------------------


def _with_statutes(service: AssessmentService, tmp_path: Path) -> tuple[Interview, EvidenceItem]:
    interview = service.open(service.create(new_request())[0])
    source = tmp_path / "Satzung.pdf"
    source.write_bytes(b"%PDF-1.4 statutes")
    item, _ = interview.add_evidence(source, "Statutes of 2019", ["2.4"])
    return interview, item


def test_removed_evidence_leaves_the_assessment_and_its_file_but_stays_in_the_audit_trail(
    service: AssessmentService, tmp_path: Path
) -> None:
    interview, item = _with_statutes(service, tmp_path)
    stored = interview.evidence_path(item)
    removed, changes = interview.remove_evidence(item.id)
    assert changes.evidence and removed.id == item.id
    assert interview.evidence() == []
    assert not stored.exists()
    entry = service.audit(interview.id)[-1]
    assert (entry.action, entry.target, entry.new) == ("evidence_removed", "Satzung.pdf", None)
    assert entry.old["sha256"] == item.sha256 and entry.old["indicators"] == ["2.4"]
    assert service.verify_audit(interview.id).ok
    with pytest.raises(NotFoundError):
        interview.remove_evidence(item.id)


def test_evidence_can_be_renamed_and_relinked_and_each_change_is_audited(
    service: AssessmentService, tmp_path: Path
) -> None:
    interview, item = _with_statutes(service, tmp_path)
    renamed, _ = interview.describe_evidence(item.id, "  Statutes, amended 2023 ")
    assert renamed.description == "Statutes, amended 2023"
    relinked, _ = interview.link_evidence(item.id, ["3.1", "1.1.0", "3.1"])
    assert relinked.indicators == ("1.1.0", "3.1")  # catalog order, once each
    reopened = service.open(interview.id).evidence()[0]
    assert (reopened.description, reopened.indicators, reopened.sha256) == (
        "Statutes, amended 2023",
        ("1.1.0", "3.1"),
        item.sha256,
    )
    actions = [(e.action, e.old, e.new) for e in service.audit(interview.id)[-2:]]
    assert actions == [
        ("evidence_described", "Statutes of 2019", "Statutes, amended 2023"),
        ("evidence_linked", ["2.4"], ["1.1.0", "3.1"]),
    ]
    with pytest.raises(NotFoundError, match=r"9\.9"):
        interview.link_evidence(item.id, ["9.9"])


def test_evidence_is_found_by_file_name_id_or_hash(service: AssessmentService, tmp_path: Path) -> None:
    interview, item = _with_statutes(service, tmp_path)
    assert interview.find_evidence("Satzung.pdf") == item
    assert interview.find_evidence(item.sha256[:10]) == item
    assert interview.find_evidence(item.id[:8]) == item
    with pytest.raises(NotFoundError, match="no evidence"):
        interview.find_evidence("Protokoll.pdf")


def test_an_empty_file_is_refused_with_its_name(service: AssessmentService, tmp_path: Path) -> None:
    interview = service.open(service.create(new_request())[0])
    empty = tmp_path / "Mitgliederliste.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError, match=r"Mitgliederliste\.xlsx: the file is empty \(0 bytes\)"):
        interview.add_evidence(empty, "Member list", ["1.1.0"])
    assert interview.evidence() == []
    assert not any((service.context.evidence_dir / interview.id).glob("*"))


def test_finalised_evidence_cannot_be_removed(service: AssessmentService, tmp_path: Path) -> None:
    interview, item = _with_statutes(service, tmp_path)
    service.repository.set_status(interview.id, AssessmentStatus.FINALISED, "x", snapshot={})
    interview = service.open(interview.id)
    with pytest.raises(ReadOnlyError):
        interview.remove_evidence(item.id)
    assert interview.evidence_path(item).exists()


def test_evidence_checklist_items_are_ticked_durably_and_audited(service: AssessmentService) -> None:
    interview = service.open(service.create(new_request())[0])
    interview.set_evidence_checked("1.1.0", 1, True)  # Statutes
    interview.set_evidence_checked("1.1.0", 0, True)
    interview.set_evidence_checked("1.1.0", 0, False)
    assert service.open(interview.id).session.state("1.1.0").evidence_checked == (1,)
    entry = service.audit(interview.id)[-1]
    assert (entry.action, entry.target, entry.old, entry.new) == (
        "evidence_checklist",
        "1.1.0",
        ["Member list", "Statutes"],
        ["Statutes"],
    )
    with pytest.raises(ValidationError, match="no item 9"):
        interview.set_evidence_checked("1.1.0", 8, True)


def test_the_finding_for_the_report_is_kept_apart_from_the_internal_note(service: AssessmentService) -> None:
    interview = service.open(service.create(new_request())[0])
    interview.set_note("2.4", "Ask the director about the missing minutes")
    interview.set_finding("2.4", "The statutes define the cluster's governance clearly.")
    state = service.open(interview.id).session.state("2.4")
    assert state.note == "Ask the director about the missing minutes"
    assert state.finding == "The statutes define the cluster's governance clearly."
    assert service.audit(interview.id)[-1].action == "finding"


# --- photos ----------------------------------------------------------------------------------------


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG written with the standard library (the core's tests run without Qt)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x20\x80\xc0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_a_photo_is_attached_with_its_caption_and_shown_as_a_photo(service: AssessmentService, tmp_path: Path) -> None:
    from esca_desktop.domain.photos import is_photo

    interview = service.open(service.create(new_request())[0])
    source = tmp_path / "IMG_0042"  # a phone export without a suffix
    source.write_bytes(tiny_png())
    item, changes = interview.add_photo(source, "  Cluster office, meeting room  ", ["2.4"])
    assert changes.evidence
    [stored] = interview.evidence()
    assert stored.description == "Cluster office, meeting room" and stored.indicators == ("2.4",)
    assert is_photo(stored) and stored.stored_name.endswith(".png")
    assert interview.evidence_path(item).read_bytes() == tiny_png()


def test_a_file_that_is_not_a_picture_is_refused_as_a_photo_naming_it(
    service: AssessmentService, tmp_path: Path
) -> None:
    interview = service.open(service.create(new_request())[0])
    source = tmp_path / "Satzung.jpg"
    source.write_bytes(b"%PDF-1.4 statutes renamed to .jpg")
    with pytest.raises(ValidationError, match=r"Satzung\.jpg: not a photo"):
        interview.add_photo(source, "Statutes", ["2.4"])
    assert interview.evidence() == []
