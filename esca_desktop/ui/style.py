"""The look: a few named roles on top of the system palette (light and dark both work)."""

from __future__ import annotations

STYLE_SHEET = """
QLabel#indicatorNumber { font-size: 15pt; font-weight: 600; color: palette(highlight); padding-right: 8px; }
QLabel#indicatorTitle { font-size: 15pt; font-weight: 600; }
QLabel#sectionTitle { font-weight: 600; font-size: 11pt; padding-top: 10px;
                      border-bottom: 1px solid palette(mid); margin-bottom: 2px; }
QLabel#mutedLabel, QLabel#helpLabel, QLabel#unitLabel { color: palette(placeholder-text); }
QLabel#fieldError { color: #c0392b; }
QLabel#badge { border: 1px solid palette(highlight); border-radius: 8px; padding: 1px 8px;
               color: palette(highlight); font-size: 9pt; }
QLabel#reviewerComment { background: rgba(224, 160, 0, 0.15); border-left: 3px solid #e0a000; padding: 6px; }
QLabel#computedValue { font-weight: 600; padding: 3px 0; }
QLabel#resultText { font-size: 11pt; }
QLabel#signatureImage { border: 1px dashed palette(mid); border-radius: 4px; color: palette(placeholder-text); }
QLabel#saveState[state="error"] { color: #c0392b; }
QPushButton#primaryButton { font-weight: 600; padding: 5px 16px; }
QGroupBox { font-weight: 600; margin-top: 1.2em; }
QGroupBox QLabel, QGroupBox QCheckBox, QGroupBox QLineEdit { font-weight: normal; }
"""
