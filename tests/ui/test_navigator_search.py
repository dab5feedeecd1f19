"""Finding an indicator or an assessment with a plain keyboard: case and diacritics do not matter,
and the indicator search does not stay applied once an indicator is chosen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from esca_desktop.ui.main_window import MainWindow
from tests.ui.conftest import make_window
from tests.ui.test_window import create_gold, workspace_of


def visible_indicators(window: MainWindow) -> list[str]:
    navigator = workspace_of(window).navigator
    return [key for key, item in navigator._items.items() if not item.isHidden()]


def test_indicator_search_ignores_diacritics(qtbot: QtBot, window: MainWindow) -> None:
    create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.set_interview_language("de")
    window.find_action.trigger()
    qtbot.keyClicks(workspace.navigator.search, "uberprufung strategie")
    assert visible_indicators(window) == ["4.1.5"]  # "Überprüfung von Strategie und Aktionsplan"
    qtbot.keyClick(workspace.navigator.search, Qt.Key.Key_Return)
    assert workspace.page is not None and workspace.page.indicator.id == "4.1.5"


def test_choosing_an_indicator_clears_the_search(qtbot: QtBot, window: MainWindow) -> None:
    create_gold(qtbot, window)
    workspace = workspace_of(window)
    navigator = workspace.navigator
    everything = visible_indicators(window)
    window.find_action.trigger()
    qtbot.keyClicks(navigator.search, "internet")
    assert visible_indicators(window) == ["4.6.2"]
    qtbot.keyClick(navigator.search, Qt.Key.Key_Return)
    assert workspace.page is not None and workspace.page.indicator.id == "4.6.2"
    assert navigator.search.text() == ""
    assert visible_indicators(window) == everything
    window.next_action.trigger()  # the next indicator is in the tree, selected
    assert navigator.tree.currentItem() is navigator._items[workspace.page.indicator.id]
    assert not navigator.tree.currentItem().isHidden()


def test_clicking_a_found_indicator_clears_the_search(qtbot: QtBot, window: MainWindow) -> None:
    create_gold(qtbot, window)
    navigator = workspace_of(window).navigator
    qtbot.keyClicks(navigator.search, "financ")
    found = visible_indicators(window)
    assert 0 < len(found) < 10
    navigator.tree.itemClicked.emit(navigator._items[found[-1]], 0)
    assert navigator.search.text() == ""
    assert len(visible_indicators(window)) > len(found)


def test_escape_clears_the_search(qtbot: QtBot, window: MainWindow) -> None:
    create_gold(qtbot, window)
    navigator = workspace_of(window).navigator
    window.find_action.trigger()
    qtbot.keyClicks(navigator.search, "internet")
    qtbot.keyClick(navigator.search, Qt.Key.Key_Escape)
    assert navigator.search.text() == ""
    assert len(visible_indicators(window)) > 1


def test_another_assessment_opens_with_the_whole_tree(qtbot: QtBot, data_dir: Path) -> None:
    window = make_window(qtbot, data_dir, samples=True)
    navigator = workspace_of(window).navigator
    qtbot.keyClicks(navigator.search, "internet")
    assert len(visible_indicators(window)) == 1
    navigator.rebuild()  # what the workspace does when the assessment or its language changes
    assert navigator.search.text() == ""
    assert len(visible_indicators(window)) > 1
    window.close()


def test_the_assessment_list_filter_ignores_diacritics(qtbot: QtBot, data_dir: Path) -> None:
    window = make_window(qtbot, data_dir, samples=True)
    window.close_assessment()
    page = window.list_page
    qtbot.keyClicks(page.filter_edit, "lodz")
    assert page.proxy.rowCount() == 1
    assert "Łódź" in page.proxy.index(0, 0).data()
    window.close()
