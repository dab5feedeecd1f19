"""The New assessment dialog keeps still while the assessor types: a message appearing under a field
does not move the fields below it, so the next click or key lands where it was aimed."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from esca_desktop.ui.main_window import MainWindow
from esca_desktop.ui.new_assessment import NewAssessmentDialog


def positions(dialog: NewAssessmentDialog) -> dict[str, QPoint]:
    fields: dict[str, QWidget] = {
        "name": dialog.name,
        "country": dialog.country,
        "region": dialog.region,
        "website": dialog.website,
        "contact": dialog.contact,
        "catalog": dialog.catalog,
        "start": dialog.start,
        "place": dialog.place,
        "assessors": dialog.assessors,
        "create": dialog.buttons,
    }
    return {key: widget.mapTo(dialog, QPoint(0, 0)) for key, widget in fields.items()}


def test_fields_stay_put_while_an_invalid_then_valid_value_is_typed(qtbot: QtBot, window: MainWindow) -> None:
    assert window.service is not None
    dialog = NewAssessmentDialog(window.service, "Test Assessor", "en", window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    before, size = positions(dialog), dialog.size()

    qtbot.keyClicks(dialog.website, "www")  # not a web address yet
    assert dialog.errors["website"].isVisible()
    assert positions(dialog) == before and dialog.size() == size
    qtbot.keyClicks(dialog.website, ".cluster.example")
    assert not dialog.errors["website"].isVisible()
    assert positions(dialog) == before and dialog.size() == size

    qtbot.keyClicks(dialog.name, "X")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Backspace)  # the name is required
    assert dialog.errors["name"].isVisible()
    assert positions(dialog) == before and dialog.size() == size

    dialog.country.setEditText("Atlantis")
    assert dialog.errors["country"].isVisible()
    assert positions(dialog) == before and dialog.size() == size
    dialog.country.setCurrentIndex(dialog.country.findData("AT"))
    assert not dialog.errors["country"].isVisible()

    dialog.end.setDate(dialog.start.date().addDays(-1))
    assert dialog.errors["dates"].isVisible()
    assert positions(dialog) == before and dialog.size() == size


def test_the_dialog_fits_a_small_screen(qtbot: QtBot, window: MainWindow) -> None:
    assert window.service is not None
    dialog = NewAssessmentDialog(window.service, "Test Assessor", "de", window)
    qtbot.addWidget(dialog)
    hint = dialog.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 560  # 1024×600 less a panel and the title bar
