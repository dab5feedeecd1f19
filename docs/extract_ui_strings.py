"""List every user-visible source string of the desktop UI, or check a translation table for gaps.

The UI marks its texts with ``self.tr("...")`` (any ``<obj>.tr(...)`` call) and, where no QObject is at
hand, ``QApplication.translate("Context", "...")`` (also ``QCoreApplication``/``QGuiApplication``).
The files are parsed with :mod:`ast`, so implicit concatenations spread over several lines are joined
exactly as Python joins them.

Usage::

    python docs/extract_ui_strings.py                      # print the source strings, one JSON string a line
    python docs/extract_ui_strings.py --check resources/translations/de.json
                                                           # exit 1 listing strings with no translation
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI_DIR = ROOT / "esca_desktop" / "ui"
_TRANSLATE_OWNERS = {"QApplication", "QCoreApplication", "QGuiApplication"}


def _literal(node: ast.expr) -> str | None:
    """The value of a plain string literal (implicit concatenation is already one Constant)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _owner_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):  # e.g. QtWidgets.QApplication
        return node.attr
    return None


def source_arguments(tree: ast.AST) -> Iterator[tuple[int, ast.expr]]:
    """(line, source-text argument) for each translation call in a module."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr == "tr" and node.args:
            yield node.lineno, node.args[0]
        elif (
            node.func.attr == "translate" and _owner_name(node.func.value) in _TRANSLATE_OWNERS and len(node.args) >= 2
        ):
            yield node.lineno, node.args[1]


def strings_in_file(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for _line, arg in sorted(source_arguments(tree), key=lambda item: item[0]):
        text = _literal(arg)
        if text is not None:
            found.append(text)
    return found


def non_literal_calls(paths: Iterable[Path]) -> list[str]:
    """Translation calls whose text is not a literal (cannot be extracted): 'file:line'."""
    out = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        out += [f"{path.name}:{line}" for line, arg in source_arguments(tree) if _literal(arg) is None]
    return sorted(out)


def ui_files(ui_dir: Path = UI_DIR) -> list[Path]:
    return sorted(ui_dir.glob("*.py"))


def extract(paths: Iterable[Path] | None = None) -> list[str]:
    """Unique source strings, in order of first appearance (files sorted by name)."""
    seen: dict[str, None] = {}
    for path in ui_files() if paths is None else paths:
        for text in strings_in_file(path):
            seen.setdefault(text, None)
    return list(seen)


def missing(table: dict[str, str], strings: Iterable[str]) -> list[str]:
    return [s for s in strings if not str(table.get(s) or "").strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", metavar="FILE.json", help="report source strings without a translation")
    parser.add_argument("--ui-dir", default=str(UI_DIR), help="folder of UI modules (default: esca_desktop/ui)")
    args = parser.parse_args(argv)
    files = ui_files(Path(args.ui_dir))
    strings = extract(files)
    for where in non_literal_calls(files):
        print(f"warning: non-literal translation text at {where}", file=sys.stderr)
    if args.check:
        table = json.loads(Path(args.check).read_text(encoding="utf-8"))
        gaps = missing(table, strings)
        for text in gaps:
            print(json.dumps(text, ensure_ascii=False))
        print(f"{len(gaps)} of {len(strings)} strings missing in {args.check}", file=sys.stderr)
        return 1 if gaps else 0
    for text in strings:
        print(json.dumps(text, ensure_ascii=False))
    print(f"{len(strings)} strings", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
