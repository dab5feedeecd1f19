"""The German UI table: every marked source text has a translation that keeps its placeholders, and
the real main window comes up in German once the table is installed."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from esca_desktop.settings import Settings
from esca_desktop.ui.i18n import install_translators, translation_table

ROOT = Path(__file__).resolve().parents[2]
EXTRACTOR = ROOT / "docs" / "extract_ui_strings.py"
TABLE = ROOT / "resources" / "translations" / "de.json"


def _load_extractor() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extract_ui_strings", EXTRACTOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


extractor = _load_extractor()
SOURCES: list[str] = extractor.extract()
GERMAN: dict[str, str] = json.loads(TABLE.read_text(encoding="utf-8"))


def _accelerator(text: str) -> str | None:
    """The letter after a single '&' ('&&' is a literal ampersand)."""
    match = re.search(r"(?<!&)&([^&\s])", text.replace("&&", ""))
    return match.group(1).lower() if match else None


def test_the_extractor_finds_the_ui_strings() -> None:
    assert len(SOURCES) > 100
    assert "&File" in SOURCES
    # implicit concatenation over several lines is joined as Python joins it
    assert any(s.startswith("<h3>No assessments yet</h3>") and s.endswith("</p>") for s in SOURCES)
    assert extractor.non_literal_calls(extractor.ui_files()) == []


def test_every_source_string_has_a_german_translation() -> None:
    missing = [s for s in SOURCES if not str(GERMAN.get(s) or "").strip()]
    assert not missing, f"{len(missing)} UI strings lack a German translation: {missing}"


@pytest.mark.parametrize("placeholder", ["%1", "%2", "%3"])
def test_placeholders_survive_translation(placeholder: str) -> None:
    wrong = {s: GERMAN[s] for s in SOURCES if s in GERMAN and s.count(placeholder) != GERMAN[s].count(placeholder)}
    assert not wrong, f"{placeholder} count differs: {wrong}"


def test_named_fields_and_html_tags_survive_translation() -> None:
    def fields(text: str) -> list[str]:
        return sorted(re.findall(r"\{\w+\}", text))

    def tags(text: str) -> list[str]:
        return re.findall(r"</?\w+>", text)

    wrong = {
        s: GERMAN[s] for s in SOURCES if s in GERMAN and (fields(s) != fields(GERMAN[s]) or tags(s) != tags(GERMAN[s]))
    }
    assert not wrong, wrong


def test_accelerators_are_kept() -> None:
    lost = {
        s: GERMAN[s] for s in SOURCES if s in GERMAN and (_accelerator(s) is None) != (_accelerator(GERMAN[s]) is None)
    }
    assert not lost, f"'&' accelerator added or dropped: {lost}"


@pytest.fixture
def german(qapp: QApplication) -> Iterator[None]:
    translators = install_translators(qapp, "de")
    try:
        yield
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_main_window_shows_german_menus(
    german: None, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESCA_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    from esca_desktop.ui.main_window import MainWindow

    assert translation_table("de")["&File"] == GERMAN["&File"]
    window = MainWindow(Settings(), "de")
    qtbot.addWidget(window)
    titles = [action.text() for action in window.menuBar().actions()]
    assert GERMAN["&File"] in titles
    assert GERMAN["&Help"] in titles
    assert "&File" not in titles and "&Help" not in titles
    assert window.new_action.text() == GERMAN["&New assessment…"]
    # within the menu bar and within each menu, no two entries share an accelerator
    menus = [window.menuBar()] + [a.menu() for a in window.menuBar().actions() if isinstance(a.menu(), QMenu)]
    for menu in menus:
        keys = [_accelerator(a.text()) for a in menu.actions() if not a.isSeparator()]
        keys = [k for k in keys if k]
        assert len(keys) == len(set(keys)), [a.text() for a in menu.actions()]
    window.close()
