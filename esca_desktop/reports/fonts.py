"""The TTF fonts every PDF embeds, so that names in any European script print and copy correctly.

The DejaVu Sans family is shipped in `resources/fonts/` (see LICENSE-DejaVu.txt there); ReportLab's
built-in Helvetica covers Latin-1 only and would print "Ελληνικό" or "Łódź" as boxes.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab import rl_config  # type: ignore[import-untyped]
from reportlab.lib.fonts import addMapping  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFError, TTFont  # type: ignore[import-untyped]

from esca_desktop.errors import UserError
from esca_desktop.resources import resource


@dataclass(frozen=True, slots=True)
class FontFamily:
    """The registered names of one family's four faces."""

    regular: str
    bold: str
    italic: str
    bold_italic: str


SANS = FontFamily("EscaSans", "EscaSans-Bold", "EscaSans-Oblique", "EscaSans-BoldOblique")

_FILES = {
    SANS.regular: "DejaVuSans.ttf",
    SANS.bold: "DejaVuSans-Bold.ttf",
    SANS.italic: "DejaVuSans-Oblique.ttf",
    SANS.bold_italic: "DejaVuSans-BoldOblique.ttf",
}

_registered = False


def register_fonts() -> FontFamily:
    """Register the family with ReportLab once per process (idempotent); returns its face names."""
    global _registered
    if _registered:
        return SANS
    for name, file_name in _FILES.items():
        path = resource("fonts", file_name)
        try:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        except (TTFError, OSError) as exc:
            raise UserError(f"the font {file_name} cannot be read ({exc}); reinstall ESCA Assessor") from None
    # Let <b> and <i> in paragraphs pick the right face.
    addMapping(SANS.regular, 0, 0, SANS.regular)
    addMapping(SANS.regular, 1, 0, SANS.bold)
    addMapping(SANS.regular, 0, 1, SANS.italic)
    addMapping(SANS.regular, 1, 1, SANS.bold_italic)
    pdfmetrics.registerFontFamily(
        SANS.regular, normal=SANS.regular, bold=SANS.bold, italic=SANS.italic, boldItalic=SANS.bold_italic
    )
    # A chart's initial graphics state names this font even when every string sets its own; with the
    # default (Helvetica) each page with a chart would reference a font that is not embedded.
    rl_config.defaultGraphicsFontName = SANS.regular
    _registered = True
    return SANS
