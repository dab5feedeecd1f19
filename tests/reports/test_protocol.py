"""The interview protocol as an assessor prints it: blank or pre-filled, every indicator with its
questions, fields, units, evidence checklist and room for notes, in any European script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from esca_desktop.cli import run
from esca_desktop.context import AppContext
from esca_desktop.errors import UserError, ValidationError
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.services.demo import create_demo_assessments
from esca_desktop.services.documents import DocumentService
from tests.conftest import new_request
from tests.reports.pdfcheck import (
    assert_only_embedded_truetype,
    assert_qpdf_clean,
    flat,
    page_texts,
    pdftotext,
)

EUROPEAN_NAMES = {
    "PL": "Klaster Łódź",
    "GR": "Ελληνικό Σύμπλεγμα",
    "BG": "Клъстер София",
    "CZ": "Klastr Plzeň",
}

PROVISIONAL_FOOTER = "Provisional criteria: thresholds and weights are assumptions"


@pytest.fixture
def documents(context: AppContext, service: AssessmentService) -> DocumentService:
    return DocumentService(context, service)


@pytest.fixture
def gold_id(service: AssessmentService) -> str:
    """A Gold assessment with a few distinctive answers and a note."""
    assessment_id, _ = service.create(new_request())
    interview = service.open(assessment_id)
    interview.answer_many(
        {
            "1.1.0.commitment_form": "agreement",
            "1.1.0.commitment_documented": True,
            "1.1.2.participants": 4711,
        }
    )
    interview.set_note("1.1.2", "Mitgliederliste vom 3. März geprüft, Stichprobe von zwölf Verträgen")
    return assessment_id


def test_blank_protocol_has_a_cover_with_the_organisation_and_the_scheme(
    documents: DocumentService, gold_id: str, tmp_path: Path
) -> None:
    path = documents.write_protocol(gold_id, tmp_path / "protocol.pdf", blank=True, lang="en")
    cover = page_texts(path)[0]
    assert "Cluster Nordwest" in cover
    assert "GOLD LABEL" in cover and "Interview protocol" in cover
    assert "Blank form for the interview" in cover
    assert "Germany (DEU)" in cover and "gold@2013.1" in cover
    assert "Provisional criteria" in cover  # the catalog's provisional note on the cover


def test_blank_protocol_prints_every_indicator_with_its_questions_fields_evidence_and_notes(
    documents: DocumentService, service: AssessmentService, gold_id: str, tmp_path: Path
) -> None:
    path = documents.write_protocol(gold_id, tmp_path / "protocol.pdf", blank=True, lang="en")
    text = " ".join(page_texts(path))
    catalog = service.open(gold_id).catalog
    for indicator in catalog.indicators:
        assert f"{indicator.id} {flat(indicator.title.get('en'))}" in text
    assert text.count("What it measures:") == len(catalog.indicators)
    assert text.count("Questions for the interview") == sum(1 for i in catalog.indicators if i.guidance)
    assert text.count("Evidence seen") == len(catalog.indicators)
    assert text.count("Notes") >= len(catalog.indicators)
    # Units beside the boxes, choices as check boxes with how many to tick.
    assert "Committed cluster participants * organisations" in text
    assert "(tick one) ☐ Membership with a fee ☐ Signed membership or cooperation agreement" in text
    assert "(tick all that apply)" in text
    assert "☐ yes ☐ no" in text
    assert "DD.MM.YYYY" in text
    assert "☐ Member list" in text  # the evidence checklist


def test_blank_protocol_has_no_answers_and_the_prefilled_one_has_them(
    documents: DocumentService, gold_id: str, tmp_path: Path
) -> None:
    blank = pdftotext(documents.write_protocol(gold_id, tmp_path / "blank.pdf", blank=True, lang="en"))
    filled = pdftotext(documents.write_protocol(gold_id, tmp_path / "filled.pdf", blank=False, lang="en"))
    note = "Mitgliederliste vom 3. März geprüft, Stichprobe von zwölf Verträgen"
    assert "4711" not in blank and note not in blank
    assert blank.count("☒") == 1  # only in the instructions ("tick ☒ one box")
    assert "4711" in filled and note in filled
    assert "☒ Signed membership or cooperation agreement" in filled
    assert "☒ yes" in filled
    assert "Pre-filled with the answers known on" in filled


def test_an_indicator_block_is_not_split_across_pages(
    documents: DocumentService, service: AssessmentService, gold_id: str, tmp_path: Path
) -> None:
    path = documents.write_protocol(gold_id, tmp_path / "protocol.pdf", blank=True, lang="en")
    pages = page_texts(path)
    catalog = service.open(gold_id).catalog
    headings = {ind.id: f"{ind.id} {flat(ind.title.get('en'))}" for ind in catalog.indicators}
    for index, indicator in enumerate(catalog.indicators):
        page = next(p for p in pages if headings[indicator.id] in p)
        block = page.split(headings[indicator.id], 1)[1]
        following = [headings[other.id] for other in catalog.indicators[index + 1 :]]
        for heading in following:
            block = block.split(heading, 1)[0]
        for field in indicator.fields:
            assert flat(field.label.get("en")) in block, f"{field.key} is not on the page of {indicator.id}"
        for item in indicator.evidence:
            assert f"☐ {flat(item.get('en'))}" in block, f"evidence of {indicator.id} is not on its page"
        assert "Notes" in block


def test_every_page_says_the_criteria_are_provisional(documents: DocumentService, gold_id: str, tmp_path: Path) -> None:
    pages = page_texts(documents.write_protocol(gold_id, tmp_path / "protocol.pdf", blank=True, lang="en"))
    assert len(pages) > 10
    for number, text in enumerate(pages, start=1):
        assert PROVISIONAL_FOOTER in text, f"page {number} lacks the provisional footer"
        assert f"Page {number} of {len(pages)}" in text


def test_a_catalog_that_is_not_provisional_prints_no_provisional_footer(
    context: AppContext, documents: DocumentService, service: AssessmentService, tmp_path: Path
) -> None:
    gold = context.catalogs.find("gold").content
    final = gold.replace(b'version: "2013.1"', b'version: "2013.9"').replace(
        b"\nprovisional: true\n", b"\nprovisional: false\n", 1
    )
    context.catalogs.install(final, "gold-final.yaml")
    assessment_id, _ = service.create(new_request(catalog="gold@2013.9"))
    pages = page_texts(documents.write_protocol(assessment_id, tmp_path / "protocol.pdf", blank=True, lang="en"))
    assert not any(PROVISIONAL_FOOTER in text for text in pages)


@pytest.mark.parametrize(("country", "name"), sorted(EUROPEAN_NAMES.items()))
def test_names_in_european_scripts_come_back_unchanged(
    documents: DocumentService, service: AssessmentService, tmp_path: Path, country: str, name: str
) -> None:
    assessment_id, _ = service.create(new_request(catalog="bronze", name=name, country=country))
    path = documents.write_protocol(assessment_id, tmp_path / "protocol.pdf", blank=True, lang="en")
    assert name in pdftotext(path)
    pages = page_texts(path)
    assert name in pages[0]
    assert all(name in page for page in pages)  # in every page's header (the cover: its title)


def test_fonts_are_embedded_and_qpdf_finds_no_error(
    documents: DocumentService, service: AssessmentService, tmp_path: Path
) -> None:
    for scheme, assessment_id in create_demo_assessments(service).items():
        for blank in (True, False):
            path = documents.write_protocol(assessment_id, tmp_path / f"{scheme}-{blank}.pdf", blank=blank)
            assert_only_embedded_truetype(path)
            assert_qpdf_clean(path)


def test_german_protocol(documents: DocumentService, gold_id: str, tmp_path: Path) -> None:
    path = documents.write_protocol(gold_id, tmp_path / "protokoll.pdf", blank=True, lang="de")
    text = " ".join(page_texts(path))
    assert "Interviewprotokoll" in text and "GOLD-Label" in text
    assert "1.1.0 Verbindlichkeit der Clusterbeteiligung" in text
    assert "Was gemessen wird:" in text and "Fragen für das Interview" in text
    assert "Eingesehene Nachweise" in text and "TT.MM.JJJJ" in text
    assert "Seite 1 von" in text and "Vorläufige Kriterien" in text
    assert "What it measures" not in text


def test_long_known_answers_and_notes_continue_on_the_next_page(
    documents: DocumentService, service: AssessmentService, gold_id: str, tmp_path: Path
) -> None:
    interview = service.open(gold_id)
    interview.answer("5.2.best_stories", "A success story told at length. " * 600 + "The end of the stories.")
    interview.set_note("1.2", "Regional figures checked. " * 500 + "The end of the note.")
    path = documents.write_protocol(gold_id, tmp_path / "protocol.pdf", blank=False, lang="en")
    text = pdftotext(path)
    assert "The end of the stories." in text and "The end of the note." in text
    blank = pdftotext(documents.write_protocol(gold_id, tmp_path / "blank.pdf", blank=True, lang="en"))
    assert "The end of the stories." not in blank


def test_a_failed_write_leaves_the_previous_file_and_no_partial_file(
    documents: DocumentService, gold_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import esca_desktop.reports.protocol as protocol

    target = tmp_path / "out" / "protocol.pdf"
    target.parent.mkdir()
    target.write_bytes(b"the previous protocol")
    calls = 0
    original = protocol._indicator_block

    def failing(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls > 5:
            raise RuntimeError("disk on fire")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(protocol, "_indicator_block", failing)
    with pytest.raises(RuntimeError):
        documents.write_protocol(gold_id, target, blank=True)
    assert target.read_bytes() == b"the previous protocol"
    assert [p.name for p in target.parent.iterdir()] == ["protocol.pdf"]


def test_the_target_must_be_a_pdf_file(documents: DocumentService, gold_id: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"must end in \.pdf"):
        documents.write_protocol(gold_id, tmp_path / "protocol.txt")
    with pytest.raises(UserError, match="is a folder"):
        documents.write_protocol(gold_id, tmp_path)
    with pytest.raises(ValidationError, match="'fr' is not one of en, de"):
        documents.write_protocol(gold_id, tmp_path / "p.pdf", lang="fr")


# --- command line ---------------------------------------------------------------------------------


def test_cli_writes_a_blank_and_a_prefilled_protocol(
    data_dir: Path, gold_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blank = tmp_path / "blank.pdf"
    assert run(["--data-dir", str(data_dir), "protocol", gold_id[:8], "--out", str(blank), "--blank"]) == 0
    assert "blank interview protocol written" in capsys.readouterr().out
    assert blank.read_bytes().startswith(b"%PDF-")
    german = tmp_path / "de.pdf"
    assert run(["--data-dir", str(data_dir), "protocol", gold_id, "--out", str(german), "--lang", "de", "--json"]) == 0
    assert '"blank": false' in capsys.readouterr().out
    text = pdftotext(german)
    assert "Interviewprotokoll" in text and "4711" in text


def test_cli_protocol_errors_exit_2(
    data_dir: Path, gold_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--data-dir", str(data_dir), "protocol", "deadbeef", "--out", str(tmp_path / "x.pdf")]) == 2
    assert "no assessment 'deadbeef'" in capsys.readouterr().err
    assert run(["--data-dir", str(data_dir), "protocol", gold_id, "--out", str(tmp_path / "x.doc")]) == 2
    assert re.search(r"must end in \.pdf", capsys.readouterr().err)
    assert not list(tmp_path.glob("x.*"))


def test_prefilled_protocol_ticks_the_evidence_seen_and_lists_the_attached_files(
    documents: DocumentService, service: AssessmentService, gold_id: str, tmp_path: Path
) -> None:
    interview = service.open(gold_id)
    interview.set_evidence_checked("1.1.0", 1, True)  # Statutes
    source = tmp_path / "Mitgliederliste 2026.xlsx"
    source.write_bytes(b"PK member list")
    interview.add_evidence(source, "Member list of 31 October", ["1.1.0"])
    interview.set_finding("1.1.0", "Every participant signed an agreement.")
    interview.set_follow_up("1.1.0", True)
    filled = pdftotext(documents.write_protocol(gold_id, tmp_path / "filled.pdf", blank=False, lang="en"))
    block = filled.split("1.1.0 ", 1)[1].split("1.1.1 ", 1)[0]
    assert "☐ Member list ☒ Statutes ☐ Signed membership" in block
    assert "☒ Mitgliederliste 2026.xlsx — Member list of 31 October (attached)" in block
    assert "Finding for the report Every participant signed an agreement." in block
    assert "Marked for follow-up" in block
    blank = pdftotext(documents.write_protocol(gold_id, tmp_path / "blank.pdf", blank=True, lang="en"))
    assert "☒ Statutes" not in blank and "Mitgliederliste 2026.xlsx" not in blank
