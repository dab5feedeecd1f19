"""The layering rules of DESIGN.md, checked on the source: the core never imports Qt, and each
third-party library stays in its one home."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "esca_desktop"

# library -> the only places (relative to the package) allowed to import it
HOMES = {
    "PySide6": ("ui/", "app.py"),
    "shiboken6": ("ui/",),
    "sqlalchemy": ("storage/", "central/"),
    "alembic": ("storage/",),
    "reportlab": ("reports/",),
    "pyhanko": ("reports/", "security/"),
    "keyring": ("security/",),
    "httpx": ("sync/",),
    "fastapi": ("central/",),
    "uvicorn": ("central/",),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("library", sorted(HOMES))
def test_each_library_is_imported_only_in_its_home(library: str) -> None:
    leaks = []
    for path in _modules():
        relative = path.relative_to(PACKAGE).as_posix()
        if library in _imports(path) and not relative.startswith(HOMES[library]):
            leaks.append(relative)
    assert leaks == [], f"{library} imported outside {HOMES[library]}: {leaks}"


def test_the_core_runs_without_pyside6(tmp_path: Path) -> None:
    """Import every core module with PySide6 made unimportable."""
    core = [
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        for p in _modules()
        if not p.relative_to(PACKAGE).as_posix().startswith(("ui/", "app.py", "__main__.py"))
    ]
    script = (
        "import sys, importlib\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6'):\n"
        "            raise ImportError('PySide6 is blocked for this test')\n"
        "sys.meta_path.insert(0, Block())\n"
        f"for name in {core!r}:\n"
        "    importlib.import_module(name)\n"
        "from esca_desktop.cli import run\n"
        "sys.exit(run(['--data-dir', sys.argv[1], 'demo']))\n"  # the whole headless program, Qt-free
    )
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "gold" in result.stdout and "passes" in result.stdout
