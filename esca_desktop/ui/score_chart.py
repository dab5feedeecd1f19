"""A horizontal bar chart of the score of each assessment area, with an optional pass threshold.

Each row shows the area's label (elided when long), a bar of its percentage and the value as
"34 / 40 (85 %)". Colours come from the palette — the highlight colour for bars, a warm, calmer
colour for areas below the threshold — so the chart reads the same in light and dark mode. All
sizes derive from the font, so the chart grows with the user's font size and the number of rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

ScoreRow = tuple[str, float, float]  # (area label, points, maximum points)


@dataclass(frozen=True, slots=True)
class _Row:
    label: str
    points: float
    max_points: float

    @property
    def percent(self) -> float | None:
        return None if self.max_points <= 0 else 100.0 * self.points / self.max_points


def format_points(value: float) -> str:
    """17.0 → "17", 17.5 → "17.5", 17.26 → "17.3" (one decimal at most, no trailing zero)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def format_percent(percent: float, threshold: float | None = None) -> str:
    """Whole percent, unless rounding would put a value below the threshold on or above it."""
    rounded = round(percent)
    if threshold is not None and percent < threshold <= rounded:
        return f"{math.floor(percent * 10) / 10:.1f} %"
    return f"{rounded} %"


def _blend(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0..1) of the way towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


def bar_colors(palette: QPalette) -> tuple[QColor, QColor, QColor]:
    """(track, bar, bar below the threshold) for a palette, light or dark."""
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    dark = window.lightnessF() < 0.5
    track = _blend(window, text, 0.16 if dark else 0.09)
    bar = palette.color(QPalette.ColorRole.Highlight)
    # A muted amber: unlike any usual highlight blue in hue, not an alarm red, and at least 3:1
    # against the window in both modes (WCAG's minimum for graphics).
    below = QColor.fromHslF(32 / 360, 0.62, 0.60 if dark else 0.45)
    return track, bar, below


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where things go for the current width and font; computed once per paint."""

    margin: float
    row_height: float
    bar_height: float
    header_height: float
    label_width: float
    value_width: float
    track_left: float
    track_right: float

    def row_top(self, index: int) -> float:
        return self.margin + self.header_height + index * self.row_height

    def x_at(self, percent: float) -> float:
        fraction = min(max(percent, 0.0), 100.0) / 100.0
        return self.track_left + fraction * (self.track_right - self.track_left)


class AreaScoreChart(QWidget):
    """Bars of per-area percentages, a threshold line, and the values as text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._threshold: float | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setAccessibleName(self.tr("Scores by area"))
        self._update_accessible_description()

    # -- public API -------------------------------------------------------------------------

    def set_scores(self, rows: Sequence[ScoreRow], threshold_percent: float | None = None) -> None:
        """Show ``rows`` of (label, points, max_points); draw a threshold line unless it is None."""
        self._rows = [_Row(str(label), float(points), float(max_points)) for label, points, max_points in rows]
        self._threshold = None if threshold_percent is None else float(threshold_percent)
        self._update_accessible_description()
        self.updateGeometry()
        self.update()

    def scores(self) -> list[ScoreRow]:
        return [(row.label, row.points, row.max_points) for row in self._rows]

    def threshold_percent(self) -> float | None:
        return self._threshold

    def value_text(self, index: int) -> str:
        """The value label of one row, e.g. "34 / 40 (85 %)"."""
        row = self._rows[index]
        percent = row.percent
        shown = self.tr("n/a") if percent is None else format_percent(percent, self._threshold)
        return f"{format_points(row.points)} / {format_points(row.max_points)} ({shown})"

    def is_below_threshold(self, index: int) -> bool:
        percent = self._rows[index].percent
        return self._threshold is not None and percent is not None and percent < self._threshold

    def row_at(self, position: QPointF) -> int | None:
        """The row under a point in widget coordinates, or None."""
        if not self._rows:
            return None
        layout = self._layout()
        index = math.floor((position.y() - layout.row_top(0)) / layout.row_height)
        return index if 0 <= index < len(self._rows) else None

    # -- geometry ---------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        char = metrics.averageCharWidth()
        labels = max((metrics.horizontalAdvance(row.label) for row in self._rows), default=char * 20)
        width = 2 * self._margin() + min(labels, char * 40) + 2 * self._gap() + char * 34 + self._value_width()
        return QSize(math.ceil(width), math.ceil(self._content_height()))

    def minimumSizeHint(self) -> QSize:
        char = self.fontMetrics().averageCharWidth()
        width = 2 * self._margin() + char * 10 + 2 * self._gap() + char * 10 + self._value_width()
        return QSize(math.ceil(width), math.ceil(self._content_height()))

    def _margin(self) -> float:
        return self.fontMetrics().height() * 0.6

    def _gap(self) -> float:
        return self.fontMetrics().averageCharWidth() * 1.5

    def _row_height(self) -> float:
        return round(self.fontMetrics().height() * 1.9)

    def _header_height(self) -> float:
        return self.fontMetrics().height() * 1.5 if self._threshold is not None and self._rows else 0.0

    def _value_width(self) -> float:
        metrics = self.fontMetrics()
        widths = [metrics.horizontalAdvance(self.value_text(i)) for i in range(len(self._rows))]
        return float(max(widths, default=metrics.horizontalAdvance("00 / 00 (100 %)")))

    def _content_height(self) -> float:
        rows = max(len(self._rows), 1)
        return 2 * self._margin() + self._header_height() + rows * self._row_height()

    def _layout(self) -> _Layout:
        metrics = self.fontMetrics()
        margin, gap = self._margin(), self._gap()
        value_width = self._value_width()
        available = self.width() - 2 * margin - 2 * gap - value_width
        natural = max((metrics.horizontalAdvance(row.label) for row in self._rows), default=0)
        # Bars keep at least 45 % of the room (and a usable minimum); labels get what they need of the rest.
        min_track = max(metrics.averageCharWidth() * 10.0, available * 0.45)
        label_width = min(float(natural), max(available - min_track, metrics.averageCharWidth() * 8.0))
        track_left = margin + label_width + gap
        track_right = max(track_left + 1.0, self.width() - margin - value_width - gap)
        return _Layout(
            margin=margin,
            row_height=self._row_height(),
            bar_height=round(metrics.height() * 0.8),
            header_height=self._header_height(),
            label_width=label_width,
            value_width=value_width,
            track_left=track_left,
            track_right=track_right,
        )

    # -- events -----------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()
        super().changeEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            index = self.row_at(QPointF(event.pos()))
            if index is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), f"{self._rows[index].label}: {self.value_text(index)}", self)
            return True
        return super().event(event)

    # -- painting ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        palette = self.palette()
        if not self._rows:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self.tr("No scored areas"))
            painter.end()
            return
        layout = self._layout()
        for index in range(len(self._rows)):
            self._paint_row(painter, palette, layout, index)
        if self._threshold is not None:
            self._paint_threshold(painter, palette, layout, self._threshold)
        painter.end()

    def _paint_row(self, painter: QPainter, palette: QPalette, layout: _Layout, index: int) -> None:
        row = self._rows[index]
        metrics = self.fontMetrics()
        top = layout.row_top(index)
        text_rect = QRectF(layout.margin, top, layout.label_width, layout.row_height)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        label = metrics.elidedText(row.label, Qt.TextElideMode.ElideRight, math.floor(layout.label_width))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)

        track_color, bar_color, below_color = bar_colors(palette)
        bar_top = top + (layout.row_height - layout.bar_height) / 2
        track = QRectF(layout.track_left, bar_top, layout.track_right - layout.track_left, layout.bar_height)
        radius = layout.bar_height * 0.3
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track_color)
        painter.drawRoundedRect(track, radius, radius)
        percent = row.percent
        if percent is not None and percent > 0:
            # Clip the full rounded track to the filled part: a rounded start, a clean cut at the value.
            fill = QRectF(track.left(), track.top(), layout.x_at(percent) - track.left(), track.height())
            painter.save()
            painter.setClipRect(fill)
            painter.setBrush(below_color if self.is_below_threshold(index) else bar_color)
            painter.drawRoundedRect(track, radius, radius)
            painter.restore()
        painter.setBrush(Qt.BrushStyle.NoBrush)

        value_rect = QRectF(layout.track_right + self._gap(), top, layout.value_width, layout.row_height)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        painter.drawText(
            value_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self.value_text(index)
        )

    def _paint_threshold(self, painter: QPainter, palette: QPalette, layout: _Layout, threshold: float) -> None:
        metrics = self.fontMetrics()
        x = round(layout.x_at(threshold)) + 0.5
        first_top = layout.row_top(0)
        last_bottom = layout.row_top(len(self._rows) - 1) + layout.row_height
        inset = (layout.row_height - layout.bar_height) / 2
        line_color = QColor(palette.color(QPalette.ColorRole.WindowText))
        line_color.setAlphaF(0.65)
        pen = QPen(line_color, 1.5)
        pen.setDashPattern([3.0, 2.5])
        painter.setPen(pen)
        painter.drawLine(QPointF(x, first_top - metrics.height() * 0.15), QPointF(x, last_bottom - inset / 2))

        text = self.tr("Threshold {percent}").format(percent=f"{format_points(threshold)} %")
        text_width = metrics.horizontalAdvance(text)
        left = min(max(x - text_width / 2, layout.margin), self.width() - layout.margin - text_width)
        label_rect = QRectF(left, layout.margin, text_width, layout.header_height - metrics.height() * 0.3)
        label_color = QColor(palette.color(QPalette.ColorRole.WindowText))
        label_color.setAlphaF(0.8)
        painter.setPen(label_color)
        painter.drawText(label_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, text)

    # -- accessibility ----------------------------------------------------------------------

    def accessible_summary(self) -> str:
        """The chart as one sentence per area, for screen readers and the accessible description."""
        if not self._rows:
            return self.tr("No scored areas.")
        parts = []
        if self._threshold is not None:
            parts.append(self.tr("Threshold {percent}.").format(percent=f"{format_points(self._threshold)} %"))
        for index, row in enumerate(self._rows):
            sentence = f"{row.label}: {self.value_text(index)}"
            if self.is_below_threshold(index):
                sentence += self.tr(", below the threshold")
            parts.append(sentence + ".")
        return " ".join(parts)

    def _update_accessible_description(self) -> None:
        self.setAccessibleDescription(self.accessible_summary())
