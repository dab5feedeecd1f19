"""The window on a small screen: it opens inside the screen (a size saved on a larger one is not
restored), opening an assessment with a long name does not widen it, long headers are cut with the
whole text in a tooltip, and the indicator's live result stays in sight while the page scrolls."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from esca_desktop.domain.model import Organisation
from esca_desktop.services.assessments import NewAssessment
from esca_desktop.settings import Settings, save_settings
from esca_desktop.ui.elided_label import ElidedLabel
from esca_desktop.ui.main_window import MainWindow
from tests.ui.conftest import make_window
from tests.ui.test_window import workspace_of

ROOT = Path(__file__).resolve().parents[2]
LONG_NAME = (
    "Klaster Innowacji Przemysłowych Województwa Łódzkiego – Stowarzyszenie na rzecz Rozwoju "
    "Gospodarczego i Współpracy Naukowej Regionu Łódzkiego"
)


def open_long_named(window: MainWindow, scheme: str = "gold") -> str:
    assert window.service is not None
    assessment_id, _ = window.service.create(
        NewAssessment(scheme, Organisation(LONG_NAME, "PL", sector="ict"), assessors=("A. Expert",))
    )
    window.refresh_list()
    window.open_assessment(assessment_id)
    return assessment_id


def available_geometry(window: MainWindow) -> QRect:
    return window.screen().availableGeometry()


def fitted(window: MainWindow) -> bool:
    return available_geometry(window).contains(window.frameGeometry())


def test_the_window_opens_inside_the_screen(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: fitted(window), timeout=2000)
    assert window.frameGeometry().width() <= available_geometry(window).width()


def test_a_size_saved_on_a_larger_screen_is_not_restored(qtbot: QtBot, data_dir: Path) -> None:
    big = MainWindow(Settings(), "en")
    qtbot.addWidget(big)
    big.setGeometry(QRect(40, 40, 1880, 1040))  # as on a 1920×1080 monitor
    save_settings(Settings(window_geometry=base64.b64encode(bytes(big.saveGeometry().data())).decode()))
    window = make_window(qtbot, data_dir)
    qtbot.waitUntil(lambda: fitted(window), timeout=2000)
    window.close()


def test_a_size_that_fits_is_restored(qtbot: QtBot, data_dir: Path) -> None:
    small = MainWindow(Settings(), "en")
    qtbot.addWidget(small)
    small.setGeometry(QRect(20, 30, 640, 480))
    save_settings(Settings(window_geometry=base64.b64encode(bytes(small.saveGeometry().data())).decode()))
    window = make_window(qtbot, data_dir)
    assert window.size().toTuple() == (640, 480)
    window.close()


def test_a_long_organisation_name_does_not_widen_the_window(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: fitted(window), timeout=2000)
    size = window.size()
    open_long_named(window)
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 600
    assert window.size() == size
    assert fitted(window)
    titles = [label for label in workspace_of(window).findChildren(ElidedLabel) if label.text() == LONG_NAME]
    assert titles and titles[0].is_elided()  # cut with "…" on screen, whole in the tooltip
    assert titles[0].shown_text().endswith("…") and titles[0].toolTip() == LONG_NAME


def test_the_result_stays_in_sight_while_the_page_scrolls(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1024 - 16, 600 - 40)  # a 1024×600 screen less the frame
    open_long_named(window)
    workspace = workspace_of(window)
    workspace.jump_to("1.1.1")
    page = workspace.page
    assert page is not None
    QApplication.processEvents()

    def result_in_sight() -> QPoint:
        result = page.result_text
        assert result.isVisible() and not result.visibleRegion().isEmpty()
        corner = result.mapTo(window, QPoint(0, 0))
        assert window.rect().contains(QRect(corner, result.size()))
        return corner

    at_top = result_in_sight()
    bar = page.verticalScrollBar()
    assert bar.maximum() > 0  # the page is longer than the window
    bar.setValue(bar.maximum())
    QApplication.processEvents()
    assert result_in_sight() == at_top
    qtbot.keyClicks(page.note_edit, "Member list seen")  # typing at the bottom of the page
    assert result_in_sight() == at_top
    page.focus_field("1.1.1.companies")  # back up to a field: the result has not moved
    qtbot.keyClicks(page.editors["1.1.1.companies"].focus_widget(), "40")
    workspace.flush()
    assert "points" in page.result_text.text()
    assert result_in_sight() == at_top


DRIVER = r"""
import json, sys
from PySide6.QtWidgets import QApplication
from esca_desktop.app import build_window
from esca_desktop.domain.model import Organisation
from esca_desktop.services.assessments import NewAssessment

data_dir, name = sys.argv[1], sys.argv[2]
window = build_window(data_dir, interactive_errors=False)
window.show()
app = QApplication.instance()
window.start(data_dir)
for _ in range(20):
    app.processEvents()
before = window.size()
created, _ = window.service.create(NewAssessment("gold", Organisation(name, "PL"), assessors=("A",)))
window.refresh_list()
window.open_assessment(created)
for _ in range(20):
    app.processEvents()
area, frame, hint = window.screen().availableGeometry(), window.frameGeometry(), window.minimumSizeHint()
print(json.dumps({
    "area": area.getRect(), "frame": frame.getRect(), "before": before.toTuple(), "after": window.size().toTuple(),
    "hint": hint.toTuple(), "inside": area.contains(frame),
}))
window.close()
"""


@pytest.mark.slow
def test_on_a_1024_by_600_screen_the_window_fits_with_an_assessment_open(tmp_path: Path, data_dir: Path) -> None:
    screen = tmp_path / "screen.json"
    screen.write_text(json.dumps({"screens": [{"name": "netbook", "x": 0, "y": 0, "width": 1024, "height": 600}]}))
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={screen}",
        "ESCA_DESKTOP_CONFIG_DIR": str(tmp_path / "config"),
    }
    run = subprocess.run(
        [sys.executable, "-c", DRIVER, str(data_dir), LONG_NAME],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["area"] == [0, 0, 1024, 600]
    assert seen["inside"], seen
    assert seen["after"] == seen["before"], seen
    assert seen["hint"][0] <= 1024 and seen["hint"][1] <= 600, seen
