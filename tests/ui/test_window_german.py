"""The window in German, as a German-speaking assessor uses it: `--lang de`, messages from the core in
German, counts with singular and plural, the calendar in German, the settings' labels; and the
assessor's name asked at first start and recorded with every change."""

from __future__ import annotations

import getpass
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from esca_desktop import app as app_module
from esca_desktop.app import build_window
from esca_desktop.errors import UserError
from esca_desktop.services import sync as sync_service
from esca_desktop.services.signing import identity_store
from esca_desktop.settings import Settings, save_settings, settings_path
from esca_desktop.ui.main_window import MainWindow
from esca_desktop.ui.new_assessment import NewAssessmentDialog
from esca_desktop.ui.settings_dialog import SettingsDialog
from tests.central.harness import Central, finalised_bronze
from tests.conftest import new_request


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: QApplication) -> Iterator[None]:
    """Own settings; afterwards the English translators and locale back for the tests that follow."""
    monkeypatch.setenv("ESCA_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    locale = QLocale()
    yield
    for translator in app_module._TRANSLATORS:
        qapp.removeTranslator(translator)
    app_module._TRANSLATORS.clear()
    QLocale.setDefault(locale)


class Shown:
    """Replaces modal message boxes: records title and text, answers Yes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.texts: list[str] = []
        for name in ("warning", "information", "critical", "question"):
            monkeypatch.setattr(QMessageBox, name, self._record)

    def _record(self, _parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        self.texts.append(f"{title}: {text}")
        return QMessageBox.StandardButton.Yes


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> Shown:
    return Shown(monkeypatch)


def german_window(qtbot: QtBot, data_dir: Path) -> MainWindow:
    window = build_window(str(data_dir), interactive_errors=False, lang="de")
    qtbot.addWidget(window)
    window.show()
    window.start(str(data_dir))
    return window


def new_gold(window: MainWindow) -> str:
    assert window.service is not None
    assessment_id, _ = window.service.create(new_request("gold", "Klaster Łódź", "PL"))
    window.refresh_list()
    return assessment_id


# --- --lang -------------------------------------------------------------------------------------


def test_lang_on_the_command_line_sets_the_windows_language(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from esca_desktop.__main__ import main

    save_settings(Settings(ui_language="en"), settings_path())
    started: dict[str, Any] = {}
    monkeypatch.setattr(app_module, "run_gui", lambda *args, **kwargs: started.update(args=args, kwargs=kwargs) or 0)
    assert main(["--data-dir", str(data_dir), "--lang", "de"]) == 0
    lang = started["kwargs"].get("lang", started["args"][3] if len(started["args"]) > 3 else None)
    assert lang == "de"
    window = build_window(str(data_dir), interactive_errors=False, lang=lang)  # what run_gui builds
    qtbot.addWidget(window)
    titles = [action.text() for action in window.menuBar().actions()]
    assert "&Datei" in titles and "&File" not in titles
    assert window.ui_lang == "de"
    window.close()


# --- messages of the core -----------------------------------------------------------------------


def test_the_german_window_gets_core_messages_in_german(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, shown: Shown, memory_keyring: Any
) -> None:
    window = german_window(qtbot, data_dir)
    assert window.context is not None and window.service is not None
    window.open_assessment(new_gold(window))
    workspace = window.workspace
    assert workspace is not None and workspace.page is not None
    folder = tmp_path / "Ordner statt Datei"
    folder.mkdir()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    drop = QDropEvent(
        QPoint(10, 10).toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    workspace.page.dropEvent(drop)
    assert shown.texts and "keine lesbare Datei" in shown.texts[-1], shown.texts

    with pytest.raises(UserError, match=r"^Abschließen nicht möglich, \d+ Probleme sind noch offen"):
        window.service.open(workspace.interview.id).finalise()
    with pytest.raises(UserError, match="ist keine Serveradresse"):
        sync_service.login(window.context, "kein Server", "token")
    with pytest.raises(
        UserError, match=r"Anmeldung nicht möglich: der Prüfdienst unter http://127\.0\.0\.1:9 ist nicht"
    ):
        sync_service.login(window.context, "http://127.0.0.1:9", "token")
    with pytest.raises(UserError, match="Es ist kein Prüfdienst eingerichtet"):
        sync_service.sync(window.context)
    from esca_desktop.services.bundles import export_bundle

    with pytest.raises(UserError, match="nur eine abgeschlossene Bewertung kann exportiert werden"):
        export_bundle(window.context, workspace.interview.id, tmp_path / "paket.esca")
    window.close()


def test_sync_in_the_german_window_reports_in_german(
    qtbot: QtBot, data_dir: Path, shown: Shown, central: Central, memory_keyring: Any
) -> None:
    window = german_window(qtbot, data_dir)
    context = window.context
    assert context is not None
    identity_store(context).create("Anna Assessor", "anna@example.org")
    sync_service.login(context, central.url, central.assessor_token)
    finalised_bronze(context)
    window.sync_actions.sync()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=60_000)
    text = window.save_label.text()
    assert "1 gesendet" in text and "0 Prüfentscheidungen" in text and "sent" not in text, text
    window.close()


# --- plurals ------------------------------------------------------------------------------------


def test_the_list_counts_one_assessment_in_the_singular(qtbot: QtBot, data_dir: Path) -> None:
    window = german_window(qtbot, data_dir)
    new_gold(window)
    assert window.list_page.count_label.text() == "1 Bewertung"
    new_gold(window)
    assert window.list_page.count_label.text() == "2 Bewertungen"
    window.close()
    english = build_window(str(data_dir), interactive_errors=False, lang="en")
    qtbot.addWidget(english)
    english.start(str(data_dir))
    assert english.list_page.count_label.text() == "2 assessments"
    english.close()


def test_one_problem_is_counted_in_the_singular(qtbot: QtBot, data_dir: Path) -> None:
    window = german_window(qtbot, data_dir)
    window.open_assessment(new_gold(window))
    workspace = window.workspace
    assert workspace is not None
    problems = len(workspace.session.problems())
    assert workspace.progress.format().endswith(f"{problems} Probleme")
    from esca_desktop.ui.i18n import counted

    assert counted(1, workspace.tr("%1 problem"), workspace.tr("%1 problems")) == "1 Problem"
    assert counted(0, "%1 problem", "%1 problems") == "0 problems"
    window.close()


# --- calendar -----------------------------------------------------------------------------------


def test_the_date_picker_follows_the_ui_language_not_the_interview(qtbot: QtBot, data_dir: Path) -> None:
    window = german_window(qtbot, data_dir)
    assessment_id = new_gold(window)
    model = window.list_page.model
    changed = model.data(model.index(0, model.columnCount() - 1), Qt.ItemDataRole.DisplayRole)
    assert re.fullmatch(r"\d\d\.\d\d\.20\d\d \d\d:\d\d", changed), changed  # the list's dates too
    window.open_assessment(assessment_id)  # an English interview in the German window
    workspace = window.workspace
    assert workspace is not None
    workspace.jump_to("1.1.0")
    assert workspace.page is not None
    editor = workspace.page.editors["1.1.0.member_list_date"]
    calendar = editor.calendar  # type: ignore[attr-defined]
    assert calendar.locale().language() == QLocale.Language.German
    assert calendar.locale().standaloneMonthName(3) == "März"
    assert calendar.firstDayOfWeek() == Qt.DayOfWeek.Monday
    assert window.service is not None
    dialog = NewAssessmentDialog(window.service, "Anna Muster", "de", window)
    qtbot.addWidget(dialog)
    assert dialog.start.calendarWidget().locale().language() == QLocale.Language.German
    window.close()


# --- settings -----------------------------------------------------------------------------------


def test_settings_labels_show_no_literal_ampersand(qtbot: QtBot, data_dir: Path) -> None:
    window = german_window(qtbot, data_dir)
    assert window.context is not None
    dialog = SettingsDialog(window.context, window.settings, window)
    qtbot.addWidget(dialog)
    dialog.show()
    labels = [label for label in dialog.findChildren(QLabel) if "&" in label.text().replace("&&", "")]
    assert labels, "the captions with an accelerator"
    assert [label.text() for label in labels if label.buddy() is None] == []
    folder = next(label for label in labels if label.text() == "&Datenordner")
    assert folder.buddy() is dialog.data_dir
    window.close()


# --- the assessor's name ------------------------------------------------------------------------


def test_first_start_asks_the_assessors_name_and_every_change_records_it(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ESCA_DESKTOP_ASSESSOR", raising=False)
    window = build_window(str(data_dir), interactive_errors=False, lang="en")
    qtbot.addWidget(window)
    window.show()
    window.start(str(data_dir))
    dialog = window.assessor_dialog
    assert dialog is not None and dialog.isVisible()
    assert window.context is not None and window.service is not None
    with pytest.raises(UserError, match="No assessor name is set"):
        window.service.create(new_request())
    dialog.name.setText("Anna Muster")  # type: ignore[attr-defined]
    dialog.email.setText("anna@example.de")  # type: ignore[attr-defined]
    dialog.accept()
    assert not dialog.isVisible()
    assessment_id, _ = window.service.create(new_request())
    interview = window.service.open(assessment_id)
    interview.set_note("1.1.0", "Mitgliederliste gesehen")
    actors = {entry.actor for entry in window.service.audit(assessment_id)}
    assert actors == {"Anna Muster"} and getpass.getuser() not in actors
    window.close()

    again = build_window(str(data_dir), interactive_errors=False)
    qtbot.addWidget(again)
    again.start(str(data_dir))
    assert again.assessor_dialog is None  # asked once: the name is stored with the data
    assert again.context is not None and again.context.actor == "Anna Muster"
    profile = again.context.repository.profile()
    assert profile is not None and profile.email == "anna@example.de"
    again.close()


def test_with_a_signing_identity_nothing_is_asked(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: Any
) -> None:
    from esca_desktop.context import open_context

    monkeypatch.delenv("ESCA_DESKTOP_ASSESSOR", raising=False)
    context = open_context(data_dir)
    identity_store(context).create("Ingrid Solberg", "is@example.no")
    context.close()
    window = build_window(str(data_dir), interactive_errors=False)
    qtbot.addWidget(window)
    window.start(str(data_dir))
    assert window.assessor_dialog is None
    assert window.context is not None and window.context.actor == "Ingrid Solberg"
    window.close()
