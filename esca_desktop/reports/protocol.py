"""The interview protocol: printed before the visit (blank, or sent to the organisation to pre-fill)
or pre-filled with what is already known, to confirm or correct on site.

A cover with the organisation and the scheme, then per indicator: number, title, what it measures,
the questions, each field as boxes, check boxes or lines with its unit, the evidence checklist and
room for notes. An indicator's block stays on one page when it fits on one.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    TableStyle,
)

from esca_desktop.domain.model import Attendee, interviewees
from esca_desktop.forms.catalog import EMPTY_TEXT, Catalog, Field, FieldType, Indicator
from esca_desktop.forms.values import AnswerValue, format_value
from esca_desktop.reports.document import (
    CONTENT_WIDTH,
    LONG_IN_CELL,
    PALETTE,
    WORDS,
    Badge,
    FieldBox,
    GapFiller,
    PageDecor,
    RuledLines,
    Vocabulary,
    area_heading,
    badge_row,
    boxed,
    build_pdf,
    check_mark,
    css,
    derive,
    display_value,
    esc,
    format_date,
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
from esca_desktop.reports.model import ProtocolData

TEXT = Vocabulary(
    {
        "protocol": ("Interview protocol", "Interviewprotokoll"),
        "blank": ("Blank form for the interview", "Leeres Formular für das Interview"),
        "prefilled": (
            "Pre-filled with the answers known on {date}: confirm or correct on site",
            "Vorausgefüllt mit den am {date} bekannten Angaben: vor Ort bestätigen oder korrigieren",
        ),
        "about": ("About the assessment", "Zur Bewertung"),
        "how_to": ("How to fill in this protocol", "So füllen Sie dieses Protokoll aus"),
        "how_to_text": (
            "Write numbers in the boxes, in the unit printed beside them. Tick {box} one box where the "
            "field says “tick one”, any number where it says “tick all that apply”. Fields marked * are required. "
            "Fields shown as “calculated” are computed by ESCA Assessor from other answers. Tick the documents you "
            "have seen in each evidence checklist and use the lines for notes.",
            "Tragen Sie Zahlen in die Kästchen ein, in der daneben gedruckten Einheit. Kreuzen Sie {box} ein Kästchen "
            "an, wo „eines ankreuzen“ steht, beliebig viele bei „alle zutreffenden ankreuzen“. Mit * markierte "
            "Felder sind Pflichtangaben. Als „berechnet“ gezeigte Felder ermittelt ESCA Assessor aus anderen "
            "Angaben. Kreuzen Sie in jeder Nachweisliste die eingesehenen Unterlagen an und nutzen Sie die Linien "
            "für Notizen.",
        ),
        "contents": ("Contents", "Inhalt"),
        "indicators_count": ("{count} indicators", "{count} Indikatoren"),
        "what_it_measures": ("What it measures", "Was gemessen wird"),
        "questions": ("Questions for the interview", "Fragen für das Interview"),
        "answers": ("Answers", "Angaben"),
        "evidence": ("Evidence seen", "Eingesehene Nachweise"),
        "notes": ("Notes", "Notizen"),
        "internal_notes": ("Internal notes", "Interne Notizen"),
        "finding": ("Finding for the report", "Feststellung für den Bericht"),
        "follow_up": ("Marked for follow-up", "Zur Nachverfolgung markiert"),
        "attached": ("attached", "angehängt"),
        "further_notes": ("Further notes", "Weitere Notizen"),
        "tick_one": ("tick one", "eines ankreuzen"),
        "tick_any": ("tick all that apply", "alle zutreffenden ankreuzen"),
        "calculated": ("calculated", "berechnet"),
        "not_applicable": (
            "Not applicable given the answers so far — confirm on site.",
            "Nach den bisherigen Angaben nicht anwendbar – vor Ort bestätigen.",
        ),
        "date_hint": ("DD.MM.YYYY", "TT.MM.JJJJ"),
        "provisional_title": ("Provisional criteria", "Vorläufige Kriterien"),
        "date_of_interview": ("Date(s) of the interview", "Datum des Interviews"),
        "interviewees": ("Interviewees", "Gesprächspartner"),
        "agenda": ("Visit agenda and participants", "Ablauf des Besuchs und Teilnehmende"),
        "agenda_time": ("Session", "Gesprächsrunde"),
        "agenda_topic": ("Topic and areas", "Thema und Bereiche"),
        "agenda_people": (
            "Participants (name, role, organisation, present)",
            "Teilnehmende (Name, Funktion, Organisation, anwesend)",
        ),
        "areas_planned": ("Areas {areas}", "Bereiche {areas}"),
        "quick_notes": ("Quick notes of the visit (internal)", "Notizen zum Besuch (intern)"),
        "other_evidence": ("Other documents", "Weitere Unterlagen"),
    }
)

LABEL_WIDTH = 62 * mm


def build_protocol(data: ProtocolData, out_path: Path, lang: str) -> None:
    """Write the protocol as a PDF (atomically: a failure leaves no file behind)."""
    catalog = data.catalog
    decor = PageDecor(
        organisation=data.organisation.name,
        document_title=TEXT("protocol", lang),
        scheme=catalog.scheme,
        scheme_title=_scheme_name(catalog, lang),
        code=f"{catalog.ref} · {data.assessment_id[:8]}" if data.assessment_id else catalog.ref,
        lang=lang,
        provisional_footer=WORDS("provisional_footer", lang, ref=catalog.ref) if catalog.provisional else "",
    )
    story: list[Flowable] = []
    story.extend(_cover(data, lang))
    story.append(PageBreak())
    if data.sessions or data.quick_notes:
        story.extend(_agenda(data, lang))
        story.append(PageBreak())
    further_notes = TEXT("further_notes", lang)
    for area in catalog.areas:
        heading = _area_heading(
            f"{area.id}",
            area.title.get(lang),
            catalog.scheme,
            TEXT("indicators_count", lang, count=len(area.indicators)),
        )
        blocks = [_indicator_block(data, indicator, lang) for indicator in area.indicators]
        story.append(GapFiller([heading, *blocks[:1]], further_notes))
        story.append(CondPageBreak(70 * mm))
        story.append(heading)
        for n, block in enumerate(blocks):
            if n:
                story.append(GapFiller([block], further_notes))
            story.append(block)
    build_pdf(
        out_path,
        story,
        decor,
        title=f"{TEXT('protocol', lang)} – {data.organisation.name}",
        author=", ".join(data.assessors) or "ESCA Assessor",
        subject=f"{catalog.title.get(lang)} ({catalog.ref})",
        keywords=("ESCA", catalog.scheme, catalog.ref),
    )


def _scheme_name(catalog: Catalog, lang: str) -> str:
    names = {"gold": "GOLD", "silver": "SILVER" if lang != "de" else "SILBER", "bronze": "BRONZE"}
    return (
        f"{names.get(catalog.scheme, catalog.scheme.upper())} label"
        if lang != "de"
        else f"{names.get(catalog.scheme, catalog.scheme.upper())}-Label"
    )


# --- cover ----------------------------------------------------------------------------------------


def _interviewees_cell(data: ProtocolData) -> Flowable:
    """The people recorded as attending (each once), else lines to write them on."""
    people = interviewees(data.sessions)
    if not people:
        return RuledLines(2, 6 * mm, width=CONTENT_WIDTH - 38 * mm)
    text = "; ".join(", ".join(part for part in (p.name, p.role, p.organisation) if part) for p in people)
    return para(text, styles().cell)


def _present(person: Attendee) -> str:
    if person.present_from or person.present_to:
        return f" ({person.present_from or '…'}–{person.present_to or '…'})"
    return ""


def _agenda(data: ProtocolData, lang: str) -> list[Flowable]:
    """The sessions planned, each with its participants; then the visit's quick notes."""
    s = styles()
    out: list[Flowable] = [para(TEXT("agenda", lang), s.h1)]
    if data.sessions:
        rows: list[list[object]] = [
            [para(TEXT(k, lang), s.cell_bold) for k in ("agenda_time", "agenda_topic", "agenda_people")]
        ]
        for session in data.sessions:
            topic: list[Flowable] = [para(session.title or "–", s.cell_bold)]
            if session.areas:
                topic.append(para(TEXT("areas_planned", lang, areas=", ".join(session.areas)), s.cell))
            people: list[Flowable] = [
                para(
                    ", ".join(part for part in (p.name, p.role, p.organisation) if part) + _present(p),
                    s.cell,
                )
                for p in session.attendees
            ]
            people.append(RuledLines(1 if session.attendees else 2, 6 * mm, width=CONTENT_WIDTH * 0.5 - 8))
            rows.append(
                [
                    para(f"{format_date(session.day, lang)}\n{session.start}–{session.end}", s.cell),
                    topic,
                    people,
                ]
            )
        table = grid(
            rows,
            col_widths=[CONTENT_WIDTH * 0.2, CONTENT_WIDTH * 0.3, CONTENT_WIDTH * 0.5],
            hAlign="LEFT",
            repeatRows=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, PALETTE.rule),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.9, PALETTE.brand),
                    ("BACKGROUND", (0, 0), (-1, 0), PALETTE.tint),
                ]
            )
        )
        out.append(table)
    if data.quick_notes:
        out.append(Spacer(1, 5 * mm))
        out.append(para(TEXT("quick_notes", lang), s.h2))
        for note in data.quick_notes:
            local = note.at.astimezone()
            out.append(
                para(
                    f"<b>{esc(format_date(local.date(), lang))} {local:%H:%M}</b>&nbsp;&nbsp;{esc(note.text)} "
                    f"<font color='{css(PALETTE.faint)}'>· {esc(note.author)}</font>",
                    s.body_small,
                    markup=True,
                )
            )
    return out


def _cover(data: ProtocolData, lang: str) -> list[Flowable]:
    s = styles()
    catalog = data.catalog
    org = data.organisation
    colour = scheme_colour(catalog.scheme)
    out: list[Flowable] = []
    band = grid([[""]], col_widths=[CONTENT_WIDTH], rowHeights=[3 * mm])
    band.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colour)]))
    out.append(band)
    out.append(Spacer(1, 7 * mm))
    out.append(para(_scheme_name(catalog, lang).upper(), derive(s.label, textColor=colour, fontSize=9.5, leading=12)))
    out.append(para(TEXT("protocol", lang), s.title))
    out.append(para(catalog.title.get(lang), s.subtitle))
    subtitle = (
        TEXT("blank", lang) if data.blank else TEXT("prefilled", lang, date=format_date(data.generated_at.date(), lang))
    )
    out.append(para(subtitle, derive(s.subtitle, fontSize=10, textColor=PALETTE.muted)))
    out.append(Spacer(1, 7 * mm))
    out.append(para(org.name, s.cover_org))
    out.append(Spacer(1, 2 * mm))
    out.append(key_value_table(organisation_rows(org, lang, contact=True), 38 * mm))
    out.append(Spacer(1, 5 * mm))
    out.append(para(TEXT("about", lang), s.h2))
    line = RuledLines(1, 6 * mm, width=CONTENT_WIDTH - 38 * mm)
    about: list[tuple[str, Flowable | str]] = [
        (WORDS("assessors", lang), ", ".join(data.assessors) if data.assessors else line),
        (
            TEXT("date_of_interview", lang),
            format_period(data.interview_start, data.interview_end, lang) or RuledLines(1, 6 * mm, width=70 * mm),
        ),
        (WORDS("place", lang), data.place or RuledLines(1, 6 * mm, width=CONTENT_WIDTH - 38 * mm)),
        (TEXT("interviewees", lang), _interviewees_cell(data)),
        (WORDS("catalog", lang), f"{catalog.ref} · {catalog.content_hash[:16]}…"),
    ]
    out.append(key_value_table(about, 38 * mm))
    out.append(Spacer(1, 5 * mm))
    # Contents: the areas with their indicator counts, in two columns.
    out.append(para(TEXT("contents", lang), s.h2))
    cells = [
        para(
            f"<b>{esc(area.id)}</b>&nbsp;&nbsp;{esc(area.title.get(lang))} "
            f"<font color='{css(PALETTE.faint)}'>· {len(area.indicators)}</font>",
            s.cell,
            markup=True,
        )
        for area in catalog.areas
    ]
    half = (len(cells) + 1) // 2
    rows2 = [[cells[i], cells[i + half] if i + half < len(cells) else ""] for i in range(half)]
    contents = grid(rows2, col_widths=[CONTENT_WIDTH / 2] * 2, hAlign="LEFT")
    contents.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    out.append(contents)
    out.append(Spacer(1, 6 * mm))
    small = derive(s.body_small, fontSize=8, leading=10.6, textColor=PALETTE.ink)
    how = [
        para(TEXT("how_to", lang), derive(s.h3, spaceBefore=0)),
        para(TEXT("how_to_text", lang, box=check_mark(True)), small),
    ]
    if not catalog.provisional:
        out.append(boxed(how, PALETTE.tint, left_bar=PALETTE.brand))
        return out
    # Side by side, so that the cover stays one page in either language.
    half = (CONTENT_WIDTH - 4 * mm) / 2
    note = [
        para(TEXT("provisional_title", lang), derive(s.h3, textColor=PALETTE.provisional, spaceBefore=0)),
        para(catalog.provisional_note.get(lang), small),
    ]
    pair = grid(
        [
            [
                boxed(how, PALETTE.tint, left_bar=PALETTE.brand, width=half),
                boxed(note, lighten(PALETTE.open_light, 0.3), left_bar=PALETTE.provisional, width=half),
            ]
        ],
        col_widths=[half + 4 * mm, half],
        hAlign="LEFT",
    )
    pair.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    out.append(pair)
    return out


# --- indicators -----------------------------------------------------------------------------------


def _area_heading(area_id: str, title: str, scheme: str, detail: str) -> Flowable:
    table = area_heading(area_id, title, para(detail, derive(styles().muted, alignment=2)), scheme_colour(scheme))
    table.keepWithNext = True
    return KeepTogether([Spacer(1, 2 * mm), table, Spacer(1, 3 * mm)])


def _indicator_badges(indicator: Indicator, lang: str) -> list[Flowable]:
    badges: list[Flowable] = []
    scoring = indicator.scoring
    if indicator.minimum_requirement:
        badges.append(Badge(WORDS("minimum_requirement", lang), PALETTE.not_met_light, PALETTE.not_met))
    if indicator.silver_scope:
        badges.append(Badge(WORDS("silver_scope", lang), lighten(scheme_colour("silver"), 0.75), PALETTE.ink))
    if scoring.max_points > 0:
        points = f"{scoring.max_points:g}"
        text = WORDS("max_points", lang, points=points)
        if scoring.threshold is not None:
            text += f" · {WORDS('threshold', lang, points=f'{scoring.threshold:g}')}"
        badges.append(Badge(text, PALETTE.brand_light, PALETTE.brand, bold=False))
    elif scoring.met is not None:
        badges.append(Badge(WORDS("gate", lang), PALETTE.brand_light, PALETTE.brand, bold=False))
    return badges


def _indicator_block(data: ProtocolData, indicator: Indicator, lang: str) -> Flowable:
    s = styles()
    colour = scheme_colour(data.catalog.scheme)
    badges = _indicator_badges(indicator, lang)
    title: list[Flowable] = [para(indicator.title.get(lang), derive(s.h2, spaceBefore=0, spaceAfter=0))]
    if badges:
        title.append(Spacer(1, 1.2 * mm))
        title.append(badge_row(badges))
    parts: list[Flowable] = [indicator_head(indicator.id, title, colour, 1.2, colour)]
    if indicator.measures:
        parts.append(
            Paragraph(
                f"<font color='{css(PALETTE.muted)}'><b>{esc(TEXT('what_it_measures', lang))}:</b></font> "
                f"{esc(indicator.measures.get(lang))}",
                s.body,
            )
        )
    if indicator.guidance:
        parts.append(
            boxed(
                [
                    para(TEXT("questions", lang), derive(s.label, textColor=PALETTE.brand)),
                    para(indicator.guidance.get(lang), s.body_small),
                ],
                PALETTE.tint,
                padding=2.6 * mm,
                left_bar=PALETTE.brand_light,
            )
        )
    if indicator.id in data.not_applicable:
        parts.append(Spacer(1, 2 * mm))
        parts.append(para(TEXT("not_applicable", lang), derive(s.muted, textColor=PALETTE.open)))
    parts.append(Spacer(1, 2 * mm))
    rows = [_field_row(data, fld, lang) for fld in indicator.fields]
    parts.extend(
        label_value_flow(
            rows,
            LABEL_WIDTH,
            CONTENT_WIDTH,
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, -1), 4 * mm),
                ("RIGHTPADDING", (1, 0), (1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, PALETTE.rule),
            ],
        )
    )
    parts.append(Spacer(1, 2 * mm))
    parts.extend(_evidence_and_notes(data, indicator, lang))
    parts.append(Spacer(1, 5 * mm))
    return KeepTogether(parts)


def _field_row(data: ProtocolData, fld: Field, lang: str) -> tuple[list[Flowable], list[Flowable], bool]:
    """(label, input, long): a long known answer is printed at full width below its label."""
    s = styles()
    label = esc(fld.label.get(lang))
    if fld.required:
        label += f" <font color='{css(PALETTE.not_met)}'>*</font>"
    left: list[Flowable] = [Paragraph(label, s.cell)]
    if fld.help:
        left.append(para(fld.help.get(lang), s.cell_small))
    value = None if data.blank else data.values.get(fld.key)
    if isinstance(value, str) and len(value) > LONG_IN_CELL:
        return left, [para(value, s.body_small)], True
    return left, _field_input(fld, value, lang), False


def _number_text(fld: Field, value: AnswerValue, lang: str) -> str:
    if value is None:
        return ""
    text = format_value(dataclasses.replace(fld, unit=EMPTY_TEXT), value, lang)
    if fld.type in (FieldType.PERCENT, FieldType.MONEY):
        text = text.rsplit(" ", 1)[0]
    return text


def _field_input(fld: Field, value: AnswerValue, lang: str) -> list[Flowable]:
    s = styles()
    kind = fld.type
    unit = fld.unit.get(lang)
    if fld.computed:
        shown = display_value(fld, value, lang) if value is not None else ""
        text = f"<i>{esc(TEXT('calculated', lang))}</i>" + (f": <b>{esc(shown)}</b>" if shown else "")
        return [Paragraph(text, derive(s.cell, textColor=PALETTE.muted))]
    if kind in (FieldType.INTEGER, FieldType.DECIMAL):
        return [FieldBox(36 * mm, _number_text(fld, value, lang), unit)]
    if kind is FieldType.PERCENT:
        return [FieldBox(24 * mm, _number_text(fld, value, lang), "%")]
    if kind is FieldType.MONEY:
        return [FieldBox(44 * mm, _number_text(fld, value, lang), unit or "EUR")]
    if kind is FieldType.YEAR:
        return [FieldBox(0, "  ".join(str(value)) if value is not None else "", cells=4)]
    if kind is FieldType.DATE:
        if value is not None:
            return [FieldBox(36 * mm, format_value(fld, value, lang))]
        return [FieldBox(0, cells=8, separators={2: ".", 4: "."}), para(TEXT("date_hint", lang), s.cell_small)]
    if kind is FieldType.YES_NO:
        yes = check_mark(value is True)
        no = check_mark(value is False)
        return [
            Paragraph(
                f"<font size='11'>{yes}</font> {esc(WORDS('yes', lang))}&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;"
                f"<font size='11'>{no}</font> {esc(WORDS('no', lang))}",
                s.cell,
            )
        ]
    if kind.has_choices:
        chosen: set[str] = set()
        if isinstance(value, tuple):
            chosen = set(value)
        elif isinstance(value, str):
            chosen = {value}
        hint = TEXT("tick_one" if kind is FieldType.SINGLE_CHOICE else "tick_any", lang)
        items = [
            Paragraph(f"<font size='11'>{check_mark(c.id in chosen)}</font> {esc(c.label.get(lang))}", s.cell)
            for c in fld.choices
        ]
        flow: list[Flowable] = [para(f"({hint})", s.cell_small)]
        longest = max((len(c.label.get(lang)) for c in fld.choices), default=0)
        if longest <= 34 and len(items) > 3:
            half = (len(items) + 1) // 2
            cells = [[items[i], items[i + half] if i + half < len(items) else ""] for i in range(half)]
            width = (CONTENT_WIDTH - LABEL_WIDTH) / 2
            table = grid(cells, col_widths=[width, width], hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("TOPPADDING", (0, 0), (-1, -1), 0.8),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 0.8),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            flow.append(table)
        else:
            flow.extend(items)
        return flow
    if kind in (FieldType.SHORT_TEXT, FieldType.URL):
        return [FieldBox(CONTENT_WIDTH - LABEL_WIDTH, str(value) if value is not None else "")]
    if kind is FieldType.LONG_TEXT:
        if value:
            return [
                boxed(
                    para(str(value), s.box_text),
                    PALETTE.field,
                    border=PALETTE.faint,
                    width=CONTENT_WIDTH - LABEL_WIDTH,
                    padding=2 * mm,
                )
            ]
        return [RuledLines(3, 6.5 * mm)]
    return [RuledLines(1, 6.5 * mm)]  # pragma: no cover - every type is handled above


def _evidence_and_notes(data: ProtocolData, indicator: Indicator, lang: str) -> list[Flowable]:
    """The evidence checklist (ticked where seen on site, with the files attached to the indicator) and
    the assessor's own column: the finding for the report, the internal note, the follow-up flag."""
    s = styles()
    evidence: list[Flowable] = [para(TEXT("evidence", lang), s.label)]
    checked = () if data.blank else data.evidence_checked.get(indicator.id, ())
    for n, item in enumerate(indicator.evidence):
        evidence.append(Paragraph(f"<font size='10.5'>{check_mark(n in checked)}</font> {esc(item.get(lang))}", s.cell))
    for attached in () if data.blank else data.evidence.get(indicator.id, ()):
        described = f" — {esc(attached.description)}" if attached.description else ""
        evidence.append(
            Paragraph(
                f"<font size='10.5'>{check_mark(True)}</font> {esc(attached.file_name)}{described} "
                f"<font color='{css(PALETTE.muted)}'>({esc(TEXT('attached', lang))})</font>",
                s.cell,
            )
        )
    evidence.append(
        Paragraph(
            f"<font size='10.5'>{check_mark(False)}</font> {esc(TEXT('other_evidence', lang))}: _______________", s.cell
        )
    )
    notes: list[Flowable] = []
    after: list[Flowable] = []
    finding = "" if data.blank else data.findings.get(indicator.id, "")
    note = "" if data.blank else data.notes.get(indicator.id, "")
    for key, text in (("finding", finding), ("internal_notes", note)):
        if not text:
            continue
        if len(text) <= LONG_IN_CELL:
            notes.append(para(TEXT(key, lang), s.label))
            notes.append(
                boxed(
                    para(text, s.body_small),
                    PALETTE.field,
                    border=PALETTE.faint,
                    width=CONTENT_WIDTH - LABEL_WIDTH,
                    padding=2 * mm,
                )
            )
            notes.append(Spacer(1, 1.5 * mm))
        else:  # a long text runs below, where it may continue on the next page
            after += [Spacer(1, 2 * mm), para(TEXT(key, lang), s.label), para(text, s.body_small)]
    if not data.blank and indicator.id in data.follow_ups:
        notes.append(para(f"⚑ {TEXT('follow_up', lang)}", derive(s.cell_small, textColor=PALETTE.open)))
    if notes:
        notes.append(RuledLines(2, 6.5 * mm))
    else:
        notes += [para(TEXT("notes", lang), s.label), RuledLines(4, 6.5 * mm)]
    table = grid([[evidence, notes]], col_widths=[LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, -1), 4 * mm),
                ("RIGHTPADDING", (1, 0), (1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [table, *after]
