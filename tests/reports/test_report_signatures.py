"""The report prints a drawn signature only under the content it signed: after a change or in a new
revision, the signature page offers empty lines to sign again."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from esca_desktop.context import AppContext
from esca_desktop.services.assessments import AssessmentService, Interview
from esca_desktop.services.demo import create_demo_assessments
from esca_desktop.services.documents import DocumentService
from esca_desktop.storage.bundle_store import read_record
from tests.reports.pdfcheck import flat
from tests.services.test_drawn_signatures import signature_png


@pytest.fixture
def documents(context: AppContext, service: AssessmentService) -> DocumentService:
    return DocumentService(context, service)


@pytest.fixture
def signed_gold(service: AssessmentService) -> Interview:
    interview = service.open(create_demo_assessments(service)["gold"])
    interview.add_drawn_signature("interviewee", "Dr. Katarzyna Łęcka", signature_png())
    return interview


def signature_page(documents: DocumentService, assessment_id: str, path: Path) -> tuple[str, int]:
    """The signature page's text and how many images it holds."""
    written, box = documents.write_report(assessment_id, path, lang="en")
    page = PdfReader(written).pages[box.page_index]
    return flat(page.extract_text()), len(page.images)


def test_a_signature_is_printed_while_the_content_is_as_signed(
    documents: DocumentService, signed_gold: Interview, tmp_path: Path
) -> None:
    page, images = signature_page(documents, signed_gold.id, tmp_path / "report.pdf")
    assert "Dr. Katarzyna Łęcka Interviewee (cluster management)" in page and images == 1

    signed_gold.answer("1.1.2.participants", "313")

    page, images = signature_page(documents, signed_gold.id, tmp_path / "changed.pdf")
    assert "Łęcka" not in page and images == 0
    assert "Name and position, for" in page  # lines to sign by hand instead
    assert documents.report_data(signed_gold.id).drawn_signatures == ()


def test_the_report_of_a_new_revision_prints_no_signature_of_the_old_one(
    documents: DocumentService, signed_gold: Interview, tmp_path: Path
) -> None:
    signed_gold.finalise()
    signed_gold.reopen()
    signed_gold.finalise()

    page, images = signature_page(documents, signed_gold.id, tmp_path / "revision-2.pdf")
    assert "Łęcka" not in page and images == 0


def test_a_signature_of_other_content_is_neither_printed_nor_exported_even_if_still_stored(
    context: AppContext, documents: DocumentService, signed_gold: Interview, tmp_path: Path
) -> None:
    with context.repository.engine.begin() as conn:  # a change that did not go through the interview
        conn.execute(
            text("UPDATE answer SET value_json = '313' WHERE assessment_id = :a AND field_key = '1.1.2.participants'"),
            {"a": signed_gold.id},
        )

    page, images = signature_page(documents, signed_gold.id, tmp_path / "report.pdf")
    assert "Łęcka" not in page and images == 0
    record = read_record(context.repository.engine, signed_gold.id)
    assert record is not None and record.drawn_signatures == []
