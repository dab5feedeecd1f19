"""The look: a few named roles on top of the system palette (light and dark both work).

Roles are applied to each widget when it is created (`role(widget, "mutedLabel")`), not through an
application style sheet: a style sheet re-polishes every new widget, which made building an
indicator page about 40 % slower."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

ERROR_COLOUR = QColor("#c0392b")
WARNING_COLOUR = QColor("#e0a000")
CAUTION_COLOUR = QColor("#9a6700")  # amber dark enough to read as text on a light background

# Roles that need a frame or background: a tiny style sheet on those few widgets only.
_SHEETS = {
    "badge": "QLabel { border: 1px solid palette(highlight); border-radius: 8px; padding: 1px 8px;"
    " color: palette(highlight); }",
    "signatureImage": "QLabel { border: 1px dashed palette(mid); border-radius: 4px; }",
    "signatureNotice": "QLabel { background: rgba(224, 160, 0, 0.15); border-left: 3px solid #e0a000; padding: 6px; }",
    # object-name selectors: the frame's look, not its children's
    "reviewBox": "QFrame#reviewBox { background: rgba(224, 160, 0, 0.12); border-left: 3px solid #e0a000; }",
    "reviewBanner": "QFrame#reviewBanner { background: rgba(224, 160, 0, 0.22); border: 1px solid #e0a000;"
    " border-radius: 4px; }",
}
_SCALE = {
    "indicatorNumber": 1.45,
    "indicatorTitle": 1.45,
    "sectionTitle": 1.1,
    "resultText": 1.1,
    "badge": 0.9,
    "outcomeLabel": 1.0,
}
_BOLD = {"indicatorNumber", "indicatorTitle", "sectionTitle", "computedValue", "primaryButton", "workspaceTitle"}
_MUTED = {"mutedLabel", "helpLabel", "unitLabel", "signatureImage"}


@cache
def _font(name: str) -> QFont:
    font = QFont(QApplication.font())
    scale = _SCALE.get(name, 1.0)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    if name in _BOLD:
        font.setWeight(QFont.Weight.DemiBold)
    return font


def _palette(widget: QWidget, name: str) -> QPalette | None:
    palette = QPalette(widget.palette())
    if name in _MUTED:
        colour = palette.color(QPalette.ColorRole.PlaceholderText)
    elif name in ("fieldError", "saveError"):
        colour = ERROR_COLOUR
    elif name == "saveWarning":
        colour = CAUTION_COLOUR
    elif name == "indicatorNumber":
        colour = palette.color(QPalette.ColorRole.Highlight)
    else:
        return None
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    palette.setColor(QPalette.ColorRole.Text, colour)
    return palette


def role(widget: QWidget, name: str) -> QWidget:
    """Give `widget` the look of a named role; returns it for chaining."""
    widget.setObjectName(name)
    if name in _SCALE or name in _BOLD:
        widget.setFont(_font(name))
    palette = _palette(widget, name)
    # A role without colours of its own takes the parent's again (a label that showed an error and now
    # says "Saved" must not stay red).
    if palette is not None:
        widget.setPalette(palette)
    elif widget.testAttribute(Qt.WidgetAttribute.WA_SetPalette):
        widget.setPalette(QPalette())
    sheet = _SHEETS.get(name)
    if sheet:
        widget.setStyleSheet(sheet)
    return widget
