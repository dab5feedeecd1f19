"""The per-area score chart: what it says (to eyes and screen readers) and how it sizes itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPalette
from pytestqt.qtbot import QtBot

from esca_desktop.ui.score_chart import AreaScoreChart, bar_colors, format_percent, format_points

pytestmark = pytest.mark.qt_log_level_fail("WARNING")  # a Qt warning fails the test


AREAS = [
    ("1 Structure of the cluster", 17, 20),
    ("2 Typology, governance and cooperation", 21, 30),
    ("3 Financing of the cluster management", 9, 10),
    ("4 Strategy, objectives and services of the cluster management", 34, 40),
    ("5 Achievements and recognition", 13.5, 20),
]


@pytest.fixture
def chart(qtbot: QtBot) -> Iterator[AreaScoreChart]:
    widget = AreaScoreChart()
    qtbot.addWidget(widget)
    widget.set_scores(AREAS, threshold_percent=80)
    widget.resize(widget.sizeHint())
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def rgb(color: QColor) -> tuple[int, int, int]:
    return color.red(), color.green(), color.blue()


def colors_in(image: QImage) -> set[tuple[int, int, int]]:
    """The colours of every other pixel of an image (enough to find bars and text)."""
    flat = image.convertToFormat(QImage.Format.Format_RGB32)
    return {rgb(flat.pixelColor(x, y)) for x in range(0, flat.width(), 2) for y in range(0, flat.height(), 2)}


def contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        channels = [
            v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in (c.redF(), c.greenF(), c.blueF())
        ]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_value_labels_read_points_maximum_and_percent(chart: AreaScoreChart) -> None:
    assert chart.value_text(0) == "17 / 20 (85 %)"
    assert chart.value_text(3) == "34 / 40 (85 %)"
    assert chart.value_text(4) == "13.5 / 20 (68 %)"


def test_numbers_are_formatted_without_noise() -> None:
    assert format_points(17.0) == "17"
    assert format_points(17.26) == "17.3"
    assert format_points(20) == "20"
    assert format_percent(85.0) == "85 %"
    assert format_percent(79.6, threshold=80) == "79.6 %"  # never "80 %" for a value below 80 %
    assert format_percent(79.6) == "80 %"


def test_the_accessible_description_reads_every_value(chart: AreaScoreChart) -> None:
    description = chart.accessibleDescription()
    assert description.startswith("Threshold 80 %.")
    assert "1 Structure of the cluster: 17 / 20 (85 %)." in description
    assert "2 Typology, governance and cooperation: 21 / 30 (70 %), below the threshold." in description
    assert "4 Strategy, objectives and services of the cluster management: 34 / 40 (85 %)." in description
    assert chart.accessibleName() == "Scores by area"


def test_set_scores_replaces_the_description(chart: AreaScoreChart) -> None:
    chart.set_scores([("Only area", 3, 4)], threshold_percent=None)
    assert chart.accessibleDescription() == "Only area: 3 / 4 (75 %)."
    assert chart.threshold_percent() is None
    assert chart.scores() == [("Only area", 3.0, 4.0)]


def test_an_area_without_points_to_score_is_not_applicable(chart: AreaScoreChart) -> None:
    chart.set_scores([("Not assessed", 0, 0)], threshold_percent=80)
    assert chart.value_text(0) == "0 / 0 (n/a)"
    assert not chart.is_below_threshold(0)
    assert not chart.grab().isNull()


def test_bars_use_the_highlight_and_a_distinct_colour_below_the_threshold(chart: AreaScoreChart) -> None:
    _, bar, below = bar_colors(chart.palette())
    assert bar == chart.palette().color(QPalette.ColorRole.Highlight)
    assert [chart.is_below_threshold(i) for i in range(5)] == [False, True, False, False, True]
    seen = colors_in(chart.grab().toImage())
    assert rgb(bar) in seen
    assert rgb(below) in seen


def test_without_a_threshold_every_bar_is_the_highlight_colour(chart: AreaScoreChart) -> None:
    chart.set_scores(AREAS, threshold_percent=None)
    _, _, below = bar_colors(chart.palette())
    assert rgb(below) not in colors_in(chart.grab().toImage())


@pytest.mark.parametrize("window", ["#efefef", "#2b2b2b"])
def test_the_below_threshold_colour_stands_out_in_light_and_dark_mode(window: str) -> None:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#e6e6e6" if window == "#2b2b2b" else "#000000"))
    track, _, below = bar_colors(palette)
    assert contrast(below, QColor(window)) >= 3.0
    assert contrast(below, track) >= 2.0


def test_the_chart_renders_in_a_dark_palette(chart: AreaScoreChart) -> None:
    palette = chart.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#2b2b2b"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#e6e6e6"))
    chart.setPalette(palette)
    image = chart.grab().toImage()
    assert max(QColor(*seen).lightness() for seen in colors_in(image)) > 200  # light text on dark


def test_the_size_hint_grows_with_the_rows(qtbot: QtBot) -> None:
    chart = AreaScoreChart()
    qtbot.addWidget(chart)
    heights = []
    for rows in (AREAS[:1], AREAS[:3], AREAS):
        chart.set_scores(rows, threshold_percent=80)
        heights.append(chart.sizeHint().height())
    assert heights[0] < heights[1] < heights[2]
    assert chart.minimumSizeHint().height() == chart.sizeHint().height()  # rows are never squeezed


def test_the_chart_scales_with_the_font(chart: AreaScoreChart) -> None:
    before = chart.sizeHint()
    font = chart.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    chart.setFont(font)
    after = chart.sizeHint()
    assert after.height() > 1.7 * before.height()
    assert after.width() > 1.5 * before.width()


def test_grab_renders_without_warnings_at_any_width(chart: AreaScoreChart) -> None:
    for width in (chart.sizeHint().width(), chart.minimumSizeHint().width(), 120, 1400):
        chart.resize(width, chart.sizeHint().height())
        image = chart.grab().toImage()
        assert not image.isNull()
        assert len(colors_in(image)) > 3


def test_rows_are_found_under_the_pointer_for_tooltips(chart: AreaScoreChart) -> None:
    height = chart.sizeHint().height()
    assert chart.row_at(QPointF(10, 1)) is None  # the threshold label
    found = [chart.row_at(QPointF(10, y)) for y in range(0, height)]
    assert [i for i in range(5) if i in found] == [0, 1, 2, 3, 4]


def test_an_empty_chart_says_so(qtbot: QtBot) -> None:
    chart = AreaScoreChart()
    qtbot.addWidget(chart)
    chart.set_scores([], threshold_percent=80)
    chart.resize(chart.sizeHint())
    assert chart.accessibleDescription() == "No scored areas."
    assert chart.sizeHint().height() > chart.fontMetrics().height()
    image = chart.grab().toImage()
    window = chart.palette().color(QPalette.ColorRole.Window)
    seen = colors_in(image)
    assert rgb(window) in seen
    assert any(contrast(QColor(*color), window) > 1.5 for color in seen), "the message is drawn"
