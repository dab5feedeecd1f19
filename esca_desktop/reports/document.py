"""The look shared by every document: page size, colours, type styles, header and footer, small
flowables (check boxes, answer boxes, ruled lines, badges) and the words both languages use.

Every page carries a footer with the document's code and "page x of y"; when the catalog is
provisional, a second footer line on every page (the cover too) says so. The total page count is
only known at the end, so the decorations are drawn when the document is saved (`_DecoratedCanvas`).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_LEFT  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import NullDraw  # type: ignore[import-untyped]

from esca_desktop.domain.countries import find_country
from esca_desktop.domain.model import Organisation
from esca_desktop.domain.sectors import sector_label
from esca_desktop.errors import UserError
from esca_desktop.forms.catalog import Field, FieldType
from esca_desktop.forms.values import AnswerValue, format_value
from esca_desktop.reports.fonts import SANS, register_fonts

# --- page geometry --------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = 20 * mm
MARGIN_RIGHT = 20 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 24 * mm
CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
FRAME_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
# A table row cannot continue on the next page: texts longer than this are laid out as running
# paragraphs instead, which can (an answer or a note may be pages long).
LONG_IN_CELL = 600


# --- colours --------------------------------------------------------------------------------------


class Palette:
    """The colours of every document, in one place."""

    ink: colors.Color = colors.HexColor("#1B2430")
    muted: colors.Color = colors.HexColor("#5B6573")
    faint: colors.Color = colors.HexColor("#8D96A3")
    rule: colors.Color = colors.HexColor("#C9D0D9")
    tint: colors.Color = colors.HexColor("#F2F5F8")
    field: colors.Color = colors.HexColor("#FBFCFD")
    brand: colors.Color = colors.HexColor("#16365C")
    brand_light: colors.Color = colors.HexColor("#DCE6F2")
    met: colors.Color = colors.HexColor("#2E7D4F")
    met_light: colors.Color = colors.HexColor("#DDF0E4")
    not_met: colors.Color = colors.HexColor("#B23A2E")
    not_met_light: colors.Color = colors.HexColor("#F7DEDB")
    open: colors.Color = colors.HexColor("#9A6B00")
    open_light: colors.Color = colors.HexColor("#FBEFCF")
    provisional: colors.Color = colors.HexColor("#8A4B08")


PALETTE = Palette()

SCHEME_COLOURS: dict[str, colors.Color] = {
    "gold": colors.HexColor("#B8892B"),
    "silver": colors.HexColor("#7F8A96"),
    "bronze": colors.HexColor("#A5672F"),
}


def scheme_colour(scheme: str) -> colors.Color:
    return SCHEME_COLOURS.get(scheme, PALETTE.brand)


def css(colour: colors.Color) -> str:
    """The colour as `#rrggbb`, for <font color> in paragraph markup."""
    return "#" + str(colour.hexval())[2:]


def lighten(colour: colors.Color, amount: float) -> colors.Color:
    """Mix a colour with white (`amount` 0 = unchanged, 1 = white); opaque, so it prints the same."""
    return colors.Color(
        colour.red + (1 - colour.red) * amount,
        colour.green + (1 - colour.green) * amount,
        colour.blue + (1 - colour.blue) * amount,
    )


# --- type styles ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    cover_org: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    body_small: ParagraphStyle
    muted: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_small: ParagraphStyle
    mono_small: ParagraphStyle
    digest: ParagraphStyle
    box_text: ParagraphStyle
    big_number: ParagraphStyle


@functools.cache
def styles() -> Styles:
    """The type styles (fonts registered on first use)."""
    font = register_fonts()
    ink, muted = PALETTE.ink, PALETTE.muted

    def style(name: str, size: float, leading: float | None = None, **kw: Any) -> ParagraphStyle:
        kw.setdefault("fontName", font.regular)
        kw.setdefault("textColor", ink)
        return ParagraphStyle(name, fontSize=size, leading=leading or size * 1.3, **kw)

    return Styles(
        title=style("title", 26, 31, fontName=font.bold, textColor=PALETTE.brand, spaceAfter=4),
        subtitle=style("subtitle", 12.5, 16, textColor=muted, spaceAfter=2),
        cover_org=style("cover_org", 20, 25, fontName=font.bold, spaceAfter=2),
        h1=style(
            "h1", 15, 19, fontName=font.bold, textColor=PALETTE.brand, spaceBefore=6, spaceAfter=6, keepWithNext=1
        ),
        h2=style("h2", 11.5, 15, fontName=font.bold, spaceBefore=8, spaceAfter=4, keepWithNext=1),
        h3=style(
            "h3", 9.5, 12.5, fontName=font.bold, textColor=PALETTE.brand, spaceBefore=5, spaceAfter=2, keepWithNext=1
        ),
        body=style("body", 9.5, 13.3, spaceAfter=4),
        body_small=style("body_small", 8.5, 11.5, spaceAfter=3),
        muted=style("muted", 8.5, 11.5, textColor=muted),
        small=style("small", 7.5, 9.8, textColor=muted),
        label=style("label", 7.5, 9.5, fontName=font.bold, textColor=muted),
        cell=style("cell", 8.5, 11),
        cell_bold=style("cell_bold", 8.5, 11, fontName=font.bold),
        cell_small=style("cell_small", 7.5, 9.6, textColor=muted),
        mono_small=style("mono_small", 6.8, 8.6, textColor=muted),
        digest=style("digest", 7.4, 10),
        box_text=style("box_text", 9, 12),
        big_number=style("big_number", 30, 34, fontName=font.bold, alignment=TA_LEFT),
    )


def derive(style: ParagraphStyle, **changes: Any) -> ParagraphStyle:
    """A copy of a paragraph style with a few attributes changed."""
    return ParagraphStyle(f"{style.name}+", parent=style, **changes)


def esc(text: str) -> str:
    """Text made safe for a Paragraph (which reads a little XML), keeping line breaks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def para(text: str, style: ParagraphStyle, markup: bool = False) -> Paragraph:
    return Paragraph(text if markup else esc(text), style)


def display_value(fld: Field, value: AnswerValue, lang: str) -> str:
    """`format_value`, with computed shares and ratios rounded for reading (75.6 %, not 75.641026 %)."""
    if isinstance(value, Decimal) and fld.type in (FieldType.PERCENT, FieldType.DECIMAL):
        places = Decimal("0.1") if fld.type is FieldType.PERCENT else Decimal("0.01")
        if value != value.quantize(places):
            value = value.quantize(places, rounding=ROUND_HALF_UP)
    return format_value(fld, value, lang)


# --- words of both languages ----------------------------------------------------------------------


class Vocabulary:
    """Fixed document words in English and German: `words("page_of", lang, page=1, pages=9)`."""

    def __init__(self, entries: dict[str, tuple[str, str]]) -> None:
        self._entries = entries

    def __call__(self, key: str, lang: str, **values: Any) -> str:
        en, de = self._entries[key]
        text = de if lang == "de" else en
        return text.format(**values) if values else text

    def __contains__(self, key: object) -> bool:
        return key in self._entries


WORDS = Vocabulary(
    {
        "page_of": ("Page {page} of {pages}", "Seite {page} von {pages}"),
        "provisional_footer": (
            "Provisional criteria: thresholds and weights are assumptions, not the official ECEI criteria ({ref}).",
            "Vorläufige Kriterien: Schwellen und Gewichte sind Annahmen, nicht die offiziellen ECEI-Kriterien ({ref}).",
        ),
        "draft": ("DRAFT", "ENTWURF"),
        "yes": ("yes", "ja"),
        "no": ("no", "nein"),
        "organisation": ("Organisation", "Organisation"),
        "country": ("Country", "Land"),
        "region": ("Region", "Region"),
        "sector": ("Sector portfolio", "Branchenportfolio"),
        "legal_form": ("Legal form", "Rechtsform"),
        "website": ("Website", "Website"),
        "contact": ("Contact", "Kontakt"),
        "assessors": ("Assessors", "Expertinnen und Experten"),
        "interview": ("Interview", "Interview"),
        "place": ("Place", "Ort"),
        "catalog": ("Catalog", "Katalog"),
        "minimum_requirement": ("Minimum requirement", "Mindestanforderung"),
        "silver_scope": ("Silver scope", "Silber-Umfang"),
        "max_points": ("max. {points} points", "max. {points} Punkte"),
        "threshold": ("threshold {points}", "Schwelle {points}"),
        "gate": ("pass/fail gate", "Muss-Kriterium"),
        "not_recorded": ("not recorded", "nicht erfasst"),
    }
)


_MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
}


def format_date(day: dt.date | None, lang: str) -> str:
    if day is None:
        return ""
    month = _MONTHS["de" if lang == "de" else "en"][day.month - 1]
    return f"{day.day}. {month} {day.year}" if lang == "de" else f"{day.day} {month} {day.year}"


def format_moment(moment: dt.datetime, lang: str) -> str:
    """A date and time to the minute, as the language writes it (the zone is the caller's to add)."""
    return f"{moment:%d.%m.%Y %H:%M}" if lang == "de" else f"{moment:%Y-%m-%d %H:%M}"


def format_month(day: dt.date, lang: str) -> str:
    return f"{_MONTHS['de' if lang == 'de' else 'en'][day.month - 1]} {day.year}"


def format_period(start: dt.date | None, end: dt.date | None, lang: str) -> str:
    if start is None:
        return format_date(end, lang)
    if end is None or end == start:
        return format_date(start, lang)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}.–{format_date(end, lang)}" if lang == "de" else f"{start.day}–{format_date(end, lang)}"
    return f"{format_date(start, lang)} – {format_date(end, lang)}"


def format_number(value: float, lang: str, decimals: int = 1) -> str:
    text = f"{value:.{decimals}f}"
    if decimals and text.endswith("." + "0" * decimals):
        text = text[: -decimals - 1]
    return text.replace(".", ",") if lang == "de" else text


# --- page decoration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageDecor:
    """What the header and footer of every page say."""

    organisation: str
    document_title: str  # "Interview protocol", "Assessment report"
    scheme: str  # gold | silver | bronze
    scheme_title: str
    code: str  # report code or the assessment's short id
    lang: str
    provisional_footer: str = ""  # empty when the catalog is not provisional
    draft: bool = False  # a faint "DRAFT" across body pages


class _DecoratedCanvas(Canvas):  # type: ignore[misc]  # ReportLab has no type hints
    """Keeps every page until the end, when the page count is known, then adds each page's footer."""

    def __init__(self, *args: Any, decor: PageDecor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decor = decor
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        """The footer: the document's code, "page x of y" and, when provisional, the notice."""
        decor = self._decor
        left, right = MARGIN_LEFT, PAGE_WIDTH - MARGIN_RIGHT
        base = 14 * mm
        self.saveState()
        self.setStrokeColor(PALETTE.rule)
        self.setLineWidth(0.5)
        self.line(left, base + 4 * mm, right, base + 4 * mm)
        self.setFont(SANS.regular, 7.5)
        self.setFillColor(PALETTE.muted)
        self.drawString(left, base, _fit(self, decor.code, SANS.regular, 7.5, CONTENT_WIDTH * 0.6))
        self.setFillColor(PALETTE.ink)
        self.setFont(SANS.bold, 7.5)
        self.drawRightString(right, base, WORDS("page_of", decor.lang, page=self._pageNumber, pages=total))
        if decor.provisional_footer:
            self.setFillColor(PALETTE.provisional)
            self.setFont(SANS.italic, 6.8)
            self.drawString(
                left, base - 4.2 * mm, _fit(self, decor.provisional_footer, SANS.italic, 6.8, CONTENT_WIDTH)
            )
        self.restoreState()


def _draw_header(canvas: Canvas, decor: PageDecor) -> None:
    """Drawn when a body page starts, so that the page's content lies above the watermark."""
    left, right = MARGIN_LEFT, PAGE_WIDTH - MARGIN_RIGHT
    canvas.saveState()
    if decor.draft:
        canvas.saveState()
        canvas.setFillColor(lighten(PALETTE.not_met, 0.95))
        canvas.setFont(SANS.bold, 96)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(40)
        canvas.drawCentredString(0, -34, WORDS("draft", decor.lang))
        canvas.restoreState()
    top = PAGE_HEIGHT - 13 * mm
    canvas.setFillColor(scheme_colour(decor.scheme))
    canvas.rect(left, top + 4.2 * mm, 9 * mm, 1.2 * mm, stroke=0, fill=1)
    canvas.setFillColor(PALETTE.ink)
    canvas.setFont(SANS.bold, 8)
    canvas.drawString(left, top, _fit(canvas, decor.organisation, SANS.bold, 8, CONTENT_WIDTH * 0.55))
    canvas.setFillColor(PALETTE.muted)
    canvas.setFont(SANS.regular, 8)
    right_text = f"{decor.document_title} · {decor.scheme_title}"
    canvas.drawRightString(right, top, _fit(canvas, right_text, SANS.regular, 8, CONTENT_WIDTH * 0.43))
    canvas.setStrokeColor(PALETTE.rule)
    canvas.setLineWidth(0.5)
    canvas.line(left, top - 2.5 * mm, right, top - 2.5 * mm)
    canvas.restoreState()


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> str:
    """The text, shortened with an ellipsis to fit `width`."""
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _on_cover(canvas: Canvas, _doc: BaseDocTemplate) -> None:
    """Cover pages carry only the footer."""


def _on_body(canvas: Canvas, _doc: BaseDocTemplate, decor: PageDecor) -> None:
    _draw_header(canvas, decor)


COVER = "cover"
BODY = "body"


def build_pdf(
    out_path: Path,
    story: Sequence[Flowable],
    decor: PageDecor,
    *,
    title: str,
    author: str,
    subject: str,
    keywords: Sequence[str] = (),
) -> None:
    """Lay out `story` into `out_path` (first page: cover template, then body pages).

    Written into a temporary file beside `out_path` and moved into place only when complete, so that
    a failure never leaves half a PDF.
    """
    register_fonts()
    frame_cover = Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        CONTENT_WIDTH,
        PAGE_HEIGHT - MARGIN_BOTTOM - 18 * mm,
        id="cover",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    frame_body = Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        CONTENT_WIDTH,
        PAGE_HEIGHT - MARGIN_BOTTOM - MARGIN_TOP,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    target = Path(out_path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise UserError(f"{target}: cannot write here: {exc.strerror}") from None
    os.close(handle)
    temp = Path(temp_name)
    try:
        doc = BaseDocTemplate(
            str(temp),
            pagesize=A4,
            leftMargin=MARGIN_LEFT,
            rightMargin=MARGIN_RIGHT,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=title,
            author=author,
            subject=subject,
            creator="ESCA Assessor",
            keywords=list(keywords),
            lang="de-DE" if decor.lang == "de" else "en-GB",
            pageTemplates=[
                PageTemplate(COVER, [frame_cover], onPage=_on_cover, autoNextPageTemplate=BODY),
                PageTemplate(BODY, [frame_body], onPage=functools.partial(_on_body, decor=decor)),
            ],
            initialFontName=SANS.regular,
            displayDocTitle=1,
        )
        doc.build(list(story), canvasmaker=functools.partial(_DecoratedCanvas, decor=decor))
        temp.replace(target)
    except OSError as exc:
        raise UserError(f"{target}: cannot write the PDF: {exc.strerror or exc}") from None
    finally:
        temp.unlink(missing_ok=True)


# --- small flowables ------------------------------------------------------------------------------


def grid(data: Sequence[Sequence[Any]], col_widths: Sequence[float] | None = None, **kwargs: Any) -> Table:
    """A platypus Table whose plain-text cells use the embedded font (ReportLab's default is
    Helvetica, which is neither embedded nor able to print most European scripts)."""
    table = Table([list(row) for row in data], colWidths=list(col_widths) if col_widths else None, **kwargs)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), SANS.regular),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("LEADING", (0, 0), (-1, -1), 11),
                ("TEXTCOLOR", (0, 0), (-1, -1), PALETTE.ink),
            ]
        )
    )
    return table


CHECKED = "☒"
UNCHECKED = "☐"


def check_mark(checked: bool) -> str:
    return CHECKED if checked else UNCHECKED


class FieldBox(Flowable):  # type: ignore[misc]  # ReportLab has no type hints
    """A box to write a value in (or showing the known value), optionally followed by its unit."""

    def __init__(
        self,
        width: float,
        text: str = "",
        unit: str = "",
        height: float = 6.5 * mm,
        cells: int = 0,
        separators: dict[int, str] | None = None,
    ) -> None:
        super().__init__()
        self.box_width = width
        self.text = text
        self.unit = unit
        self.box_height = height
        self.cells = cells  # > 0: that many single-character cells (years, dates)
        self.separators = separators or {}  # cell index -> character printed before it

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        box = self.cells * 5 * mm + len(self.separators) * 2.6 * mm if self.cells else self.box_width
        unit_width = stringWidth(self.unit, SANS.regular, 8.5) + 2 * mm if self.unit else 0
        self.width = min(avail_width, box + unit_width)
        self.height = self.box_height
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(PALETTE.faint)
        canvas.setLineWidth(0.6)
        canvas.setFillColor(PALETTE.field)
        h = self.box_height
        if self.cells:
            cell = 5 * mm
            gap = 2.6 * mm
            x = 0.0
            for index in range(self.cells):
                if index in self.separators:
                    canvas.setFillColor(PALETTE.muted)
                    canvas.setFont(SANS.regular, 9)
                    canvas.drawCentredString(x + gap / 2, 2 * mm, self.separators[index])
                    canvas.setFillColor(PALETTE.field)
                    x += gap
                canvas.rect(x, 0, cell, h, stroke=1, fill=1)
                x += cell
            width = x
            if self.text:
                canvas.setFillColor(PALETTE.ink)
                canvas.setFont(SANS.regular, 9.5)
                canvas.drawString(1.6 * mm, 2 * mm, self.text)
        else:
            width = self.box_width
            canvas.roundRect(0, 0, width, h, 1.2, stroke=1, fill=1)
            if self.text:
                canvas.setFillColor(PALETTE.ink)
                canvas.setFont(SANS.regular, 9.5)
                canvas.drawString(2 * mm, 2 * mm, _fit(canvas, self.text, SANS.regular, 9.5, width - 4 * mm))
        if self.unit:
            canvas.setFillColor(PALETTE.muted)
            canvas.setFont(SANS.regular, 8.5)
            canvas.drawString(width + 2 * mm, 2.1 * mm, self.unit)
        canvas.restoreState()


class RuledLines(Flowable):  # type: ignore[misc]  # ReportLab has no type hints
    """Lines to write on (notes, long answers)."""

    def __init__(self, count: int, spacing: float = 7 * mm, width: float | None = None) -> None:
        super().__init__()
        self.count = count
        self.spacing = spacing
        self.fixed_width = width

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = self.fixed_width or avail_width
        self.height = self.count * self.spacing
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(PALETTE.rule)
        canvas.setLineWidth(0.5)
        for n in range(self.count):
            y = self.height - (n + 1) * self.spacing + 0.5
            canvas.line(0, y, self.width, y)
        canvas.restoreState()


class GapFiller(Flowable):  # type: ignore[misc]  # ReportLab has no type hints
    """Ruled lines for further notes in the space a block that does not fit leaves at a page's end.

    Placed before a block that is kept on one page: when the block has to move to the next page
    anyway, the filler takes the rest of this one, so that the paper protocol has room to write
    instead of an empty half page.
    """

    def __init__(
        self, following: Sequence[Flowable], label: str, minimum: float = 35 * mm, spacing: float = 7 * mm
    ) -> None:
        super().__init__()
        self.following = list(following)
        self.label = label
        self.minimum = minimum
        self.spacing = spacing

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        needed = 0.0
        for flowable in self.following:
            if isinstance(flowable, KeepTogether):
                needed += sum(
                    f.wrap(avail_width, FRAME_HEIGHT)[1] + f.getSpaceBefore() + f.getSpaceAfter()
                    for f in flowable._content
                )
            else:
                needed += flowable.wrap(avail_width, FRAME_HEIGHT)[1]
        fill = needed > avail_height and avail_height >= self.minimum
        self.height = avail_height - 2 if fill else 0
        return self.width, self.height

    def draw(self) -> None:
        if self.height <= 0:
            return
        canvas = self.canv
        canvas.saveState()
        top = self.height - 6 * mm
        canvas.setStrokeColor(PALETTE.rule)
        canvas.setLineWidth(0.5)
        canvas.line(0, top + 4 * mm, self.width, top + 4 * mm)
        canvas.setFillColor(PALETTE.faint)
        canvas.setFont(SANS.bold, 7.5)
        canvas.drawString(0, top + 0.5 * mm, self.label)
        y = top - self.spacing
        while y > 2 * mm:
            canvas.line(0, y, self.width, y)
            y -= self.spacing
        canvas.restoreState()


class Badge(Flowable):  # type: ignore[misc]  # ReportLab has no type hints
    """A small rounded label (e.g. "met", "Minimum requirement")."""

    def __init__(self, text: str, fill: colors.Color, ink: colors.Color, size: float = 7.2, bold: bool = True) -> None:
        super().__init__()
        self.text = text
        self.fill = fill
        self.ink = ink
        self.size = size
        self.font = SANS.bold if bold else SANS.regular

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = stringWidth(self.text, self.font, self.size) + 3.2 * mm
        self.height = self.size + 2.6 * mm
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(self.fill)
        canvas.roundRect(0, 0, self.width, self.height, 2, stroke=0, fill=1)
        canvas.setFillColor(self.ink)
        canvas.setFont(self.font, self.size)
        canvas.drawCentredString(self.width / 2, 1.3 * mm + 0.5, self.text)
        canvas.restoreState()


def badge_row(badges: Sequence[Flowable], gap: float = 1.5 * mm, align: str = "LEFT") -> Flowable:
    """Badges side by side."""
    if not badges:
        return NullDraw()
    widths = [badge.wrap(CONTENT_WIDTH, 20 * mm)[0] + gap for badge in badges]
    table = grid([list(badges)], col_widths=widths, hAlign=align)
    table.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), gap),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


class PositionRecorder(Flowable):  # type: ignore[misc]  # ReportLab has no type hints
    """An empty box of a given size that remembers where it was drawn (page index, PDF points).

    Used for the cryptographic signature's place: the stamp is added after the PDF is written.
    """

    def __init__(self, width: float, height: float, label: str, hint: str = "") -> None:
        super().__init__()
        self.width = width
        self.height = height
        self.label = label
        self.hint = hint
        self.position: tuple[int, float, float, float, float] | None = None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        x1, y1 = canvas.absolutePosition(0, 0)
        x2, y2 = canvas.absolutePosition(self.width, self.height)
        self.position = (canvas.getPageNumber() - 1, x1, y1, x2, y2)
        canvas.saveState()
        canvas.setStrokeColor(PALETTE.faint)
        canvas.setDash(3, 2)
        canvas.setLineWidth(0.7)
        canvas.roundRect(0, 0, self.width, self.height, 3, stroke=1, fill=0)
        canvas.setDash()
        canvas.setFillColor(PALETTE.muted)
        canvas.setFont(SANS.bold, 7.5)
        canvas.drawString(3 * mm, self.height - 5 * mm, self.label)
        if self.hint:
            canvas.setFont(SANS.regular, 7)
            canvas.setFillColor(PALETTE.faint)
            canvas.drawString(3 * mm, 3 * mm, _fit(canvas, self.hint, SANS.regular, 7, self.width - 6 * mm))
        canvas.restoreState()


def key_value_table(
    rows: Sequence[tuple[str, Flowable | str]], label_width: float, width: float = CONTENT_WIDTH, padding: float = 2.2
) -> Table:
    """Two columns: a small grey label and its value (text or any flowable)."""
    s = styles()
    data = [[para(label, s.label), para(value, s.cell) if isinstance(value, str) else value] for label, value in rows]
    table = grid(data, col_widths=[label_width, width - label_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), padding),
                ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, PALETTE.rule),
            ]
        )
    )
    return table


def organisation_rows(org: Organisation, lang: str, *, contact: bool) -> list[tuple[str, Flowable | str]]:
    """The organisation's particulars that are known, as `key_value_table` rows (its name is shown apart)."""
    country = find_country(org.country)
    rows: list[tuple[str, Flowable | str]] = []
    if country is not None:
        rows.append((WORDS("country", lang), f"{country.name(lang)} ({country.alpha3})"))
    optional = [
        ("region", org.region),
        ("sector", sector_label(org.sector, lang) if org.sector else ""),
        ("legal_form", org.legal_form),
        ("website", org.website),
        ("contact", org.contact if contact else ""),
    ]
    rows += [(WORDS(key, lang), value) for key, value in optional if value]
    return rows


def area_heading(
    area_id: str, title: str, detail: Flowable, colour: colors.Color, detail_width: float = 35 * mm
) -> Table:
    """An area's band: its id on the scheme's colour, its title and a detail on the right, on a tint."""
    s = styles()
    cells = [
        [
            para(area_id, derive(s.h1, textColor=colors.white, spaceBefore=0, spaceAfter=0, alignment=1)),
            para(title, derive(s.h1, spaceBefore=0, spaceAfter=0)),
            detail,
        ]
    ]
    table = grid(cells, col_widths=[12 * mm, CONTENT_WIDTH - 12 * mm - detail_width, detail_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (0, 0), colour),
                ("BACKGROUND", (1, 0), (-1, 0), lighten(colour, 0.85)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (1, 0), (1, 0), 8),
                ("RIGHTPADDING", (2, 0), (2, 0), 8),
            ]
        )
    )
    return table


def indicator_head(
    indicator_id: str, title: Sequence[Flowable], colour: colors.Color, rule_width: float, rule_colour: colors.Color
) -> Table:
    """An indicator's heading: its id in the scheme's colour beside its title, under a rule."""
    s = styles()
    head = grid(
        [[para(indicator_id, derive(s.h2, textColor=colour, spaceBefore=0, spaceAfter=0)), list(title)]],
        col_widths=[17 * mm, CONTENT_WIDTH - 17 * mm],
        hAlign="LEFT",
    )
    head.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LINEABOVE", (0, 0), (-1, 0), rule_width, rule_colour),
                ("TOPPADDING", (0, 0), (-1, 0), 4),
            ]
        )
    )
    return head


def boxed_or_flowing(
    content: Sequence[Flowable],
    background: colors.Color,
    *,
    width: float = CONTENT_WIDTH,
    left_bar: colors.Color | None = None,
    padding: float = 3 * mm,
) -> list[Flowable]:
    """`boxed` when the box fits on a page; otherwise the content itself, so that it can break."""
    box = boxed(content, background, width=width, left_bar=left_bar, padding=padding)
    _, height = box.wrap(width, PAGE_HEIGHT)
    return [box] if height <= FRAME_HEIGHT * 0.85 else list(content)


def label_value_flow(
    rows: Sequence[tuple[Flowable | list[Flowable], Flowable | list[Flowable], bool]],
    label_width: float,
    width: float,
    style: Sequence[tuple[Any, ...]],
) -> list[Flowable]:
    """Rows of (label, value, long): runs of ordinary rows become two-column tables with `style`; a
    long row becomes its label and then its value at full width, free to continue on the next page."""
    out: list[Flowable] = []
    pending: list[list[Any]] = []

    def flush() -> None:
        if pending:
            table = grid(pending, col_widths=[label_width, width - label_width], hAlign="LEFT")
            table.setStyle(TableStyle(list(style)))
            out.append(table)
            pending.clear()

    for label, value, long in rows:
        if not long:
            pending.append([label, value])
            continue
        flush()
        out.append(Spacer(1, 1.5 * mm))
        out.extend(label if isinstance(label, list) else [label])
        out.extend(value if isinstance(value, list) else [value])
        out.append(Spacer(1, 1.5 * mm))
    flush()
    return out


def boxed(
    content: Sequence[Flowable] | Flowable,
    background: colors.Color,
    border: colors.Color | None = None,
    width: float = CONTENT_WIDTH,
    padding: float = 3 * mm,
    left_bar: colors.Color | None = None,
) -> Table:
    """Content in a tinted box (optionally with a coloured bar on the left)."""
    cell = list(content) if isinstance(content, Sequence) else [content]
    table = grid([[cell]], col_widths=[width], hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, -1), background),
        ("LEFTPADDING", (0, 0), (-1, -1), padding + (1.2 * mm if left_bar else 0)),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), padding * 0.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding * 0.8),
    ]
    if border is not None:
        commands.append(("BOX", (0, 0), (-1, -1), 0.6, border))
    if left_bar is not None:
        commands.append(("LINEBEFORE", (0, 0), (0, -1), 2.4, left_bar))
    table.setStyle(TableStyle(commands))
    return table
