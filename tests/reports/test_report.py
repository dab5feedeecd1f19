"""The assessment report as the secretariat receives it: cover, outcome and label validity, charts,
answers with units, evidence fingerprints, findings (never internal notes), overrides, signatures and appendix."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from esca_desktop.cli import run
from esca_desktop.context import AppContext
from esca_desktop.domain.benchmarks import Quartiles
from esca_desktop.domain.countries import find_country
from esca_desktop.domain.sectors import sector_label
from esca_desktop.errors import UserError
from esca_desktop.forms.results import ResultStatus
from esca_desktop.forms.values import format_value
from esca_desktop.reports.model import SignatureBox, label_valid_until, report_code
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.services.demo import create_demo_assessments
from esca_desktop.services.documents import DocumentService
from tests.conftest import new_request
from tests.memory_keyring import InMemoryKeyring, install_memory_keyring
from tests.reports.pdfcheck import (
    assert_only_embedded_truetype,
    assert_qpdf_clean,
    flat,
    page_texts,
    pdftotext,
)
from tests.reports.test_protocol import EUROPEAN_NAMES, PROVISIONAL_FOOTER

OVERRIDE_JUSTIFICATION = "Minutes of 38 working-group meetings seen on site; two groups rarely meet."
NOTE = "Jahresabschluss 2025 geprüft: Bestätigungsvermerk ohne Einschränkung"
FINDING = "The financing is secured until 2029; a fifth of the income comes from the members."


@pytest.fixture
def documents(context: AppContext, service: AssessmentService) -> DocumentService:
    return DocumentService(context, service)


@pytest.fixture
def demo(service: AssessmentService) -> dict[str, str]:
    return create_demo_assessments(service)


@pytest.fixture
def evidence_file(tmp_path: Path) -> Path:
    path = tmp_path / "Satzung 2023 (signiert).pdf"
    path.write_bytes(b"%PDF-1.4 statutes of the cluster, amended 2023")
    return path


@pytest.fixture
def gold_id(service: AssessmentService, demo: dict[str, str], evidence_file: Path) -> str:
    """The complete demo Gold assessment with evidence, a note and an override, finalised."""
    interview = service.open(demo["gold"])
    interview.add_evidence(evidence_file, "Statutes, last amended 2023", ["1.1.0", "2.4"])
    interview.set_note("3.2", NOTE)
    interview.set_finding("3.2", FINDING)
    interview.set_evidence_checked("2.4", 0, True)  # Statutes
    interview.set_override("4.5", ResultStatus.MET, 4, OVERRIDE_JUSTIFICATION)
    interview.finalise()
    return demo["gold"]


def _percent(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def test_cover_shows_organisation_country_sector_scheme_code_dates_assessors_and_status(
    documents: DocumentService, service: AssessmentService, gold_id: str, tmp_path: Path
) -> None:
    path, _ = documents.write_report(gold_id, tmp_path / "report.pdf", lang="en")
    cover = page_texts(path)[0]
    assessment = service.get(gold_id)
    org = assessment.organisation
    assert org.name in cover
    assert "Germany (DEU)" in cover
    assert sector_label(org.sector, "en") in cover
    assert "GOLD LABEL · Proven for Cluster Excellence" in cover and "Assessment report" in cover
    assert re.search(r"Report code DEU\d{6}G[0-9A-F]{8}\b", cover)
    start, end = assessment.interview_start, assessment.interview_end
    assert start is not None and end is not None and (start.year, start.month) == (end.year, end.month)
    assert f"{start.day}–{end.day} {calendar.month_name[start.month]} {start.year}" in cover
    assert all(name in cover for name in assessment.assessors)
    assert "finalised, revision 1" in cover
    assert "Outcome Passed" in cover
    assert (
        f"Label valid until {calendar.monthrange(start.year + 2, start.month)[1]} "
        f"{calendar.month_name[start.month]} {start.year + 2}" in cover
    )


def test_report_code_begins_with_the_iso_alpha3_country_code(
    documents: DocumentService, service: AssessmentService, tmp_path: Path
) -> None:
    assessment_id, _ = service.create(new_request(name="Klaster Łódź", country="PL"))
    path, _ = documents.write_report(assessment_id, tmp_path / "report.pdf", lang="en")
    code = documents.report_data(assessment_id, "en").report_code
    assert re.fullmatch(r"POL\d{6}G[0-9A-F]{8}", code)
    assert code[3:9] == "202611"  # no interview date yet: the month of the report (the test clock's)
    pages = page_texts(path)
    assert all(code in page for page in pages)  # in every page's footer
    assert report_code("POL", "gold", dt.date(2026, 11, 17), "1a2b3c4d-0000", revision=2) == "POL202611G1A2B3C4D-R2"


def test_gold_summary_shows_the_score_against_80_percent_and_the_label_valid_until(
    documents: DocumentService, service: AssessmentService, gold_id: str, tmp_path: Path
) -> None:
    path, _ = documents.write_report(gold_id, tmp_path / "report.pdf", lang="en")
    summary = page_texts(path)[1]
    interview = service.open(gold_id)
    total = interview.session.total()
    assert total.percent is not None and total.percent >= 80
    assert "Summary" in summary and "Outcome Passed" in summary
    assert f"{_percent(total.percent)} %" in summary
    assert f"{total.points:g} of {total.max_points:g} points" in summary
    assert "80 % needed" in summary and "pass mark 80 %" in summary  # the gauge and the radar chart
    assert "Minimum requirements: 10 of 10 met" in summary
    start = interview.assessment.interview_start
    assert start is not None
    years = interview.catalog.outcome.validity_years
    last_day = calendar.monthrange(start.year + years, start.month)[1]
    expected = f"{last_day} {calendar.month_name[start.month]} {start.year + years}"
    assert f"Label valid until {expected}" in summary
    assert f"{years} years from the month of the interview ({calendar.month_name[start.month]} {start.year})" in summary


def test_label_validity_counts_the_catalogs_years_from_the_interview_month() -> None:
    assert label_valid_until(dt.date(2026, 11, 17), 2) == dt.date(2028, 11, 30)
    assert label_valid_until(dt.date(2026, 2, 3), 2) == dt.date(2028, 2, 29)
    assert label_valid_until(dt.date(2026, 1, 31), 3) == dt.date(2029, 1, 31)


def test_label_valid_until_follows_the_validity_years_of_the_catalog(
    context: AppContext, documents: DocumentService, service: AssessmentService, tmp_path: Path
) -> None:
    gold = context.catalogs.find("gold").content
    three_years = gold.replace(b'version: "2013.1"', b'version: "2013.9"').replace(
        b"validity_years: 2", b"validity_years: 3"
    )
    context.catalogs.install(three_years, "gold-2013.9.yaml")
    gold_id = create_demo_assessments(service)["gold"]  # the demo takes the newest Gold catalog
    data = documents.report_data(gold_id, "en")
    assert data.catalog.version == "2013.9" and data.outcome.passed is True
    start = data.assessment.interview_start
    assert start is not None
    assert data.valid_until == dt.date(start.year + 3, start.month, calendar.monthrange(start.year + 3, start.month)[1])
    path, _ = documents.write_report(gold_id, tmp_path / "report.pdf", lang="en")
    assert f"Label valid until {data.valid_until.day} November {start.year + 3}" in page_texts(path)[1]


def test_a_failed_minimum_requirement_means_no_label(
    documents: DocumentService, service: AssessmentService, demo: dict[str, str], tmp_path: Path
) -> None:
    interview = service.open(demo["gold"])
    interview.set_override("1.1.0", ResultStatus.NOT_MET, None, "Half of the listed members have no agreement.")
    path, _ = documents.write_report(demo["gold"], tmp_path / "report.pdf", lang="en")
    pages = page_texts(path)
    assert "Not passed" in pages[0]
    assert "Label valid until no label (the outcome does not award one)" in pages[1]
    assert "Minimum requirement 1.1.0 (Commitment of cluster participants) is not met" in pages[1]
    assert documents.report_data(demo["gold"], "en").valid_until is None


def test_each_indicator_shows_answers_with_units_evidence_hashes_findings_and_overrides(
    documents: DocumentService, service: AssessmentService, gold_id: str, evidence_file: Path, tmp_path: Path
) -> None:
    path, _ = documents.write_report(gold_id, tmp_path / "report.pdf", lang="en")
    text = pdftotext(path)
    session = service.open(gold_id).session
    for key in ("1.1.2.participants", "2.2.1.fte", "3.1.annual_budget"):
        field = session.field(key)
        assert f"{flat(field.label.get('en'))} {format_value(field, session.value(key), 'en')}" in text
    digest = hashlib.sha256(evidence_file.read_bytes()).hexdigest()
    assert f"SHA-256 {digest}" in text
    assert text.count(digest) == 3  # under 1.1.0, under 2.4 and in the evidence register
    assert "Satzung 2023 (signiert).pdf — Statutes, last amended 2023" in text
    assert f"Finding {FINDING}" in text
    assert "Override The assessors changed the computed result" in text
    assert f"Justification: {OVERRIDE_JUSTIFICATION}" in text
    assert "by Test Assessor" in text


def test_the_report_prints_findings_but_never_internal_notes_or_follow_up_flags(
    documents: DocumentService, service: AssessmentService, gold_id: str, tmp_path: Path
) -> None:
    path, _ = documents.write_report(gold_id, tmp_path / "report.pdf", lang="en")
    text = " ".join(page_texts(path))
    session = service.open(gold_id).session
    notes = [session.state(i.id).note for i in session.indicators if session.state(i.id).note]
    assert NOTE in notes and len(notes) > 5 and session.follow_ups()
    assert f"Finding {FINDING}" in text
    for note in notes:
        assert flat(note)[:60] not in text
    assert "Marked for follow-up" not in text and "⚑" not in text
    assert "✓ Statutes (seen)" in text


def test_findings_are_printed(
    documents: DocumentService, service: AssessmentService, gold_id: str, tmp_path: Path
) -> None:
    path, _ = documents.write_report(gold_id, tmp_path / "report.pdf", lang="en")
    text = " ".join(page_texts(path))
    assessment = service.get(gold_id)
    assert "Findings and recommendations" in text
    for heading, body in (
        ("Strengths", assessment.strengths),
        ("Areas for improvement", assessment.improvement_areas),
        ("Recommendations", assessment.recommendations),
    ):
        assert body, f"the demo has no {heading}"
        assert f"{heading} {flat(body)[:80]}" in text


def test_appendix_names_the_catalog_and_summarises_the_audit_trail(
    documents: DocumentService, service: AssessmentService, gold_id: str, tmp_path: Path
) -> None:
    path, _ = documents.write_report(gold_id, tmp_path / "report.pdf", lang="en")
    appendix = page_texts(path)[-1]
    catalog = service.open(gold_id).catalog
    entries = service.audit(gold_id)
    assert "Appendix" in appendix
    assert f"Catalog {catalog.id} Version {catalog.version}" in appendix
    assert catalog.content_hash in appendix
    assert f"Entries {len(entries)} Hash chain intact — {len(entries)} entries, chain intact" in appendix
    assert entries[-1].hash in appendix
    assert "Changed by Test Assessor" in appendix


def test_drawn_signatures_are_printed_as_images(
    documents: DocumentService, context: AppContext, demo: dict[str, str], tmp_path: Path
) -> None:
    image = Image.new("RGB", (400, 120), "white")
    ImageDraw.Draw(image).line([(10, 90), (120, 20), (220, 100), (390, 30)], fill="navy", width=5)
    png = io.BytesIO()
    image.save(png, format="PNG")
    context.repository.add_drawn_signature(
        demo["gold"], "Cluster manager", "Dr. Katarzyna Łęcka", png.getvalue(), "Test Assessor"
    )
    path, box = documents.write_report(demo["gold"], tmp_path / "report.pdf", lang="en")
    page = PdfReader(path).pages[box.page_index]
    assert "Dr. Katarzyna Łęcka Cluster manager" in flat(page.extract_text())
    assert len(page.images) == 1


def test_without_drawn_signatures_the_report_leaves_labelled_lines(
    documents: DocumentService, service: AssessmentService, gold_id: str, tmp_path: Path
) -> None:
    path, box = documents.write_report(gold_id, tmp_path / "report.pdf", lang="en")
    page = page_texts(path)[box.page_index]
    assert "Signatures by hand" in page
    for name in service.get(gold_id).assessors:
        assert f"{name} Assessor Place, date" in page
    assert "Name and position, for" in page


def test_the_signature_box_is_an_empty_labelled_box_on_the_signature_page(
    documents: DocumentService, gold_id: str, tmp_path: Path
) -> None:
    path, box = documents.write_report(gold_id, tmp_path / "report.pdf", lang="en")
    reader = PdfReader(path)
    assert 0 < box.page_index < len(reader.pages) - 1  # before the appendix
    page = reader.pages[box.page_index]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert 0 <= box.x1 < box.x2 <= width and 0 <= box.y1 < box.y2 <= height
    assert box.width == pytest.approx(85 / 25.4 * 72, abs=0.1) and box.height == pytest.approx(32 / 25.4 * 72, abs=0.1)
    text = flat(page.extract_text())
    assert "Digital signature (PAdES)" in text and "Signature stamp" in text
    assert "/Annots" not in page  # empty: the stamp is added by signing


def test_every_report_page_says_the_criteria_are_provisional(
    documents: DocumentService, gold_id: str, tmp_path: Path
) -> None:
    path, _ = documents.write_report(gold_id, tmp_path / "report.pdf", lang="en")
    pages = page_texts(path)
    for number, text in enumerate(pages, start=1):
        assert PROVISIONAL_FOOTER in text, f"page {number} lacks the provisional footer"
        assert f"Page {number} of {len(pages)}" in text


def test_a_report_from_a_final_catalog_has_no_provisional_footer(
    context: AppContext, documents: DocumentService, service: AssessmentService, tmp_path: Path
) -> None:
    gold = context.catalogs.find("gold").content
    final = gold.replace(b'version: "2013.1"', b'version: "2013.9"').replace(
        b"\nprovisional: true\n", b"\nprovisional: false\n", 1
    )
    context.catalogs.install(final, "gold-final.yaml")
    assessment_id, _ = service.create(new_request(catalog="gold@2013.9"))
    path, _ = documents.write_report(assessment_id, tmp_path / "report.pdf", lang="en")
    assert not any(PROVISIONAL_FOOTER in text for text in page_texts(path))


@pytest.mark.parametrize(("country", "name"), sorted(EUROPEAN_NAMES.items()))
def test_names_in_european_scripts_come_back_unchanged(
    documents: DocumentService, service: AssessmentService, tmp_path: Path, country: str, name: str
) -> None:
    assessment_id, _ = service.create(new_request(catalog="silver", name=name, country=country))
    path, _ = documents.write_report(assessment_id, tmp_path / "report.pdf", lang="en")
    assert name in pdftotext(path)
    assert all(name in page for page in page_texts(path))
    alpha3 = {"PL": "POL", "GR": "GRC", "BG": "BGR", "CZ": "CZE"}[country]
    assert documents.report_data(assessment_id, "en").report_code.startswith(alpha3)


def test_every_scheme_embeds_its_fonts_and_passes_qpdf(
    documents: DocumentService, demo: dict[str, str], tmp_path: Path
) -> None:
    for scheme, assessment_id in demo.items():
        path, _ = documents.write_report(assessment_id, tmp_path / f"{scheme}.pdf")
        assert_only_embedded_truetype(path)
        assert_qpdf_clean(path)


def test_german_report(documents: DocumentService, gold_id: str, tmp_path: Path) -> None:
    path, _ = documents.write_report(gold_id, tmp_path / "bericht.pdf", lang="de")
    pages = page_texts(path)
    text = " ".join(pages)
    assert "Bewertungsbericht" in pages[0] and "Bestanden" in pages[0]
    assert "Zusammenfassung" in pages[1] and "Label gültig bis 30. November 2028" in pages[1]
    assert "80 % erforderlich" in pages[1]
    assert "Ergebnisse nach Bereichen" in text and "Feststellungen und Empfehlungen" in text
    assert "Unterschriften" in text and "Anhang" in pages[-1] and "Änderungsprotokoll" in pages[-1]
    assert "Seite 1 von" in pages[0] and "Vorläufige Kriterien" in pages[0]
    assert "Assessment report" not in text and "Summary" not in text


def _png() -> bytes:
    image = Image.new("RGB", (400, 120), "white")
    ImageDraw.Draw(image).line([(10, 90), (120, 20), (220, 100), (390, 30)], fill="navy", width=5)
    png = io.BytesIO()
    image.save(png, format="PNG")
    return png.getvalue()


def test_german_report_names_the_signers_roles_in_german(
    documents: DocumentService, service: AssessmentService, demo: dict[str, str], tmp_path: Path
) -> None:
    interview = service.open(demo["gold"])
    interview.add_drawn_signature("assessor", "Dr. Jens Hartmann", _png())
    interview.add_drawn_signature("interviewee", "Dr. Katrin Albers", _png())
    path, box = documents.write_report(demo["gold"], tmp_path / "bericht.pdf", lang="de")
    page = flat(PdfReader(path).pages[box.page_index].extract_text())
    assert "Dr. Jens Hartmann Expertin bzw. Experte" in page
    assert "Dr. Katrin Albers Gesprächspartnerin bzw. Gesprächspartner (Clustermanagement)" in page
    assert not re.search(r"\b(assessor|interviewee)\b", page)


def test_german_table_headers_keep_their_words_whole(
    documents: DocumentService, service: AssessmentService, demo: dict[str, str], evidence_file: Path, tmp_path: Path
) -> None:
    service.open(demo["gold"]).add_evidence(evidence_file, "Satzung", ["1.1.0"])
    for scheme in ("gold", "bronze"):
        path, _ = documents.write_report(demo[scheme], tmp_path / f"{scheme}.pdf", lang="de")
        lines = [line.strip() for page in PdfReader(path).pages for line in (page.extract_text() or "").splitlines()]
        # "Indikatoren" in the scores by area (and in the evidence register), never "Indikatore" + "n"
        assert "Indikatore" not in lines and "n" not in lines and "et" not in lines, scheme
        assert lines.count("Indikatoren") >= (2 if scheme == "gold" else 1), scheme
    assert "Beantwortet" in lines  # bronze counts answers rather than judging


def test_bronze_report_shows_eligibility_and_position_against_quartiles_without_ranking(
    documents: DocumentService, service: AssessmentService, demo: dict[str, str], tmp_path: Path
) -> None:
    bronze = service.open(demo["bronze"])
    members = bronze.session.value("B1.4.committed_members")
    assert isinstance(members, int)
    sector = bronze.assessment.organisation.sector
    country = bronze.assessment.organisation.country
    quartiles = [
        Quartiles(
            "B1.4.committed_members",
            f"sector:{sector}",
            42,
            12,
            members + 10,
            members + 20,
            members + 40,
            members + 300,
        ),
        Quartiles("B1.4.committed_members", f"country:{country}", 17, 3, 8, members - 5, members - 1, 90),
        Quartiles("not.a.field", "sector:ict", 9, 0, 1, 2, 3, 4),
    ]
    path, _ = documents.write_report(demo["bronze"], tmp_path / "bronze.pdf", lang="en", quartiles=quartiles)
    pages = page_texts(path)
    text = " ".join(pages)
    assert "Benchmarking report" in pages[0]
    assert "It makes no ranking and no judgement of good or bad." in pages[1]
    assert "Eligibility checks" in pages[1]
    for check in bronze.session.checks():
        assert check.label in pages[1]
    assert "Position against the comparison group" in pages[1]
    assert (
        f"B1.4 · Committed members {members} organisations {sector_label(sector, 'en')} (42) {members + 20} "
        "below the middle half" in pages[1]
    )
    assert "above the middle half" in pages[1]  # against the country's group
    assert f"Committed members — comparison group: {sector_label(sector, 'en')}" in text
    assert f"Committed members — comparison group: {find_country(country).name('en')}" in text  # type: ignore[union-attr]
    assert f"this organisation: {members} organisations" in text
    assert "rank" not in text.lower().replace("no ranking", "")


def test_bronze_report_without_benchmark_statistics_says_so(
    documents: DocumentService, demo: dict[str, str], tmp_path: Path
) -> None:
    path, _ = documents.write_report(demo["bronze"], tmp_path / "bronze.pdf", lang="en")
    assert "Benchmark statistics for the comparison groups were not available" in page_texts(path)[1]


def test_bronze_report_uses_the_statistics_the_last_sync_brought(
    documents: DocumentService, service: AssessmentService, demo: dict[str, str], tmp_path: Path
) -> None:
    from esca_desktop.storage.sync_store import SyncStore

    bronze = service.open(demo["bronze"])
    sector = bronze.assessment.organisation.sector
    store = SyncStore(service.repository.engine, service.context.clock)
    store.replace_benchmarks(
        [
            Quartiles("B1.4.committed_members", f"sector:{sector}", 12, 10, 40, 60, 90, 400),
            Quartiles("B1.4.committed_members", "sector:ict", 8, 1, 2, 3, 4, 5),  # another sector: not shown
        ]
    )
    path, _ = documents.write_report(demo["bronze"], tmp_path / "bronze.pdf", lang="en")
    text = " ".join(page_texts(path))
    assert f"Committed members — comparison group: {sector_label(sector, 'en')}" in text
    assert f"comparison group: {sector_label('ict', 'en')}" not in text


def test_silver_report_gives_pass_or_fail_with_reasons(
    documents: DocumentService, service: AssessmentService, demo: dict[str, str], tmp_path: Path
) -> None:
    path, _ = documents.write_report(demo["silver"], tmp_path / "silver.pdf", lang="en")
    summary = page_texts(path)[1]
    outcome = service.open(demo["silver"]).session.outcome()
    verdict = {True: "Passed", False: "Not passed", None: "Not decided yet"}[outcome.passed]
    assert f"Outcome {verdict}" in summary
    assert "Improvement areas:" in summary and "Minimum requirements:" in summary
    for reason in outcome.reasons[:3]:
        assert flat(reason) in summary


def test_a_report_before_finalisation_is_marked_draft(
    documents: DocumentService, demo: dict[str, str], gold_id: str, tmp_path: Path
) -> None:
    draft, _ = documents.write_report(demo["silver"], tmp_path / "draft.pdf", lang="en")
    final, _ = documents.write_report(gold_id, tmp_path / "final.pdf", lang="en")
    assert all("DRAFT" in page for page in page_texts(draft)[1:])
    assert not any("DRAFT" in page for page in page_texts(final))


def test_a_failed_report_leaves_no_file(
    documents: DocumentService, gold_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import esca_desktop.reports.report as report

    def failing(*args: object, **kwargs: object) -> object:
        raise RuntimeError("out of memory while drawing")

    monkeypatch.setattr(report, "_appendix", failing)
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(b"last week's report")
    with pytest.raises(RuntimeError):
        documents.write_report(gold_id, folder / "report.pdf")
    assert [p.name for p in folder.iterdir()] == ["report.pdf"]
    assert (folder / "report.pdf").read_bytes() == b"last week's report"


def test_a_failure_while_laying_out_pages_leaves_no_partial_file(
    documents: DocumentService, gold_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import esca_desktop.reports.document as document

    def failing_save(self: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(document._DecoratedCanvas, "save", failing_save)
    folder = tmp_path / "out"
    with pytest.raises(UserError, match="cannot write the PDF: No space left on device"):
        documents.write_report(gold_id, folder / "report.pdf")
    assert list(folder.iterdir()) == []


def test_answers_notes_and_findings_several_pages_long_break_across_pages(
    documents: DocumentService, service: AssessmentService, demo: dict[str, str], tmp_path: Path
) -> None:
    interview = service.open(demo["gold"])
    stories = "\n".join(f"Story {n}: a member consortium built a prototype with two institutes." for n in range(140))
    interview.answer("5.2.best_stories", stories + "\nLast story: Ende gut, alles gut.")
    interview.set_finding("2.4", "Board minutes checked. " * 400 + "Last finding line.")
    interview.set_override("2.5", ResultStatus.MET, 5, "Contacts documented in the CRM. " * 200 + "End of reasons.")
    interview.set_summary_texts({"strengths": "A strong and broad membership. " * 500 + "Final strength."})
    path, _ = documents.write_report(demo["gold"], tmp_path / "report.pdf", lang="en")
    text = pdftotext(path)
    for ending in ("Last story: Ende gut, alles gut.", "Last finding line.", "End of reasons.", "Final strength."):
        assert ending in text
    assert_qpdf_clean(path)


# --- command line ---------------------------------------------------------------------------------


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryKeyring]:
    yield from install_memory_keyring(monkeypatch)


def _cli(data_dir: Path, *args: str) -> int:
    return run(["--data-dir", str(data_dir), *args])


def test_cli_writes_the_report_in_english_and_german(
    data_dir: Path, gold_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    english, german = tmp_path / "report.pdf", tmp_path / "bericht.pdf"
    assert _cli(data_dir, "report", gold_id[:8], "--out", str(english)) == 0
    assert "report written" in capsys.readouterr().out
    assert _cli(data_dir, "report", gold_id, "--out", str(german), "--lang", "de") == 0
    assert "Assessment report" in page_texts(english)[0]
    assert "Bewertungsbericht" in page_texts(german)[0]


def test_cli_signs_only_finalised_assessments(
    data_dir: Path, demo: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.pdf"
    assert _cli(data_dir, "report", demo["silver"], "--out", str(target), "--sign") == 2
    assert "only a finalised assessment's report can be signed" in capsys.readouterr().err
    assert not target.exists()


def test_cli_says_when_signing_is_not_available(
    data_dir: Path,
    gold_id: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "esca_desktop.services.signing", None)  # import fails
    target = tmp_path / "report.pdf"
    assert _cli(data_dir, "report", gold_id, "--out", str(target), "--sign") == 2
    assert "signing is not available" in capsys.readouterr().err
    assert not target.exists()


def test_cli_signs_the_report_in_its_signature_box(
    data_dir: Path, gold_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], memory_keyring: None
) -> None:
    assert _cli(data_dir, "identity", "create", "--name", "Ingrid Solberg", "--email", "is@example.no") == 0
    target = tmp_path / "signed.pdf"
    capsys.readouterr()
    assert _cli(data_dir, "report", gold_id, "--out", str(target), "--sign", "--json") == 0
    out = capsys.readouterr().out
    assert '"signed": true' in out
    box = SignatureBox(**__import__("json").loads(out)["signature_box"])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    widgets = [annotation.get_object() for annotation in PdfReader(target).pages[box.page_index]["/Annots"]]
    rects = [[float(v) for v in w["/Rect"]] for w in widgets if w.get("/FT") == "/Sig"]
    assert rects == [pytest.approx([box.x1, box.y1, box.x2, box.y2], abs=0.5)]
    assert _cli(data_dir, "verify", str(target)) == 0


def test_cli_report_of_an_unknown_assessment_exits_2(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(data_dir, "report", "deadbeef", "--out", str(tmp_path / "x.pdf")) == 2
    assert "no assessment 'deadbeef'" in capsys.readouterr().err


def test_photos_are_listed_under_their_indicator_with_caption_and_date(
    documents: DocumentService, service: AssessmentService, demo: dict[str, str], tmp_path: Path
) -> None:
    from esca_desktop.reports.document import format_date

    source = tmp_path / "IMG_0042.JPG"
    Image.new("RGB", (64, 48), (40, 120, 200)).save(source, "JPEG")
    photo, _ = service.open(demo["gold"]).add_photo(source, "Cluster office, meeting room", ["2.4"])
    path, _ = documents.write_report(demo["gold"], tmp_path / "report.pdf", lang="en")
    text = pdftotext(path)
    when = format_date(photo.added_at.date(), "en")
    assert f"Photos: • Cluster office, meeting room ({when})" in text
    assert "IMG_0042.JPG — " not in text  # not listed again as a document under the indicator
