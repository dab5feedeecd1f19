"""The review service is a separate program: nothing of the desktop imports `esca_desktop.central`."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "esca_desktop"


def _imports_central(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        )
        if any(name == "esca_desktop.central" or name.startswith("esca_desktop.central.") for name in names):
            return True
    return False


def test_the_desktop_never_imports_the_review_service() -> None:
    outside = [p for p in PACKAGE.rglob("*.py") if "central" not in p.relative_to(PACKAGE).parts]
    assert outside
    assert [str(p.relative_to(PACKAGE)) for p in outside if _imports_central(p)] == []
