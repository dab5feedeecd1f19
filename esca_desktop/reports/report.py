"""The assessment report: cover, summary with the outcome and the label's validity, charts and
results per area, the answers of every indicator with units, evidence (the checklist items seen and
the files with their SHA-256), overrides and the finding written for the report (never the assessors'
internal notes or follow-up flags), the summary findings, the signatures (drawn ones and the box for
the cryptographic stamp) and an appendix with the catalog's identity and the audit trail.

`build_report` returns where it left the signature box, so that signing can place the visible
stamp there without knowing anything about the layout.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

from reportlab.graphics.shapes import Drawing, Line, Rect, String  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.lib.utils import ImageReader  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    CondPageBreak,
    Flowable,
    Image,
    Indenter,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from esca_desktop import __version__
from esca_desktop.domain.countries import find_country
from esca_desktop.domain.model import EvidenceItem
from esca_desktop.domain.photos import is_photo
from esca_desktop.domain.sectors import sector_label
from esca_desktop.forms.catalog import Area, Catalog, Indicator, Judgement
from esca_desktop.forms.results import AreaScore, IndicatorResult, Override, ResultStatus
from esca_desktop.forms.values import AnswerValue
from esca_desktop.reports.charts import IndicatorBar, indicator_bars, quartile_chart, radar_chart
from esca_desktop.reports.document import (
    CONTENT_WIDTH,
    LONG_IN_CELL,
    PALETTE,
    WORDS,
    Badge,
    PageDecor,
    PositionRecorder,
    RuledLines,
    Vocabulary,
    area_heading,
    badge_row,
    boxed,
    boxed_or_flowing,
    build_pdf,
    css,
    derive,
    display_value,
    esc,
    format_date,
    format_moment,
    format_month,
    format_number,
    format_period,
    grid,
    indicator_head,
    key_value_table,
    label_value_flow,
    lighten,
    organisation_rows,
    para,
    scheme_colour,
    styles,
)
from esca_desktop.reports.fonts import SANS
from esca_desktop.reports.model import ReportData, SignatureBox

TEXT = Vocabulary(
    {
        "report": ("Assessment report", "Bewertungsbericht"),
        "benchmark_report": ("Benchmarking report", "Benchmarking-Bericht"),
        "report_code": ("Report code", "Berichtsnummer"),
        "interview": ("Interview", "Interview"),
        "status": ("Status", "Status"),
        "status_value": ("{status}, revision {revision}", "{status}, Revision {revision}"),
        "report_date": ("Date of this report", "Datum dieses Berichts"),
        "outcome": ("Outcome", "Ergebnis"),
        "summary": ("Summary", "Zusammenfassung"),
        "passed": ("Passed", "Bestanden"),
        "not_passed": ("Not passed", "Nicht bestanden"),
        "undecided": ("Not decided yet", "Noch nicht entschieden"),
        "benchmarked": ("Benchmarked", "Benchmarking erfolgt"),
        "benchmark_open": ("Benchmarking not complete", "Benchmarking nicht abgeschlossen"),
        "comparison_groups": ("Comparison groups", "Vergleichsgruppen"),
        "checks_met": ("{met} of {total} met", "{met} von {total} erfüllt"),
        "check": ("Check", "Prüfung"),
        "no_label_benchmark": ("not yet (answers are missing)", "noch nicht (Angaben fehlen)"),
        "no_label_ineligible": (
            "no label (an eligibility check is not met)",
            "kein Label (eine Teilnahmevoraussetzung ist nicht erfüllt)",
        ),
        "group_caption": ("{field} — comparison group: {group}", "{field} – Vergleichsgruppe: {group}"),
        "score": ("Total score", "Gesamtpunktzahl"),
        "points_of": ("{points} of {max} points", "{points} von {max} Punkten"),
        "needed": ("{percent} % needed", "{percent} % erforderlich"),
        "valid_until": ("Label valid until", "Label gültig bis"),
        "valid_rule": (
            "{years} years from the month of the interview ({month})",
            "{years} Jahre ab dem Monat des Interviews ({month})",
        ),
        "no_label": ("no label (the outcome does not award one)", "kein Label (das Ergebnis vergibt keines)"),
        "no_label_open": ("not yet (the outcome is not decided)", "noch nicht (das Ergebnis steht noch nicht fest)"),
        "reasons": ("Reasons", "Gründe"),
        "more_reasons": (
            "… and {count} more: see the results by area.",
            "… und {count} weitere: siehe die Ergebnisse nach Bereichen.",
        ),
        "minimum_requirements": ("Minimum requirements", "Mindestanforderungen"),
        "min_met": ("{met} of {total} met", "{met} von {total} erfüllt"),
        "improvement_areas_rule": ("Improvement areas", "Verbesserungsbereiche"),
        "eligibility": ("Eligibility checks", "Teilnahmevoraussetzungen"),
        "no_ranking": (
            "A benchmarking shows the organisation's position against groups of comparable organisations "
            "(same sector portfolio, same country). It makes no ranking and no judgement of good or bad.",
            "Ein Benchmarking zeigt die Position der Organisation im Vergleich zu Gruppen ähnlicher "
            "Organisationen (gleiches Branchenportfolio, gleiches Land). Es erstellt keine Rangfolge und "
            "bewertet nicht nach gut oder schlecht.",
        ),
        "position": ("Position against the comparison group", "Position im Vergleich zur Vergleichsgruppe"),
        "no_benchmarks": (
            "Benchmark statistics for the comparison groups were not available for this report.",
            "Benchmark-Statistiken der Vergleichsgruppen lagen für diesen Bericht nicht vor.",
        ),
        "below": ("below the middle half", "unterhalb der mittleren Hälfte"),
        "lower_middle": ("middle half, below the median", "mittlere Hälfte, unter dem Median"),
        "upper_middle": ("middle half, at or above the median", "mittlere Hälfte, ab dem Median"),
        "above": ("above the middle half", "oberhalb der mittleren Hälfte"),
        "group_median": ("Median", "Median"),
        "group": ("Comparison group", "Vergleichsgruppe"),
        "position_short": ("Position", "Position"),
        "value": ("Value", "Wert"),
        "field": ("Field", "Feld"),
        "areas": ("Scores by area", "Punkte nach Bereichen"),
        "area": ("Area", "Bereich"),
        "indicators": ("Indicators", "Indikatoren"),
        "met_count": ("Met", "Erfüllt"),
        "not_met_count": ("Not met", "Nicht erf."),
        "open_count": ("Open", "Offen"),
        "points": ("Points", "Punkte"),
        "share": ("Share", "Anteil"),
        "answered": ("Answered", "Beantwortet"),
        "total": ("Total", "Gesamt"),
        "results": ("Results by area", "Ergebnisse nach Bereichen"),
        "answers": ("Answers", "Angaben"),
        "calculated": ("calculated", "berechnet"),
        "no_answer": ("no answer", "keine Angabe"),
        "level": ("Level reached", "Erreichte Stufe"),
        "no_level": ("no level reached", "keine Stufe erreicht"),
        "evidence": ("Evidence", "Nachweise"),
        "finding": ("Finding", "Feststellung"),
        "seen": ("seen", "eingesehen"),
        "photos": ("Photos", "Fotos"),
        "override": ("Override", "Übersteuerung"),
        "override_text": (
            "The assessors changed the computed result {computed} to {result}.",
            "Die Expertinnen und Experten haben das berechnete Ergebnis {computed} in {result} geändert.",
        ),
        "justification": ("Justification", "Begründung"),
        "by": ("by {who}, {when}", "von {who}, {when}"),
        "not_applicable_text": ("Not applicable given the answers.", "Nach den Angaben nicht anwendbar."),
        "findings": ("Findings and recommendations", "Feststellungen und Empfehlungen"),
        "strengths": ("Strengths", "Stärken"),
        "improvement_areas": ("Areas for improvement", "Verbesserungsbereiche"),
        "recommendations": ("Recommendations", "Empfehlungen"),
        "none_written": ("None written.", "Keine Angaben."),
        "interviewees": ("Interviewees", "Gesprächspartnerinnen und Gesprächspartner"),
        "interviewees_intro": (
            "The people interviewed during the visit, as recorded in the attendance of each session.",
            "Die während des Besuchs befragten Personen, wie in der Anwesenheit jeder Gesprächsrunde erfasst.",
        ),
        "no_interviewees": ("No attendance was recorded.", "Es wurde keine Anwesenheit erfasst."),
        "person": ("Name", "Name"),
        "role": ("Role", "Funktion"),
        "person_organisation": ("Organisation", "Organisation"),
        "sessions_attended": ("Sessions attended", "Teilgenommen an"),
        "evidence_register": ("Evidence register", "Verzeichnis der Nachweise"),
        "evidence_intro": (
            "Every document seen was copied into the assessment with its SHA-256 fingerprint; a copy whose "
            "fingerprint differs is not the document listed here.",
            "Jedes eingesehene Dokument wurde mit seinem SHA-256-Fingerabdruck in die Bewertung übernommen; eine "
            "Kopie mit anderem Fingerabdruck ist nicht das hier verzeichnete Dokument.",
        ),
        "no_evidence": ("No documents were attached.", "Es wurden keine Dokumente angehängt."),
        "file": ("Document", "Dokument"),
        "linked": ("Indicators", "Indikatoren"),
        "size": ("Size", "Größe"),
        "added": ("Added", "Hinzugefügt"),
        "signatures": ("Signatures", "Unterschriften"),
        "signatures_intro": (
            "The assessors confirm that this report records the findings of the assessment. The digital "
            "signature below (PAdES) protects the whole document: any later change to it is detectable in "
            "every PDF reader.",
            "Die Expertinnen und Experten bestätigen, dass dieser Bericht die Feststellungen der Bewertung "
            "wiedergibt. Die digitale Signatur unten (PAdES) schützt das gesamte Dokument: jede spätere Änderung "
            "ist in jedem PDF-Programm erkennbar.",
        ),
        "drawn": ("Signatures by hand", "Handschriftliche Unterschriften"),
        "signature_of": ("Signature", "Unterschrift"),
        "place_date": ("Place, date", "Ort, Datum"),
        "assessor": ("Assessor", "Expertin bzw. Experte"),
        "interviewee": (
            "Interviewee (cluster management)",
            "Gesprächspartnerin bzw. Gesprächspartner (Clustermanagement)",
        ),
        "organisation_rep": ("Name and position, for", "Name und Funktion, für"),
        "digital": ("Digital signature (PAdES)", "Digitale Signatur (PAdES)"),
        "digital_intro": (
            "The assessor's certificate signs the whole file; open the signature panel of a PDF reader to see who "
            "signed, when, and whether the document is unchanged.",
            "Das Zertifikat der Expertin bzw. des Experten signiert die ganze Datei; das Signaturfenster eines "
            "PDF-Programms zeigt, wer wann signiert hat und ob das Dokument unverändert ist.",
        ),
        "stamp": ("Signature stamp", "Signaturstempel"),
        "digital_hint": (
            "Placed here when the report is signed in ESCA Assessor.",
            "Wird hier angebracht, wenn der Bericht in ESCA Assessor signiert wird.",
        ),
        "unreadable": ("(the signature image cannot be read)", "(das Bild der Unterschrift ist nicht lesbar)"),
        "appendix": ("Appendix", "Anhang"),
        "catalog_section": ("A.1 Criteria catalog", "A.1 Kriterienkatalog"),
        "catalog_id": ("Catalog", "Katalog"),
        "version": ("Version", "Version"),
        "title": ("Title", "Titel"),
        "hash": ("Content hash (SHA-256)", "Inhalts-Hash (SHA-256)"),
        "provisional": ("Provisional", "Vorläufig"),
        "provisional_yes": ("yes — {note}", "ja – {note}"),
        "provenance": ("Sources", "Quellen"),
        "rule": ("Label rule", "Label-Regel"),
        "audit_section": ("A.2 Audit trail", "A.2 Änderungsprotokoll"),
        "audit_entries": ("Entries", "Einträge"),
        "audit_chain": ("Hash chain", "Hash-Kette"),
        "chain_ok": ("intact — {message}", "intakt – {message}"),
        "chain_broken": ("BROKEN — {message}", "GEBROCHEN – {message}"),
        "audit_period": ("Period", "Zeitraum"),
        "audit_actors": ("Changed by", "Geändert von"),
        "audit_actions": ("Changes by kind", "Änderungen nach Art"),
        "audit_head": ("Latest entry hash", "Hash des letzten Eintrags"),
        "about_section": ("A.3 About this report", "A.3 Zu diesem Bericht"),
        "assessment_id": ("Assessment id", "Bewertungs-ID"),
        "generated": ("Generated", "Erstellt"),
        "program": ("Program", "Programm"),
        "provisional_box": ("Provisional criteria", "Vorläufige Kriterien"),
    }
)

TAGLINES = {
    "gold": "Proven for Cluster Excellence",
    "silver": "Dedicated to Cluster Excellence",
    "bronze": "Striving for Cluster Excellence",
}

ACTIONS = Vocabulary(
    {
        "create": ("created", "angelegt"),
        "answer": ("answers", "Angaben"),
        "load": ("answers loaded", "Angaben geladen"),
        "undo": ("undone", "rückgängig"),
        "redo": ("redone", "wiederholt"),
        "note": ("notes", "Notizen"),
        "follow_up": ("follow-up flags", "Nachverfolgung"),
        "finding": ("findings per indicator", "Feststellungen je Indikator"),
        "evidence_checklist": ("evidence checklist", "Nachweisliste"),
        "evidence_removed": ("evidence removed", "Nachweise entfernt"),
        "evidence_described": ("evidence renamed", "Nachweise umbenannt"),
        "evidence_linked": ("evidence re-linked", "Nachweise neu zugeordnet"),
        "override": ("overrides", "Übersteuerungen"),
        "summary": ("findings", "Feststellungen"),
        "evidence": ("evidence", "Nachweise"),
        "status": ("status changes", "Statusänderungen"),
        "drawn_signature": ("drawn signatures", "Unterschriften"),
        "drawn_signature_cleared": ("signatures removed", "entfernte Unterschriften"),
    }
)

STATUS_STYLE = {
    ResultStatus.MET: (PALETTE.met_light, PALETTE.met),
    ResultStatus.NOT_MET: (PALETTE.not_met_light, PALETTE.not_met),
    ResultStatus.OPEN: (PALETTE.open_light, PALETTE.open),
    ResultStatus.NOT_APPLICABLE: (PALETTE.tint, PALETTE.muted),
    ResultStatus.ANSWERED: (PALETTE.brand_light, PALETTE.brand),
}

SIGNER_ROLES = ("assessor", "interviewee")  # the roles of drawn signatures, each a word of TEXT
SIGNATURE_BOX_SIZE = (85 * mm, 32 * mm)
MAX_REASONS = 12  # in the summary; every indicator's result is in the results by area
INDENT = 17 * mm  # indicator blocks: the number in the margin, the body beside it
BARS_PER_CHART = 30  # rows of one indicator chart: long areas get several, each kept on one page


def build_report(data: ReportData, out_path: Path, lang: str) -> SignatureBox:
    """Write the report as a PDF (atomically); returns where the signature box is."""
    catalog = data.catalog
    assessment = data.assessment
    decor = PageDecor(
        organisation=assessment.organisation.name,
        document_title=_title(catalog, lang),
        scheme=catalog.scheme,
        scheme_title=_scheme_name(catalog.scheme, lang),
        code=data.report_code,
        lang=lang,
        provisional_footer=WORDS("provisional_footer", lang, ref=catalog.ref) if catalog.provisional else "",
        draft=assessment.status.editable,
    )
    box = PositionRecorder(*SIGNATURE_BOX_SIZE, label=TEXT("stamp", lang), hint=TEXT("digital_hint", lang))
    story: list[Flowable] = []
    story.extend(_cover(data, lang))
    story.append(PageBreak())
    story.extend(_summary(data, lang))
    story.append(PageBreak())
    story.extend(_results(data, lang))
    story.append(PageBreak())
    story.extend(_findings(data, lang))
    story.extend(_interviewees(data, lang))
    story.extend(_evidence_register(data, lang))
    story.append(PageBreak())
    story.extend(_signatures(data, lang, box))
    story.append(PageBreak())
    story.extend(_appendix(data, lang))
    build_pdf(
        out_path,
        story,
        decor,
        title=f"{_title(catalog, lang)} {data.report_code} – {assessment.organisation.name}",
        author=", ".join(assessment.assessors) or "ESCA Assessor",
        subject=f"{catalog.title.get(lang)} ({catalog.ref})",
        keywords=("ESCA", catalog.scheme, data.report_code),
    )
    if box.position is None:  # pragma: no cover - the box is always part of the story
        raise AssertionError("the signature box was not laid out")
    page, x1, y1, x2, y2 = box.position
    return SignatureBox(page, round(x1, 2), round(y1, 2), round(x2, 2), round(y2, 2))


def _title(catalog: Catalog, lang: str) -> str:
    if catalog.outcome.judgement is Judgement.BENCHMARK:
        return TEXT("benchmark_report", lang)
    return TEXT("report", lang)


def _scheme_name(scheme: str, lang: str) -> str:
    names = {"gold": "GOLD", "silver": "SILBER" if lang == "de" else "SILVER", "bronze": "BRONZE"}
    name = names.get(scheme, scheme.upper())
    return f"{name}-Label" if lang == "de" else f"{name} label"


def _table(
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    header: bool = True,
    align_right: Sequence[int] = (),
    zebra: bool = True,
) -> Table:
    if header and rows:
        widths = _fit_header_words(rows[0], widths, padding=8)
    table = grid([list(r) for r in rows], col_widths=widths, hAlign="LEFT", repeatRows=1 if header else 0)
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, PALETTE.rule),
    ]
    if header:
        commands += [("LINEBELOW", (0, 0), (-1, 0), 0.9, PALETTE.brand), ("BACKGROUND", (0, 0), (-1, 0), PALETTE.tint)]
    if zebra:
        start = 1 if header else 0
        for row in range(start + 1, len(rows), 2):
            commands.append(("BACKGROUND", (0, row), (-1, row), lighten(PALETTE.tint, 0.5)))
    for column in align_right:
        commands.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
    table.setStyle(TableStyle(commands))
    return table


def _fit_header_words(header: Sequence[object], widths: Sequence[float], padding: float) -> list[float]:
    """Column widths in which no header word is broken ("Indikatoren", not "Indikatore/n"): a column
    too narrow for its longest header word is widened, and the widest column gives up the room."""
    fitted = list(widths)
    needed = [0.0] * len(fitted)
    for column, cell in enumerate(header[: len(fitted)]):
        if isinstance(cell, Paragraph):
            words = re.sub(r"<[^>]+>", " ", cell.text).split()
            font, size = cell.style.fontName, cell.style.fontSize
            needed[column] = max((stringWidth(w, font, size) for w in words), default=0.0) + padding + 0.5
    donor = max(range(len(fitted)), key=lambda i: fitted[i] - needed[i])
    for column, width in enumerate(fitted):
        if column != donor and needed[column] > width:
            fitted[donor] -= needed[column] - width
            fitted[column] = needed[column]
    return fitted


def _status_badge(result: IndicatorResult, lang: str) -> Badge:
    fill, ink = STATUS_STYLE[result.status]
    text = result.status.label(lang)
    if result.max_points > 0 and result.points is not None and result.status is not ResultStatus.NOT_APPLICABLE:
        text += f" · {format_number(result.points, lang)} / {format_number(result.max_points, lang)}"
    return Badge(text, fill, ink, size=7.8)


# --- cover ----------------------------------------------------------------------------------------


def _verdict(data: ReportData, lang: str) -> tuple[str, colors.Color]:
    outcome = data.outcome
    if outcome.judgement == Judgement.BENCHMARK.value:
        if data.valid_until is None:
            return TEXT("benchmark_open", lang), PALETTE.open
        return TEXT("benchmarked", lang), PALETTE.brand
    if outcome.passed is True:
        return TEXT("passed", lang), PALETTE.met
    if outcome.passed is False:
        return TEXT("not_passed", lang), PALETTE.not_met
    return TEXT("undecided", lang), PALETTE.open


def _valid_until_text(data: ReportData, lang: str) -> str:
    if data.valid_until is not None:
        return format_date(data.valid_until, lang)
    if data.outcome.judgement == Judgement.BENCHMARK.value:
        if any(check.status is ResultStatus.NOT_MET for check in data.outcome.checks):
            return TEXT("no_label_ineligible", lang)
        return TEXT("no_label_benchmark", lang)
    if data.outcome.passed is False:
        return TEXT("no_label", lang)
    return TEXT("no_label_open", lang)


def _cover(data: ReportData, lang: str) -> list[Flowable]:
    s = styles()
    catalog = data.catalog
    assessment = data.assessment
    org = assessment.organisation
    colour = scheme_colour(catalog.scheme)
    out: list[Flowable] = []
    band = grid([[""]], col_widths=[CONTENT_WIDTH], rowHeights=[3 * mm])
    band.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colour)]))
    out.append(band)
    out.append(Spacer(1, 8 * mm))
    tagline = f"{_scheme_name(catalog.scheme, lang).upper()} · {TAGLINES.get(catalog.scheme, '')}".rstrip(" ·")
    out.append(para(tagline, derive(s.label, textColor=colour, fontSize=9.5, leading=12)))
    out.append(para(_title(catalog, lang), s.title))
    out.append(para(catalog.title.get(lang), s.subtitle))
    out.append(Spacer(1, 10 * mm))
    out.append(para(org.name, derive(s.cover_org, fontSize=22, leading=27)))
    country = find_country(org.country)
    details = []
    if country is not None:
        details.append(country.name(lang))
    if org.region:
        details.append(org.region)
    if org.sector:
        details.append(sector_label(org.sector, lang))
    out.append(para(" · ".join(details), derive(s.subtitle, textColor=PALETTE.ink, fontSize=11.5)))
    out.append(Spacer(1, 9 * mm))
    verdict, verdict_colour = _verdict(data, lang)
    code_cell = [
        para(TEXT("report_code", lang), s.label),
        para(
            data.report_code,
            derive(s.h1, spaceBefore=1, spaceAfter=0, fontSize=12.5, leading=18, textColor=PALETTE.ink),
        ),
    ]
    outcome_cell = [
        para(TEXT("outcome", lang), s.label),
        para(verdict, derive(s.h1, spaceBefore=1, spaceAfter=0, fontSize=13.5, leading=18, textColor=verdict_colour)),
    ]
    if data.total.max_points > 0 and data.total.percent is not None:
        outcome_cell.append(
            para(
                f"{format_number(data.total.percent, lang)} % · "
                + TEXT(
                    "points_of",
                    lang,
                    points=format_number(data.total.points, lang),
                    max=format_number(data.total.max_points, lang),
                ),
                s.muted,
            )
        )
    valid_cell = [
        para(TEXT("valid_until", lang), s.label),
        para(_valid_until_text(data, lang), derive(s.h2, spaceBefore=1, spaceAfter=0)),
    ]
    panel = grid(
        [[code_cell, outcome_cell, valid_cell]],
        col_widths=[CONTENT_WIDTH * 0.4, CONTENT_WIDTH * 0.28, CONTENT_WIDTH * 0.32],
        hAlign="LEFT",
    )
    panel.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PALETTE.tint),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 3.5 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5 * mm),
                ("LINEABOVE", (0, 0), (-1, 0), 1.5, colour),
                ("LINEAFTER", (0, 0), (1, 0), 0.5, PALETTE.rule),
            ]
        )
    )
    out.append(panel)
    out.append(Spacer(1, 8 * mm))
    rows: list[tuple[str, Flowable | str]] = [
        (WORDS("organisation", lang), org.name),
        *organisation_rows(org, lang, contact=False),
    ]
    interview = format_period(assessment.interview_start, assessment.interview_end, lang)
    if assessment.place:
        interview = f"{interview}, {assessment.place}" if interview else assessment.place
    rows += [
        (TEXT("interview", lang), interview or "—"),
        (WORDS("assessors", lang), ", ".join(assessment.assessors) or "—"),
        (
            TEXT("status", lang),
            TEXT("status_value", lang, status=assessment.status.label(lang), revision=assessment.revision),
        ),
        (WORDS("catalog", lang), f"{catalog.ref} · {catalog.content_hash[:23]}…"),
        (TEXT("report_date", lang), format_date(data.generated_at.date(), lang)),
    ]
    out.append(key_value_table(rows, 42 * mm))
    if catalog.provisional:
        out.append(Spacer(1, 8 * mm))
        note = [
            para(TEXT("provisional_box", lang), derive(s.h3, textColor=PALETTE.provisional, spaceBefore=0)),
            para(catalog.provisional_note.get(lang), s.body_small),
        ]
        out.append(boxed(note, lighten(PALETTE.open_light, 0.3), left_bar=PALETTE.provisional))
    return out


# --- summary --------------------------------------------------------------------------------------


def _score_gauge(percent: float, pass_percent: float | None, colour: colors.Color, lang: str, width: float) -> Drawing:
    height = 30.0
    drawing = Drawing(width, height)
    bar_y, bar_h = 12.0, 9.0
    drawing.add(Rect(0, bar_y, width, bar_h, fillColor=colors.white, strokeColor=PALETTE.rule, strokeWidth=0.6))
    fill = PALETTE.met if pass_percent is None or percent >= pass_percent else PALETTE.not_met
    drawing.add(Rect(0, bar_y, width * max(0.0, min(100.0, percent)) / 100, bar_h, fillColor=fill, strokeColor=None))
    for tick in (0, 20, 40, 60, 80, 100):
        x = width * tick / 100
        drawing.add(
            String(
                min(max(x, 6), width - 8),
                2,
                f"{tick} %",
                fontName=SANS.regular,
                fontSize=6,
                fillColor=PALETTE.faint,
                textAnchor="middle",
            )
        )
    if pass_percent is not None:
        x = width * pass_percent / 100
        drawing.add(Line(x, bar_y - 3, x, bar_y + bar_h + 3, strokeColor=PALETTE.ink, strokeWidth=1.6))
        drawing.add(
            String(
                x,
                bar_y + bar_h + 4.5,
                TEXT("needed", lang, percent=format_number(pass_percent, lang)),
                fontName=SANS.bold,
                fontSize=6.8,
                fillColor=PALETTE.ink,
                textAnchor="middle",
            )
        )
    return drawing


def _minimum_requirements(data: ReportData) -> tuple[int, int]:
    rule = data.catalog.outcome
    met = total = 0
    for indicator in data.catalog.indicators:
        if indicator.minimum_requirement and indicator.area_id not in rule.must_meet_areas:
            result = data.results[indicator.id]
            if result.status is ResultStatus.NOT_APPLICABLE:
                continue
            total += 1
            met += result.status is ResultStatus.MET
    return met, total


def _summary(data: ReportData, lang: str) -> list[Flowable]:
    s = styles()
    catalog = data.catalog
    outcome = data.outcome
    colour = scheme_colour(catalog.scheme)
    out: list[Flowable] = [para(TEXT("summary", lang), s.h1)]
    verdict, verdict_colour = _verdict(data, lang)
    left: list[Flowable] = [
        para(TEXT("outcome", lang), s.label),
        para(verdict, derive(s.h1, textColor=verdict_colour, spaceBefore=1, spaceAfter=2)),
    ]
    right: list[Flowable] = []
    if outcome.judgement == Judgement.BENCHMARK.value:
        left.append(para(TEXT("no_ranking", lang), s.body_small))
    if data.total.max_points > 0 and data.total.percent is not None:
        right.append(para(TEXT("score", lang), s.label))
        right.append(para(f"{format_number(data.total.percent, lang)} %", derive(s.big_number, textColor=PALETTE.ink)))
        right.append(
            para(
                TEXT(
                    "points_of",
                    lang,
                    points=format_number(data.total.points, lang),
                    max=format_number(data.total.max_points, lang),
                ),
                s.muted,
            )
        )
        right.append(Spacer(1, 2 * mm))
        right.append(_score_gauge(data.total.percent, outcome.pass_percent, colour, lang, CONTENT_WIDTH * 0.42))
    if outcome.judgement == Judgement.BENCHMARK.value:
        right.extend(_comparison_groups(data, lang))
    met, total = _minimum_requirements(data)
    if catalog.outcome.minimum_requirements and total:
        left.append(
            para(
                f"<b>{esc(TEXT('minimum_requirements', lang))}:</b> {esc(TEXT('min_met', lang, met=met, total=total))}",
                s.body,
                markup=True,
            )
        )
    for area_id in catalog.outcome.must_meet_areas:
        area = catalog.area_by_id.get(area_id)
        if area is None:
            continue
        done = sum(1 for ind in area.indicators if data.results[ind.id].status is ResultStatus.MET)
        left.append(
            para(
                f"<b>{esc(area.title.get(lang))}:</b> "
                f"{esc(TEXT('min_met', lang, met=done, total=len(area.indicators)))}",
                s.body,
                markup=True,
            )
        )
    valid = [
        para(TEXT("valid_until", lang), s.label),
        para(_valid_until_text(data, lang), derive(s.h2, spaceBefore=1, spaceAfter=1)),
    ]
    month = _interview_month_text(data, lang)
    if month:
        valid.append(para(TEXT("valid_rule", lang, years=catalog.outcome.validity_years, month=month), s.small))
    left.append(Spacer(1, 2 * mm))
    left.extend(valid)
    panel = grid([[left, right]], col_widths=[CONTENT_WIDTH * 0.52, CONTENT_WIDTH * 0.48], hAlign="LEFT")
    panel.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PALETTE.tint),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 3.5 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4 * mm),
                ("LINEABOVE", (0, 0), (-1, 0), 1.5, colour),
            ]
        )
    )
    out.append(panel)
    if outcome.reasons:
        out.append(Spacer(1, 3 * mm))
        items = [para(TEXT("reasons", lang), derive(s.h3, spaceBefore=0))]
        items += [para(f"• {reason}", s.body_small) for reason in outcome.reasons[:MAX_REASONS]]
        if len(outcome.reasons) > MAX_REASONS:
            items.append(para(TEXT("more_reasons", lang, count=len(outcome.reasons) - MAX_REASONS), s.small))
        fill = PALETTE.not_met_light if outcome.passed is False else PALETTE.open_light
        out.append(boxed(items, lighten(fill, 0.4), left_bar=verdict_colour))
    if outcome.checks:
        out.append(para(TEXT("eligibility", lang), s.h2))
        rows: list[list[object]] = [[para(TEXT("check", lang), s.cell_bold), para(TEXT("outcome", lang), s.cell_bold)]]
        for check in outcome.checks:
            fill, ink = STATUS_STYLE[check.status]
            rows.append([para(check.label, s.cell), Badge(check.status.label(lang), fill, ink)])
        out.append(_table(rows, [CONTENT_WIDTH - 40 * mm, 40 * mm]))
    if outcome.judgement == Judgement.BENCHMARK.value:
        out.extend(_position_table(data, lang))
    out.extend(_area_overview(data, lang))
    return out


def _comparison_groups(data: ReportData, lang: str) -> list[Flowable]:
    s = styles()
    org = data.assessment.organisation
    country = find_country(org.country)
    groups = []
    if org.sector:
        groups.append(f"{WORDS('sector', lang)}: {sector_label(org.sector, lang)}")
    if country is not None:
        groups.append(f"{WORDS('country', lang)}: {country.name(lang)}")
    out: list[Flowable] = [para(TEXT("comparison_groups", lang), s.label)]
    out += [para(group, s.body) for group in groups]
    checks = data.outcome.checks
    if checks:
        met = sum(1 for check in checks if check.status is ResultStatus.MET)
        out.append(Spacer(1, 2 * mm))
        out.append(para(TEXT("eligibility", lang), s.label))
        out.append(para(TEXT("checks_met", lang, met=met, total=len(checks)), s.body))
    return out


def _group_label(group: str, lang: str) -> str:
    """`sector:ict` → "ICT", `country:DE` → "Germany"; anything else as it is."""
    kind, _, value = group.partition(":")
    if kind == "sector" and value:
        return sector_label(value, lang)
    if kind == "country" and value:
        country = find_country(value)
        return country.name(lang) if country else value
    return group


def _interview_month_text(data: ReportData, lang: str) -> str:
    a = data.assessment
    day = a.interview_start or a.interview_end or (a.finalised_at.date() if a.finalised_at else None)
    return format_month(day, lang) if day else ""


def _number(value: AnswerValue) -> float | None:
    """A numeric answer as a float; None for anything else (unanswered, text, yes/no, dates)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    return float(value)


def _position(value: float, q1: float, median: float, q3: float) -> str:
    if value < q1:
        return "below"
    if value > q3:
        return "above"
    return "lower_middle" if value < median else "upper_middle"


def _position_table(data: ReportData, lang: str) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = [para(TEXT("position", lang), s.h2)]
    rows: list[list[object]] = [
        [
            para(TEXT("field", lang), s.cell_bold),
            para(TEXT("value", lang), s.cell_bold),
            para(TEXT("group", lang), s.cell_bold),
            para(TEXT("group_median", lang), s.cell_bold),
            para(TEXT("position_short", lang), s.cell_bold),
        ]
    ]
    for fld in data.catalog.field_by_key.values():  # in the catalog's order
        value = data.values.get(fld.key)
        number = _number(value)
        if number is None:
            continue
        for stats in data.quartiles.get(fld.key, ()):
            rows.append(
                [
                    para(f"{fld.indicator_id} · {fld.label.get(lang)}", s.cell),
                    para(display_value(fld, value, lang), s.cell),
                    para(f"{_group_label(stats.group, lang)} ({stats.count})", s.cell),
                    para(format_number(stats.median, lang), s.cell),
                    para(TEXT(_position(number, stats.q1, stats.median, stats.q3), lang), s.cell),
                ]
            )
    if len(rows) == 1:
        out.append(para(TEXT("no_benchmarks", lang), s.muted))
        return out
    out.append(
        _table(
            rows,
            [
                CONTENT_WIDTH * 0.3,
                CONTENT_WIDTH * 0.15,
                CONTENT_WIDTH * 0.2,
                CONTENT_WIDTH * 0.12,
                CONTENT_WIDTH * 0.23,
            ],
        )
    )
    return out


def _area_overview(data: ReportData, lang: str) -> list[Flowable]:
    s = styles()
    catalog = data.catalog
    areas_with_points = [a for a in data.area_scores if a.max_points > 0]
    out: list[Flowable] = [para(TEXT("areas", lang), s.h2)]
    if len(areas_with_points) >= 3:
        labels = [f"{a.area_id} {catalog.area_by_id[a.area_id].title.get(lang)}" for a in areas_with_points]
        out.append(
            radar_chart(
                labels,
                [a.percent for a in areas_with_points],
                width=CONTENT_WIDTH,
                height=100 * mm,
                colour=scheme_colour(catalog.scheme),
                pass_percent=data.outcome.pass_percent,
                lang=lang,
            )
        )
        out.append(Spacer(1, 3 * mm))
    bold_right = derive(s.cell_bold, alignment=2)
    judged = any(ind.scoring.judged for ind in catalog.indicators)
    scored = data.total.max_points > 0 and data.total.percent is not None
    all_counts: dict[ResultStatus, int] = {}
    for score in data.area_scores:
        for status, n in score.counts.items():
            all_counts[status] = all_counts.get(status, 0) + n
    # (header, width, value of an area's counts); columns that would only show zeros are left out.
    columns: list[tuple[str, float, Callable[[dict[ResultStatus, int], int], str]]] = [
        (TEXT("indicators", lang), 21 * mm, lambda c, size: str(size)),
    ]
    if judged:
        columns.append((TEXT("met_count", lang), 16 * mm, lambda c, size: str(c.get(ResultStatus.MET, 0))))
        if all_counts.get(ResultStatus.NOT_MET):
            columns.append((TEXT("not_met_count", lang), 18 * mm, lambda c, size: str(c.get(ResultStatus.NOT_MET, 0))))
    else:
        columns.append(
            (
                TEXT("answered", lang),
                22 * mm,
                lambda c, size: str(size - c.get(ResultStatus.OPEN, 0) - c.get(ResultStatus.NOT_APPLICABLE, 0)),
            )
        )
    if all_counts.get(ResultStatus.OPEN):
        columns.append((TEXT("open_count", lang), 16 * mm, lambda c, size: str(c.get(ResultStatus.OPEN, 0))))
    header: list[object] = [para(TEXT("area", lang), s.cell_bold)] + [para(c[0], bold_right) for c in columns]
    widths = [c[1] for c in columns]
    if scored:
        header += [para(TEXT("points", lang), bold_right), para(TEXT("share", lang), bold_right)]
        widths += [24 * mm, 19 * mm]
    widths.insert(0, CONTENT_WIDTH - sum(widths))
    rows: list[list[object]] = [header]
    for score in data.area_scores:
        area = catalog.area_by_id[score.area_id]
        size = len(area.indicators)
        row: list[object] = [para(f"<b>{esc(area.id)}</b>&nbsp;&nbsp;{esc(area.title.get(lang))}", s.cell, markup=True)]
        row += [value(score.counts, size) for _, _, value in columns]
        if scored:
            row += [
                f"{format_number(score.points, lang)} / {format_number(score.max_points, lang)}"
                if score.max_points
                else "–",
                f"{format_number(score.percent, lang)} %" if score.percent is not None else "–",
            ]
        rows.append(row)
    total_row: list[object] = [para(f"<b>{esc(TEXT('total', lang))}</b>", s.cell, markup=True)]
    total_row += [value(all_counts, len(catalog.indicators)) for _, _, value in columns]
    if scored:
        total_row += [
            f"{format_number(data.total.points, lang)} / {format_number(data.total.max_points, lang)}",
            f"{format_number(data.total.percent or 0.0, lang)} %",
        ]
    rows.append(total_row)
    table = _table(rows, widths, align_right=tuple(range(1, len(widths))))
    table.setStyle(
        TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.9, PALETTE.ink), ("FONTNAME", (1, -1), (-1, -1), SANS.bold)])
    )
    out.append(table)
    return out


# --- results per area -----------------------------------------------------------------------------


def _results(data: ReportData, lang: str) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = [para(TEXT("results", lang), s.h1)]
    evidence_by_indicator: dict[str, list[EvidenceItem]] = {}
    for item in data.evidence:
        for indicator_id in item.indicators:
            evidence_by_indicator.setdefault(indicator_id, []).append(item)
    for n, (area, score) in enumerate(zip(data.catalog.areas, data.area_scores, strict=True)):
        if n:
            out.append(CondPageBreak(90 * mm))
        out.extend(_area_section(data, area, score, lang))
        for indicator in area.indicators:
            out.append(_indicator_block(data, indicator, evidence_by_indicator.get(indicator.id, []), lang))
    return out


def _area_section(data: ReportData, area: Area, score: AreaScore, lang: str) -> list[Flowable]:
    s = styles()
    colour = scheme_colour(data.catalog.scheme)
    if score.max_points > 0 and score.percent is not None:
        detail = (
            f"{format_number(score.points, lang)} / {format_number(score.max_points, lang)} · "
            f"{format_number(score.percent, lang)} %"
        )
    else:
        detail = TEXT("indicators", lang) + f": {len(area.indicators)}"
    detail_cell = para(detail, derive(s.cell_bold, alignment=2, textColor=PALETTE.ink))
    heading = area_heading(area.id, area.title.get(lang), detail_cell, colour, detail_width=42 * mm)
    parts: list[Flowable] = [Spacer(1, 3 * mm), heading, Spacer(1, 3 * mm)]
    judged = [ind for ind in area.indicators if ind.scoring.judged]
    if judged:
        bars = [
            IndicatorBar(
                ind.id,
                ind.title.get(lang),
                data.results[ind.id].status,
                data.results[ind.id].points,
                ind.scoring.max_points,
                ind.scoring.threshold,
                data.results[ind.id].overridden,
            )
            for ind in judged
        ]
        chunks = [bars[i : i + BARS_PER_CHART] for i in range(0, len(bars), BARS_PER_CHART)]
        charts = [
            indicator_bars(chunk, width=CONTENT_WIDTH, lang=lang, legend=n == len(chunks) - 1)
            for n, chunk in enumerate(chunks)
        ]
        parts.append(charts[0])
        return [KeepTogether(parts), *charts[1:], Spacer(1, 4 * mm)]
    return [KeepTogether(parts)]


def _level_text(indicator: Indicator, result: IndicatorResult, lang: str) -> str:
    levels = indicator.scoring.levels
    if not levels or result.overridden or result.computed_status in (ResultStatus.OPEN, ResultStatus.NOT_APPLICABLE):
        return ""
    for level in levels:
        if result.computed_points is not None and level.points == result.computed_points and level.label:
            return f"{format_number(level.points, lang)} – {level.label.get(lang)}"
    return TEXT("no_level", lang) if not result.computed_points else ""


def _indicator_block(data: ReportData, indicator: Indicator, evidence: Sequence[EvidenceItem], lang: str) -> Flowable:
    s = styles()
    result = data.results[indicator.id]
    state = data.states.get(indicator.id)
    colour = scheme_colour(data.catalog.scheme)
    badges: list[Flowable] = [_status_badge(result, lang)]
    if indicator.minimum_requirement:
        badges.append(Badge(WORDS("minimum_requirement", lang), PALETTE.tint, PALETTE.muted, bold=False))
    title: list[Flowable] = [
        para(indicator.title.get(lang), derive(s.h2, spaceBefore=0, spaceAfter=0)),
        Spacer(1, 1.2 * mm),
        badge_row(badges),
    ]
    head = indicator_head(indicator.id, title, colour, 0.8, lighten(colour, 0.3))
    parts: list[Flowable] = [head]
    body: list[Flowable] = []
    body_width = CONTENT_WIDTH - INDENT
    if result.computed_status is ResultStatus.NOT_APPLICABLE and not result.overridden:
        body.append(para(TEXT("not_applicable_text", lang), s.muted))
    else:
        rows: list[tuple[Flowable, Flowable, bool]] = []
        charts: list[Flowable] = []
        label_style = derive(s.cell, textColor=PALETTE.muted)
        for fld in indicator.fields:
            if fld.key in data.hidden_fields:
                continue
            value = data.values.get(fld.key)
            label = esc(fld.label.get(lang))
            if fld.computed:
                label += f" <font color='{css(PALETTE.faint)}'>({esc(TEXT('calculated', lang))})</font>"
            shown_text = display_value(fld, value, lang) if value is not None else ""
            long = len(shown_text) > LONG_IN_CELL
            shown = (
                para(shown_text, s.body_small if long else s.cell)
                if value is not None
                else para(TEXT("no_answer", lang), derive(s.cell, textColor=PALETTE.faint))
            )
            rows.append((Paragraph(label, label_style), shown, long))
            for stats in data.quartiles.get(fld.key, ()):
                charts.append(Spacer(1, 1.5 * mm))
                charts.append(
                    para(
                        TEXT("group_caption", lang, field=fld.label.get(lang), group=_group_label(stats.group, lang)),
                        s.label,
                    )
                )
                charts.append(
                    quartile_chart(
                        _number(value), stats, width=body_width, colour=colour, value_text=shown_text, lang=lang
                    )
                )
        body.extend(
            label_value_flow(
                rows,
                68 * mm,
                body_width,
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (0, -1), 3 * mm),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.8),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8),
                    ("LINEBELOW", (0, 0), (-1, -2), 0.3, PALETTE.rule),
                ],
            )
        )
        level = _level_text(indicator, result, lang)
        if level:
            body.append(Spacer(1, 1.5 * mm))
            body.append(para(f"<b>{esc(TEXT('level', lang))}:</b> {esc(level)}", s.body_small, markup=True))
        body.extend(charts)
    if state is not None and state.override is not None:
        body.append(Spacer(1, 2.5 * mm))
        body.append(_override_note(state.override, result, lang))
        body.append(Spacer(1, 1 * mm))
    checked = [indicator.evidence[n] for n in state.evidence_checked] if state is not None else []
    if evidence or checked:
        body.append(Spacer(1, 2 * mm))
        body.append(para(TEXT("evidence", lang), s.label))
        for seen in checked:
            body.append(para(f"✓ {seen.get(lang)} ({TEXT('seen', lang)})", s.cell))
        documents = [item for item in evidence if not is_photo(item)]
        photos = [item for item in evidence if is_photo(item)]
        for item in documents:
            description = f" — {item.description}" if item.description else ""
            body.append(para(f"{item.file_name}{description}", s.cell))
            body.append(para(f"SHA-256 {item.sha256}", s.mono_small))
        if photos:
            body.append(para(f"{TEXT('photos', lang)}:", s.cell))
            for item in photos:
                when = format_date(item.added_at.date(), lang)
                body.append(para(f"• {item.description or item.file_name} ({when})", s.cell))
    # The finding is written for the client; the assessors' internal notes and follow-up flags are not
    # printed here (they stay in the interview protocol and the bundle for the secretariat).
    if state is not None and state.finding.strip():
        body.append(Spacer(1, 2 * mm))
        body.append(para(TEXT("finding", lang), s.label))
        body.append(para(state.finding, s.body_small))
    # Indented with the frame rather than a table cell, so that a long answer or finding can continue
    # on the next page.
    parts += [Indenter(left=INDENT), *body, Indenter(left=-INDENT), Spacer(1, 4 * mm)]
    return KeepTogether(parts)


def _override_note(override: Override, result: IndicatorResult, lang: str) -> Flowable:
    """The override as one tinted paragraph (a paragraph, unlike a box, may break across pages)."""
    s = styles()
    computed = result.computed_status.label(lang) if result.computed_status else "–"
    if result.computed_points is not None and result.max_points:
        computed += f" ({format_number(result.computed_points, lang)} / {format_number(result.max_points, lang)})"
    new = override.status.label(lang)
    if override.points is not None and result.max_points:
        new += f" ({format_number(override.points, lang)} / {format_number(result.max_points, lang)})"
    text = (
        f"<font name='{SANS.bold}' size='7.5' color='{css(PALETTE.open)}'>"
        f"{esc(TEXT('override', lang))}</font><br/>"
        f"{esc(TEXT('override_text', lang, computed=computed, result=new))}<br/>"
        f"<b>{esc(TEXT('justification', lang))}:</b> {esc(override.justification)}"
    )
    if override.by or override.at:
        when = format_date(override.at.date(), lang) if override.at else ""
        who = esc(TEXT("by", lang, who=override.by or "–", when=when).rstrip(", "))
        text += f"<br/><font size='7.5' color='{css(PALETTE.muted)}'>{who}</font>"
    pad = 2.4 * mm
    style = derive(
        s.body_small,
        backColor=lighten(PALETTE.open_light, 0.35),
        borderColor=PALETTE.open,
        borderWidth=0,
        borderPadding=(pad, pad, pad, pad),
        leftIndent=pad,
        rightIndent=pad,
        spaceBefore=pad,
        spaceAfter=pad,
    )
    return Paragraph(text, style)


# --- findings and evidence ------------------------------------------------------------------------


def _findings(data: ReportData, lang: str) -> list[Flowable]:
    s = styles()
    a = data.assessment
    out: list[Flowable] = [para(TEXT("findings", lang), s.h1)]
    for key, text, accent in (
        ("strengths", a.strengths, PALETTE.met),
        ("improvement_areas", a.improvement_areas, PALETTE.open),
        ("recommendations", a.recommendations, PALETTE.brand),
    ):
        body: list[Flowable] = [para(TEXT(key, lang), derive(s.h2, spaceBefore=0, textColor=accent))]
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()] if text.strip() else []
        if paragraphs:
            body += [para(p, s.body) for p in paragraphs]
        else:
            body.append(para(TEXT("none_written", lang), s.muted))
        out.extend(boxed_or_flowing(body, colors.white, left_bar=accent, padding=3 * mm))
        out.append(Spacer(1, 4 * mm))
    return out


def _interviewees(data: ReportData, lang: str) -> list[Flowable]:
    """Who was interviewed, from the attendance of the sessions (the visit's quick notes stay internal)."""
    s = styles()
    out: list[Flowable] = [
        CondPageBreak(50 * mm),
        para(TEXT("interviewees", lang), s.h1),
        para(TEXT("interviewees_intro", lang), s.body_small),
    ]
    if not data.interviewees:
        out.append(para(TEXT("no_interviewees", lang), s.muted))
        out.append(Spacer(1, 4 * mm))
        return out
    rows: list[list[object]] = [
        [para(TEXT(key, lang), s.cell_bold) for key in ("person", "role", "person_organisation", "sessions_attended")]
    ]
    for person in data.interviewees:
        attended = [
            f"{format_date(day, lang)} · {title}" for title, day in zip(person.sessions, person.days, strict=True)
        ]
        rows.append(
            [
                para(person.name, s.cell_bold),
                para(person.role or "–", s.cell),
                para(person.organisation or "–", s.cell),
                para("<br/>".join(esc(a) for a in attended), s.cell_small, markup=True),
            ]
        )
    out.append(_table(rows, [CONTENT_WIDTH * 0.25, CONTENT_WIDTH * 0.22, CONTENT_WIDTH * 0.23, CONTENT_WIDTH * 0.3]))
    out.append(Spacer(1, 4 * mm))
    return out


def _size(size: int, lang: str) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{format_number(size / 1024, lang)} KB"
    return f"{format_number(size / 1024 / 1024, lang)} MB"


def _evidence_register(data: ReportData, lang: str) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = [
        CondPageBreak(60 * mm),
        para(TEXT("evidence_register", lang), s.h1),
        para(TEXT("evidence_intro", lang), s.body_small),
    ]
    if not data.evidence:
        out.append(para(TEXT("no_evidence", lang), s.muted))
        return out
    rows: list[list[object]] = [
        [
            para(TEXT("file", lang), s.cell_bold),
            para(TEXT("linked", lang), s.cell_bold),
            para(TEXT("size", lang), s.cell_bold),
            para(TEXT("added", lang), s.cell_bold),
        ]
    ]
    for item in data.evidence:
        described = [para(item.file_name, s.cell_bold)]
        if item.description:
            described.append(para(item.description, s.cell))
        described.append(para(f"SHA-256 {item.sha256}", s.mono_small))
        rows.append(
            [
                described,
                para(", ".join(item.indicators) or "–", s.cell),
                para(_size(item.size, lang), s.cell),
                para(f"{format_date(item.added_at.date(), lang)}\n{item.added_by}", s.cell_small),
            ]
        )
    out.append(_table(rows, [CONTENT_WIDTH * 0.6, CONTENT_WIDTH * 0.13, CONTENT_WIDTH * 0.1, CONTENT_WIDTH * 0.17]))
    return out


# --- signatures -----------------------------------------------------------------------------------


def _signature_cell(name: str, role: str, image: Flowable | None, signed: str, lang: str) -> list[Flowable]:
    """A place to sign: the drawn image (or room to sign), a line, who signs, and place and date."""
    s = styles()
    cell: list[Flowable] = [image if image is not None else Spacer(1, 18 * mm), RuledLines(1, 1.5 * mm)]
    cell.append(para(name, s.cell_bold) if name else RuledLines(1, 6 * mm))
    cell.append(para(role, s.cell_small))
    if signed:
        cell.append(para(signed, s.cell_small))
    else:
        place = grid(
            [[para(TEXT("place_date", lang), s.cell_small), RuledLines(1, 5 * mm)]],
            col_widths=[20 * mm, CONTENT_WIDTH / 2 - 32 * mm],
            hAlign="LEFT",
        )
        place.setStyle(
            TableStyle(
                [
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ]
            )
        )
        cell.append(place)
    return cell


def _signature_image(png: bytes, max_width: float, max_height: float) -> Flowable | None:
    try:
        reader = ImageReader(io.BytesIO(png))
        width, height = reader.getSize()
    except Exception:  # any unreadable image is shown as such, never a crash
        return None
    if width <= 0 or height <= 0:
        return None
    scale = min(max_width / width, max_height / height)
    image = Image(io.BytesIO(png), width * scale, height * scale)
    image.hAlign = "LEFT"
    return image


def _signatures(data: ReportData, lang: str, box: PositionRecorder) -> list[Flowable]:
    s = styles()
    a = data.assessment
    out: list[Flowable] = [
        para(TEXT("signatures", lang), s.h1),
        para(TEXT("signatures_intro", lang), s.body),
        Spacer(1, 4 * mm),
        para(TEXT("drawn", lang), s.h2),
    ]
    cells: list[list[Flowable]] = []
    if data.drawn_signatures:
        for signature in data.drawn_signatures:
            image = _signature_image(signature.image_png, CONTENT_WIDTH / 2 - 14 * mm, 22 * mm)
            role = TEXT(signature.role, lang) if signature.role in SIGNER_ROLES else signature.role
            cell = _signature_cell(
                signature.signer_name, role, image, format_date(signature.signed_at.date(), lang), lang
            )
            if image is None:
                cell.insert(0, para(TEXT("unreadable", lang), s.small))
            cells.append(cell)
    else:
        for name in a.assessors:
            cells.append(_signature_cell(name, TEXT("assessor", lang), None, "", lang))
        cells.append(_signature_cell("", f"{TEXT('organisation_rep', lang)} {a.organisation.name}", None, "", lang))
    rows = [[cells[i], cells[i + 1] if i + 1 < len(cells) else ""] for i in range(0, len(cells), 2)]
    table = grid(rows, col_widths=[CONTENT_WIDTH / 2] * 2, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 4 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
            ]
        )
    )
    out.append(table)
    out.append(Spacer(1, 8 * mm))
    out.append(
        KeepTogether(
            [para(TEXT("digital", lang), s.h2), para(TEXT("digital_intro", lang), s.body_small), Spacer(1, 2 * mm), box]
        )
    )
    return out


# --- appendix -------------------------------------------------------------------------------------


def _appendix(data: ReportData, lang: str) -> list[Flowable]:
    s = styles()
    catalog = data.catalog
    a = data.assessment
    out: list[Flowable] = [para(TEXT("appendix", lang), s.h1), para(TEXT("catalog_section", lang), s.h2)]
    provisional = (
        TEXT("provisional_yes", lang, note=catalog.provisional_note.get(lang))
        if catalog.provisional
        else WORDS("no", lang)
    )
    rows: list[tuple[str, Flowable | str]] = [
        (TEXT("catalog_id", lang), catalog.id),
        (TEXT("version", lang), catalog.version),
        (TEXT("title", lang), catalog.title.get(lang)),
        (TEXT("hash", lang), para(catalog.content_hash, s.digest)),
        (TEXT("provisional", lang), provisional),
    ]
    if catalog.outcome.note:
        rows.append((TEXT("rule", lang), catalog.outcome.note.get(lang)))
    if catalog.provenance:
        rows.append((TEXT("provenance", lang), catalog.provenance.get(lang)))
    out.append(key_value_table(rows, 40 * mm))
    out.append(para(TEXT("audit_section", lang), s.h2))
    audit = data.audit
    if audit is not None:
        chain = TEXT("chain_ok" if audit.intact else "chain_broken", lang, message=audit.message)
        chain_style = derive(s.cell_bold, textColor=PALETTE.met if audit.intact else PALETTE.not_met)
        period = ""
        if audit.first_at and audit.last_at:
            period = f"{format_moment(audit.first_at, lang)} – {format_moment(audit.last_at, lang)} UTC"
        actions = ", ".join(
            f"{ACTIONS(action, lang) if action in ACTIONS else action} {count}" for action, count in audit.actions
        )
        audit_rows: list[tuple[str, Flowable | str]] = [
            (TEXT("audit_entries", lang), str(audit.entries)),
            (TEXT("audit_chain", lang), para(chain, chain_style)),
            (TEXT("audit_period", lang), period or "–"),
            (TEXT("audit_actors", lang), ", ".join(audit.actors) or "–"),
            (TEXT("audit_actions", lang), actions or "–"),
            (TEXT("audit_head", lang), para(audit.head_hash or "–", s.digest)),
        ]
        out.append(key_value_table(audit_rows, 40 * mm))
    out.append(para(TEXT("about_section", lang), s.h2))
    about: list[tuple[str, Flowable | str]] = [
        (TEXT("report_code", lang), data.report_code),
        (
            TEXT("assessment_id", lang),
            f"{a.id} · {TEXT('status_value', lang, status=a.status.label(lang), revision=a.revision)}",
        ),
        (TEXT("generated", lang), f"{format_moment(data.generated_at, lang)} UTC"),
        (TEXT("program", lang), f"ESCA Assessor {__version__}"),
    ]
    out.append(key_value_table(about, 40 * mm))
    return out
