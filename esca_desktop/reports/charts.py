"""Charts drawn with ReportLab graphics: vector shapes in the PDF, crisp on paper at any size.

- `radar_chart`: the areas' scores in percent, with the scheme's pass mark as a dashed ring;
- `indicator_bars`: one bar per indicator, its points against its threshold and maximum;
- `quartile_chart`: for benchmarking, one value against the distribution among comparable
  organisations (minimum, quartiles, median, maximum) — a position, never a rank.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, Rect, String  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]

from esca_desktop.domain.benchmarks import Quartiles
from esca_desktop.forms.results import ResultStatus
from esca_desktop.reports.document import PALETTE, Vocabulary, format_number, lighten
from esca_desktop.reports.fonts import SANS, register_fonts

WORDS = Vocabulary(
    {
        "met": ("met", "erfüllt"),
        "not_met": ("not met", "nicht erfüllt"),
        "open": ("open", "offen"),
        "not_applicable": ("not applicable", "nicht anwendbar"),
        "answered": ("recorded", "erfasst"),
        "threshold": ("threshold", "Schwelle"),
        "pass_mark": ("pass mark {percent} %", "Bestehensgrenze {percent} %"),
        "overridden": ("overridden", "übersteuert"),
        "this_organisation": ("this organisation", "diese Organisation"),
        "middle_half": ("middle half of the group (Q1–Q3)", "mittlere Hälfte der Gruppe (Q1–Q3)"),
        "median": ("median", "Median"),
        "group": ("{count} organisations", "{count} Organisationen"),
        "no_value": ("no value recorded", "kein Wert erfasst"),
    }
)

STATUS_COLOURS = {
    ResultStatus.MET: PALETTE.met,
    ResultStatus.NOT_MET: PALETTE.not_met,
    ResultStatus.OPEN: PALETTE.open,
    ResultStatus.NOT_APPLICABLE: PALETTE.faint,
    ResultStatus.ANSWERED: PALETTE.brand,
}


def _wrap_words(text: str, font: str, size: float, width: float, max_lines: int = 3) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if stringWidth(candidate, font, size) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _shorten(lines[-1] + " …", font, size, width)
    return [_shorten(line, font, size, width) for line in lines]


def _shorten(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


# --- radar ----------------------------------------------------------------------------------------


def radar_chart(
    labels: Sequence[str],
    percents: Sequence[float | None],
    *,
    width: float,
    height: float,
    colour: colors.Color,
    pass_percent: float | None = None,
    lang: str = "en",
) -> Drawing:
    """A radar of the areas' scores (0–100 %); `None` draws the spoke without a point."""
    register_fonts()
    count = len(labels)
    drawing = Drawing(width, height)
    label_space = 58.0
    radius = max(20.0, min(width / 2 - label_space - 40, height / 2 - 40))
    cx, cy = width / 2, height / 2

    def point(index: int, fraction: float) -> tuple[float, float]:
        angle = math.pi / 2 - 2 * math.pi * index / count
        return cx + radius * fraction * math.cos(angle), cy + radius * fraction * math.sin(angle)

    def ring(fraction: float) -> list[float]:
        pts: list[float] = []
        for index in range(count):
            pts.extend(point(index, fraction))
        return pts

    values = [max(0.0, min(100.0, p or 0.0)) / 100 for p in percents]
    data_points: list[float] = []
    for index, fraction in enumerate(values):
        data_points.extend(point(index, fraction))
    # Background, the scores' area, then the grid on top of it so that it stays readable.
    drawing.add(Polygon(ring(1.0), strokeColor=None, fillColor=PALETTE.tint))
    drawing.add(Polygon(data_points, strokeColor=None, fillColor=lighten(PALETTE.brand, 0.8)))
    for level in (20, 40, 60, 80, 100):
        drawing.add(
            Polygon(
                ring(level / 100),
                strokeColor=PALETTE.rule if level < 100 else PALETTE.faint,
                strokeWidth=0.5,
                fillColor=None,
            )
        )
    for index in range(count):
        x, y = point(index, 1)
        drawing.add(Line(cx, cy, x, y, strokeColor=PALETTE.rule, strokeWidth=0.5))
    for level in (20, 40, 60, 80):
        x, y = point(0, level / 100)
        drawing.add(
            String(
                x - 2.5,
                y + 1.5,
                f"{level} %",
                fontName=SANS.regular,
                fontSize=5.8,
                fillColor=PALETTE.faint,
                textAnchor="end",
            )
        )
    if pass_percent is not None:
        drawing.add(
            Polygon(
                ring(pass_percent / 100), strokeColor=colour, strokeWidth=1.1, strokeDashArray=[3, 2], fillColor=None
            )
        )
    drawing.add(Polygon(data_points, strokeColor=PALETTE.brand, strokeWidth=1.6, fillColor=None))
    for index, fraction in enumerate(values):
        if percents[index] is None:
            continue
        x, y = point(index, fraction)
        drawing.add(Circle(x, y, 2.2, fillColor=PALETTE.brand, strokeColor=colors.white, strokeWidth=0.6))
    # Labels outside the rings: title (up to three lines) and the percentage in bold.
    for index, label in enumerate(labels):
        x, y = point(index, 1)
        dx, dy = x - cx, y - cy
        anchor = "middle" if abs(dx) < radius * 0.2 else ("start" if dx > 0 else "end")
        lx = x + (8 if anchor == "start" else -8 if anchor == "end" else 0)
        lines = _wrap_words(label, SANS.regular, 7.2, label_space + 30, max_lines=3)
        value = percents[index]
        value_text = "–" if value is None else f"{format_number(value, lang)} %"
        block = len(lines) * 8.6 + 10
        if abs(dy) < radius * 0.3:
            top = y + block / 2
        elif dy > 0:
            top = y + 6 + block
        else:
            top = y - 6
        for n, line in enumerate(lines):
            drawing.add(
                String(
                    lx,
                    top - 7 - n * 8.6,
                    line,
                    fontName=SANS.regular,
                    fontSize=7.2,
                    fillColor=PALETTE.ink,
                    textAnchor=anchor,
                )
            )
        drawing.add(
            String(
                lx,
                top - 7 - len(lines) * 8.6 - 1.5,
                value_text,
                fontName=SANS.bold,
                fontSize=8.5,
                fillColor=PALETTE.brand,
                textAnchor=anchor,
            )
        )
    if pass_percent is not None:
        legend_y = 4
        drawing.add(Line(4, legend_y + 3, 22, legend_y + 3, strokeColor=colour, strokeWidth=1, strokeDashArray=[3, 2]))
        drawing.add(
            String(
                26,
                legend_y,
                WORDS("pass_mark", lang, percent=format_number(pass_percent, lang)),
                fontName=SANS.regular,
                fontSize=7,
                fillColor=PALETTE.muted,
            )
        )
    return drawing


# --- bars per indicator ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorBar:
    indicator_id: str
    title: str
    status: ResultStatus
    points: float | None
    max_points: float
    threshold: float | None
    overridden: bool = False


def indicator_bars(
    rows: Sequence[IndicatorBar], *, width: float, lang: str = "en", row_height: float = 14.0, legend: bool = True
) -> Drawing:
    """One row per indicator: a track for the maximum, the points in the result's colour, the
    threshold as a dark tick; indicators without points show their result as a word.

    One drawing never breaks across pages: give long areas in chunks (`legend` on the last)."""
    register_fonts()
    legend_height = 16.0 if legend else 0.0
    height = row_height * len(rows) + legend_height + 4
    drawing = Drawing(width, height)
    label_width = width * 0.46
    value_width = 44.0
    track_x = label_width + 6
    track_width = width - track_x - value_width
    for n, row in enumerate(rows):
        y = height - (n + 1) * row_height
        if n % 2 == 0:
            drawing.add(Rect(0, y, width, row_height, fillColor=PALETTE.tint, strokeColor=None))
        text_y = y + row_height / 2 - 2.6
        drawing.add(String(2, text_y, row.indicator_id, fontName=SANS.bold, fontSize=7.2, fillColor=PALETTE.ink))
        id_width = max(30.0, stringWidth(row.indicator_id, SANS.bold, 7.2) + 6)
        drawing.add(
            String(
                2 + id_width,
                text_y,
                _shorten(row.title, SANS.regular, 7.2, label_width - id_width - 2),
                fontName=SANS.regular,
                fontSize=7.2,
                fillColor=PALETTE.ink,
            )
        )
        colour = STATUS_COLOURS.get(row.status, PALETTE.brand)
        bar_y = y + row_height / 2 - 3.2
        if row.max_points > 0 and row.status is not ResultStatus.NOT_APPLICABLE:
            drawing.add(
                Rect(
                    track_x, bar_y, track_width, 6.4, fillColor=colors.white, strokeColor=PALETTE.rule, strokeWidth=0.5
                )
            )
            fraction = max(0.0, min(1.0, (row.points or 0.0) / row.max_points))
            if fraction > 0:
                drawing.add(Rect(track_x, bar_y, track_width * fraction, 6.4, fillColor=colour, strokeColor=None))
            if row.threshold is not None:
                tx = track_x + track_width * min(1.0, row.threshold / row.max_points)
                drawing.add(Line(tx, bar_y - 2.2, tx, bar_y + 8.6, strokeColor=PALETTE.ink, strokeWidth=1.3))
            points = "–" if row.points is None else format_number(row.points, lang)
            value = f"{points} / {format_number(row.max_points, lang)}"
            drawing.add(
                String(
                    width - 2,
                    text_y,
                    value + (" *" if row.overridden else ""),
                    fontName=SANS.bold,
                    fontSize=7.2,
                    fillColor=colour,
                    textAnchor="end",
                )
            )
        else:
            word = WORDS(row.status.value, lang)
            pill_width = stringWidth(word, SANS.bold, 6.8) + 10
            drawing.add(
                Rect(track_x, bar_y - 1, pill_width, 8.4, rx=2, ry=2, fillColor=lighten(colour, 0.82), strokeColor=None)
            )
            drawing.add(String(track_x + 5, bar_y + 1.2, word, fontName=SANS.bold, fontSize=6.8, fillColor=colour))
            if row.overridden:
                drawing.add(
                    String(width - 2, text_y, "*", fontName=SANS.bold, fontSize=7.2, fillColor=colour, textAnchor="end")
                )
    if not legend:
        return drawing
    x = 2.0
    legend_y = 4.0
    for status in (ResultStatus.MET, ResultStatus.NOT_MET, ResultStatus.OPEN):
        drawing.add(Rect(x, legend_y, 8, 6, fillColor=STATUS_COLOURS[status], strokeColor=None))
        word = WORDS(status.value, lang)
        drawing.add(String(x + 11, legend_y + 0.8, word, fontName=SANS.regular, fontSize=6.8, fillColor=PALETTE.muted))
        x += 11 + stringWidth(word, SANS.regular, 6.8) + 12
    drawing.add(Line(x + 3, legend_y - 1.5, x + 3, legend_y + 7.5, strokeColor=PALETTE.ink, strokeWidth=1.3))
    word = WORDS("threshold", lang)
    drawing.add(String(x + 8, legend_y + 0.8, word, fontName=SANS.regular, fontSize=6.8, fillColor=PALETTE.muted))
    x += 8 + stringWidth(word, SANS.regular, 6.8) + 12
    if any(row.overridden for row in rows):
        drawing.add(
            String(
                x,
                legend_y + 0.8,
                f"* {WORDS('overridden', lang)}",
                fontName=SANS.regular,
                fontSize=6.8,
                fillColor=PALETTE.muted,
            )
        )
    return drawing


# --- benchmark position ---------------------------------------------------------------------------


def quartile_chart(
    value: float | None,
    quartiles: Quartiles,
    *,
    width: float,
    colour: colors.Color,
    value_text: str = "",
    lang: str = "en",
) -> Drawing:
    """The value against the group's distribution: whiskers from minimum to maximum, a box for the
    middle half, the median as a line, the organisation's value as a diamond."""
    register_fonts()
    height = 46.0
    drawing = Drawing(width, height)
    low = min(quartiles.minimum, value if value is not None else quartiles.minimum)
    high = max(quartiles.maximum, value if value is not None else quartiles.maximum)
    if high <= low:
        high = low + 1.0
    pad = (high - low) * 0.04
    low, high = low - pad, high + pad
    left, right = 6.0, width - 6.0
    axis_y = 22.0

    def x_of(number: float) -> float:
        return left + (right - left) * (number - low) / (high - low)

    group = Group()
    group.add(
        Line(
            x_of(quartiles.minimum), axis_y, x_of(quartiles.maximum), axis_y, strokeColor=PALETTE.faint, strokeWidth=0.8
        )
    )
    for end in (quartiles.minimum, quartiles.maximum):
        group.add(Line(x_of(end), axis_y - 4, x_of(end), axis_y + 4, strokeColor=PALETTE.faint, strokeWidth=0.8))
    q1, q3 = x_of(quartiles.q1), x_of(quartiles.q3)
    group.add(
        Rect(
            q1,
            axis_y - 6,
            max(1.0, q3 - q1),
            12,
            fillColor=PALETTE.brand_light,
            strokeColor=PALETTE.brand,
            strokeWidth=0.6,
        )
    )
    median = x_of(quartiles.median)
    group.add(Line(median, axis_y - 6, median, axis_y + 6, strokeColor=PALETTE.brand, strokeWidth=1.6))
    # Numbers under the axis, skipping any that would overlap their left neighbour.
    last_x = -1e9
    for number in (quartiles.minimum, quartiles.q1, quartiles.median, quartiles.q3, quartiles.maximum):
        x = x_of(number)
        text = format_number(number, lang)
        half = stringWidth(text, SANS.regular, 6.5) / 2
        if x - half < last_x + 3:
            continue
        group.add(
            String(
                x, axis_y - 15, text, fontName=SANS.regular, fontSize=6.5, fillColor=PALETTE.muted, textAnchor="middle"
            )
        )
        last_x = x + half
    if value is not None:
        vx = x_of(value)
        group.add(
            Polygon(
                [vx, axis_y + 7, vx + 5, axis_y + 12, vx, axis_y + 17, vx - 5, axis_y + 12],
                fillColor=colour,
                strokeColor=colors.white,
                strokeWidth=0.6,
            )
        )
        group.add(Line(vx, axis_y - 6, vx, axis_y + 7, strokeColor=colour, strokeWidth=0.8))
        label = f"{WORDS('this_organisation', lang)}: {value_text or format_number(value, lang)}"
        label_width = stringWidth(label, SANS.bold, 7)
        anchor = "start" if vx + 8 + label_width <= width else "end"
        group.add(
            String(
                vx + 8 if anchor == "start" else vx - 8,
                axis_y + 9.5,
                label,
                fontName=SANS.bold,
                fontSize=7,
                fillColor=colour,
                textAnchor=anchor,
            )
        )
    else:
        group.add(
            String(
                left, axis_y + 10, WORDS("no_value", lang), fontName=SANS.regular, fontSize=7, fillColor=PALETTE.muted
            )
        )
    legend = (
        f"{WORDS('middle_half', lang)} · {WORDS('median', lang)} "
        f"{format_number(quartiles.median, lang)} · {WORDS('group', lang, count=quartiles.count)}"
    )
    group.add(
        String(
            left,
            0.5,
            _shorten(legend, SANS.regular, 6.5, right - left),
            fontName=SANS.regular,
            fontSize=6.5,
            fillColor=PALETTE.faint,
        )
    )
    drawing.add(group)
    return drawing
