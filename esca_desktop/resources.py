"""Finds the shipped resources (fonts, icons, translations, sample data) in a checkout or a bundle."""

from __future__ import annotations

import sys
from pathlib import Path

from esca_desktop.errors import UserError


def resources_dir() -> Path:
    """`resources/` beside the package in a checkout, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "resources"] if bundle else []
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise UserError("the program's resources folder is missing; reinstall ESCA Assessor")


def resource(*parts: str) -> Path:
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise UserError(f"the resource {'/'.join(parts)} is missing; reinstall ESCA Assessor")
    return path
