"""Help → Guide: the user guide opens beside the window (F1 too) in the UI language, its links to
sections work, it can be searched, and it cannot drift from the program: every name it quotes in
bold is a text the UI shows, and every "**Menu** → **Item**" it names is in that menu."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from esca_desktop.settings import Settings
from esca_desktop.ui.guide import GuideWindow, guide_path, heading_anchor
from esca_desktop.ui.i18n import install_translators
from esca_desktop.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
PACKAGED = {"en": ROOT / "resources" / "guide" / "guide.md", "de": ROOT / "resources" / "guide" / "guide.de.md"}
IN_DOCS = {"en": ROOT / "docs" / "guide.md", "de": ROOT / "docs" / "guide.de.md"}
BOLD = re.compile(r"\*\*((?:\\.|[^*\\])+)\*\*")
MENU_ITEM = re.compile(r"\*\*((?:\\.|[^*\\])+)\*\*\s*→\s*\*\*((?:\\.|[^*\\])+)\*\*")
SECTION_LINK = re.compile(r"\]\(#([^)]+)\)")


def _load_extractor() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extract_ui_strings", ROOT / "docs" / "extract_ui_strings.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shown(text: str) -> str:
    """A UI text as a person sees it: without the accelerator '&' ('&&' shows as '&')."""
    return re.sub(r"&(.)", r"\1", text)


def _unescape(markdown: str) -> str:
    """The text a Markdown span shows: escapes resolved, a line break inside it as one space."""
    return " ".join(re.sub(r"\\(.)", r"\1", markdown).split())


def _patterns(texts: list[str]) -> list[re.Pattern[str]]:
    """Each UI text as a pattern: a placeholder (%1, {name}) stands for whatever the guide puts there."""
    patterns = []
    for text in texts:
        parts = re.split(r"(%\d|\{\w+\})", _shown(text))
        body = "".join(".+?" if re.fullmatch(r"%\d|\{\w+\}", part) else re.escape(part) for part in parts)
        patterns.append(re.compile(body))
    return patterns


SOURCES: list[str] = _load_extractor().extract()
GERMAN: dict[str, str] = json.loads((ROOT / "resources" / "translations" / "de.json").read_text(encoding="utf-8"))
UI_TEXTS = {"en": SOURCES, "de": [GERMAN[s] for s in SOURCES if GERMAN.get(s)]}


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCA_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def german(qapp: QApplication) -> Iterator[None]:
    translators = install_translators(qapp, "de")
    try:
        yield
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def _window(qtbot: QtBot, lang: str) -> MainWindow:
    window = MainWindow(Settings(), lang)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _help_menu(window: MainWindow) -> QMenu:
    menus = [a.menu() for a in window.menuBar().actions() if isinstance(a.menu(), QMenu)]
    return menus[-1]


def _open_from_help_menu(window: MainWindow) -> GuideWindow:
    help_menu = _help_menu(window)
    entry = next(a for a in help_menu.actions() if a.text() in ("&Guide", GERMAN["&Guide"]))
    entry.trigger()
    guide = window.findChild(GuideWindow)
    assert guide is not None
    return guide


def test_help_guide_opens_the_english_guide_beside_the_window(qtbot: QtBot) -> None:
    window = _window(qtbot, "en")
    guide = _open_from_help_menu(window)
    assert guide.isVisible() and guide.isWindow()
    assert guide.windowModality() == Qt.WindowModality.NonModal
    assert QApplication.activeModalWidget() is None  # the interview goes on beside it
    headings = guide.headings()
    for title in ("Prepare", "The interview", "Finalise", "Outbox and sync", "A returned assessment", "Glossary"):
        assert title in headings
    assert "outbox" in guide.browser.toPlainText()
    # a second time shows the same window, not another one
    _open_from_help_menu(window)
    assert len(window.findChildren(GuideWindow)) == 1
    guide.close()
    window.close()


def test_f1_opens_the_guide(qtbot: QtBot) -> None:
    window = _window(qtbot, "en")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert window.findChild(GuideWindow) is None
    qtbot.keyClick(window.list_page.table, Qt.Key.Key_F1)
    guide = window.findChild(GuideWindow)
    assert guide is not None and guide.isVisible()
    assert "Glossary" in guide.headings()
    guide.close()
    window.close()


def test_the_german_window_shows_the_german_guide(german: None, qtbot: QtBot) -> None:
    window = _window(qtbot, "de")
    guide = _open_from_help_menu(window)
    assert guide.windowTitle() == GERMAN["ESCA Assessor guide"]
    headings = guide.headings()
    for title in ("Vorbereiten", "Das Interview", "Abschließen", "Postausgang und Synchronisation", "Glossar"):
        assert title in headings
    assert "Glossary" not in headings
    assert guide.search.placeholderText() == GERMAN["Search the guide (Ctrl+F)"]
    guide.close()
    window.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_links_to_sections_scroll_there(qtbot: QtBot, lang: str) -> None:
    guide = GuideWindow(lang)
    qtbot.addWidget(guide)
    guide.show()
    qtbot.waitExposed(guide)
    targets = SECTION_LINK.findall(guide_path(lang).read_text(encoding="utf-8"))
    assert len(targets) >= 10
    anchors = {heading_anchor(title) for title in guide.headings()}
    assert not [t for t in targets if t not in anchors], "links to sections the guide does not have"
    bar = guide.browser.verticalScrollBar()
    assert bar.value() == 0
    middle = guide.headings()[len(guide.headings()) // 2]  # the last ones cannot scroll to the top
    guide.browser.anchorClicked.emit(QUrl("#" + heading_anchor(middle)))  # what a click on the link does
    assert bar.value() > 0
    top = guide.browser.cursorForPosition(guide.browser.viewport().rect().topLeft()).block()
    assert top.text() == middle
    assert not guide.show_section("no-such-section")


def test_the_guide_can_be_searched(qtbot: QtBot) -> None:
    guide = GuideWindow("en")
    qtbot.addWidget(guide)
    guide.show()
    qtbot.waitExposed(guide)
    guide.activateWindow()
    qtbot.waitUntil(guide.isActiveWindow)
    qtbot.keyClick(guide.browser, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert guide.search.hasFocus()
    qtbot.keyClicks(guide.search, "revision")
    first = guide.browser.textCursor()
    assert first.selectedText().lower() == "revision"
    qtbot.keyClick(guide.search, Qt.Key.Key_Return)  # the next one
    assert guide.browser.textCursor().selectionStart() > first.selectionStart()
    assert guide.search_state.text() == ""
    guide.search.clear()
    qtbot.keyClicks(guide.search, "xylophone")
    assert guide.search_state.text() == "Not found"


@pytest.mark.parametrize("lang", ["en", "de"])
def test_docs_holds_the_guide_the_program_shows(lang: str) -> None:
    assert guide_path(lang) == PACKAGED[lang]
    assert IN_DOCS[lang].read_text(encoding="utf-8") == PACKAGED[lang].read_text(encoding="utf-8"), (
        f"copy {PACKAGED[lang].relative_to(ROOT)} to {IN_DOCS[lang].relative_to(ROOT)}"
    )


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_name_in_bold_is_shown_by_the_program(lang: str) -> None:
    names = {_unescape(name) for name in BOLD.findall(PACKAGED[lang].read_text(encoding="utf-8"))}
    assert len(names) > 40
    patterns = _patterns(UI_TEXTS[lang])
    unknown = sorted(name for name in names if not any(p.fullmatch(name) for p in patterns))
    assert not unknown, f"the {lang} guide quotes names the program does not show: {unknown}"


def _window_in(qtbot: QtBot, qapp: QApplication, lang: str) -> MainWindow:
    """The main window built in `lang` (its texts are translated when they are created)."""
    translators = install_translators(qapp, lang)
    try:
        window = MainWindow(Settings(), lang)
        qtbot.addWidget(window)
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
    return window


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_menu_item_the_guide_names_is_in_that_menu(qtbot: QtBot, qapp: QApplication, lang: str) -> None:
    window = _window_in(qtbot, qapp, lang)
    menus = {
        _shown(a.text()): [_shown(item.text()) for item in a.menu().actions()]
        for a in window.menuBar().actions()
        if isinstance(a.menu(), QMenu)
    }
    window.close()
    pairs = [(_unescape(menu), _unescape(item)) for menu, item in MENU_ITEM.findall(PACKAGED[lang].read_text("utf-8"))]
    assert len(pairs) >= 5
    wrong = [f"{menu} → {item}" for menu, item in pairs if item not in menus.get(menu, [])]
    assert not wrong, f"not in those menus: {wrong}"


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_keys_table_gives_each_command_its_real_shortcut(qtbot: QtBot, qapp: QApplication, lang: str) -> None:
    window = _window_in(qtbot, qapp, lang)
    shortcuts = {
        _shown(action.text()): action.shortcut().toString(QKeySequence.SequenceFormat.PortableText)
        for action in window.findChildren(QAction)
        if not action.shortcut().isEmpty()
    }
    window.close()
    text = PACKAGED[lang].read_text(encoding="utf-8")
    table = text[text.index("| F1 |") :].split("\n\n")[0]
    rows = [row.split("|")[1:3] for row in table.splitlines()]
    checked, wrong = 0, []
    for keys, names in rows:
        named = [_unescape(name) for name in BOLD.findall(names)]
        for key, name in zip(keys.strip().split(" / "), named, strict=False):
            checked += 1
            if shortcuts.get(name) != key:
                wrong.append(f"{key} {name} (the program: {shortcuts.get(name)})")
    assert checked >= 10
    assert not wrong, wrong
    assert shortcuts[_shown(GERMAN["&Guide"] if lang == "de" else "&Guide")] == "F1"
