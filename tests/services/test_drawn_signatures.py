"""A drawn signature belongs to the exact content signed: any change after signing removes it, the
audit trail keeps which and why, and a new revision starts unsigned."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from PIL import Image, ImageDraw

from esca_desktop.context import open_context
from esca_desktop.domain.model import FakeClock
from esca_desktop.forms.results import ResultStatus
from esca_desktop.services.assessments import AssessmentService, Interview
from esca_desktop.services.demo import create_demo_assessments
from esca_desktop.storage.database import MIGRATIONS_DIR, database_path
from esca_desktop.storage.repository import RemovedSignature


def signature_png(width: int = 300, height: int = 90) -> bytes:
    image = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(image).line([(5, height - 10), (width // 2, 10), (width - 5, height - 20)], fill="navy", width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def gold(service: AssessmentService) -> Interview:
    """The complete Gold sample, signed by the assessor and the cluster manager."""
    interview = service.open(create_demo_assessments(service)["gold"])
    interview.add_drawn_signature("assessor", "Anna Expert", signature_png())
    interview.add_drawn_signature("interviewee", "Jens Hansen", signature_png(200, 60))
    assert [s[:2] for s in interview.drawn_signatures()] == [
        ("assessor", "Anna Expert"),
        ("interviewee", "Jens Hansen"),
    ]
    return interview


def test_changing_an_answer_after_signing_removes_the_signatures_and_the_trail_says_why(
    service: AssessmentService, gold: Interview
) -> None:
    gold.answer("1.1.2.participants", "eighty")  # refused: nothing changed, the signatures stay
    assert len(gold.drawn_signatures()) == 2

    gold.answer("1.1.2.participants", "313")

    assert gold.drawn_signatures() == []
    assert service.open(gold.id).drawn_signatures() == []
    entry = service.audit(gold.id)[-1]
    assert (entry.action, entry.target, entry.new) == (
        "drawn_signature_cleared",
        "assessor, interviewee",
        {"reason": "answers"},
    )
    assert [(s["role"], s["signer"]) for s in entry.old] == [
        ("assessor", "Anna Expert"),
        ("interviewee", "Jens Hansen"),
    ]
    assert service.verify_audit(gold.id).ok
    assert gold.removed_signatures() == [
        RemovedSignature("assessor", "Anna Expert", "answers"),
        RemovedSignature("interviewee", "Jens Hansen", "answers"),
    ]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda i: i.set_note("3.2", "Board minutes seen after the interview."), "note"),
        (lambda i: i.set_follow_up("3.2", True), "follow_up"),
        (lambda i: i.set_override("4.5", ResultStatus.MET, 4, "Accepted on the evidence of the minutes."), "override"),
        (lambda i: i.set_summary_texts({"strengths": "A strong and active board."}), "summary"),
        (lambda i: i.undo(), "answers"),
        (lambda i: i.set_finding("3.2", "The board meets every quarter."), "finding"),
        (lambda i: i.set_evidence_checked("3.2", 0, True), "evidence_checklist"),
    ],
    ids=["note", "follow-up", "override", "closing-texts", "undo", "finding", "evidence-seen"],
)
def test_any_other_change_after_signing_removes_the_signatures(
    service: AssessmentService, gold: Interview, change: Callable[[Interview], object], reason: str
) -> None:
    gold.answer("1.1.2.participants", "313")
    gold.add_drawn_signature("assessor", "Anna Expert", signature_png())

    change(gold)

    assert gold.drawn_signatures() == []
    assert service.audit(gold.id)[-1].new == {"reason": reason}
    assert RemovedSignature("assessor", "Anna Expert", reason) in gold.removed_signatures()


def test_signatures_survive_finalising_but_not_reopening_as_a_new_revision(
    service: AssessmentService, gold: Interview
) -> None:
    gold.finalise()
    assert len(service.open(gold.id).drawn_signatures()) == 2

    gold.reopen()

    reopened = service.open(gold.id)
    assert reopened.assessment.revision == 2
    assert reopened.drawn_signatures() == []
    assert service.audit(gold.id)[-1].new == {"reason": "revision"}
    assert [s.reason for s in reopened.removed_signatures()] == ["revision", "revision"]


def test_signing_again_signs_the_changed_content(service: AssessmentService, gold: Interview) -> None:
    gold.answer("1.1.2.participants", "313")

    gold.add_drawn_signature("interviewee", "Jens Hansen", signature_png())

    assert [s[:2] for s in gold.drawn_signatures()] == [("interviewee", "Jens Hansen")]
    assert gold.removed_signatures() == [RemovedSignature("assessor", "Anna Expert", "answers")]
    gold.add_drawn_signature("assessor", "Anna Expert", signature_png())
    assert gold.removed_signatures() == []
    assert len(service.open(gold.id).drawn_signatures()) == 2


def test_a_signature_stored_before_the_upgrade_counts_only_if_nothing_changed_after_it(data_dir: Path) -> None:
    context = open_context(data_dir, clock=FakeClock())
    context.set_actor("Anna Expert")
    service = AssessmentService(context)
    ids = create_demo_assessments(service)
    unchanged = service.open(ids["silver"])
    unchanged.add_drawn_signature("assessor", "Anna Expert", signature_png())
    reopened = service.open(ids["gold"])
    reopened.add_drawn_signature("assessor", "Anna Expert", signature_png())
    reopened.finalise()
    reopened.reopen()
    context.close()
    # back to the schema before signatures recorded their content, where reopening left them in place
    command.downgrade(_migrations(data_dir), "0002_sync")
    with sqlite3.connect(database_path(data_dir)) as conn:
        conn.execute(
            "INSERT INTO drawn_signature (assessment_id, role, signer_name, image_png, signed_at) "
            "VALUES (?, 'assessor', 'Anna Expert', ?, '2026-01-01T00:00:00+00:00')",
            (ids["gold"], signature_png()),
        )

    context = open_context(data_dir, clock=FakeClock())  # upgrades
    try:
        service = AssessmentService(context)
        assert [s[:2] for s in service.open(ids["silver"]).drawn_signatures()] == [("assessor", "Anna Expert")]
        assert service.open(ids["gold"]).drawn_signatures() == []
        assert service.open(ids["gold"]).removed_signatures() == [
            RemovedSignature("assessor", "Anna Expert", "changed")
        ]
    finally:
        context.close()


def _migrations(data_dir: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{database_path(data_dir)}")
    return config
