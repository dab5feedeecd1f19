"""Composition root of the window: Qt application, translations, error reporting, main window.

The window is shown before the data store is opened, so that the program appears at once. One window
works on a data folder at a time (storage/instance_lock.py); a second start says so and exits, and so
does a start on a data folder that cannot be created or written (the window's own opening of the store
shows the same messages through the error reporter)."""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QTimer, QTranslator
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from esca_desktop.errors import UserError
from esca_desktop.paths import folder_error, resolve_data_dir
from esca_desktop.settings import Settings, load_settings
from esca_desktop.storage.instance_lock import AlreadyRunningError, acquire_instance_lock
from esca_desktop.ui.crash import ErrorReporter
from esca_desktop.ui.i18n import apply_locale, install_translators, resolve_language
from esca_desktop.ui.main_window import MainWindow

_TRANSLATORS: list[QTranslator] = []
STARTUP_PROBE_ENV = "ESCA_DESKTOP_STARTUP_PROBE"  # benchmark hook: print the time to first paint, quit


def create_application(argv: list[str]) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    app.setApplicationName("ESCA Assessor")
    app.setOrganizationName("ESCA")
    app.setApplicationVersion(__import__("esca_desktop").__version__)
    QGuiApplication.setDesktopFileName("eu.cluster-analysis.EscaAssessor")
    return app


def build_window(
    data_dir: str | None,
    open_id: str | None = None,
    samples: bool = False,
    interactive_errors: bool = True,
    lang: str | None = None,
    settings: Settings | None = None,
) -> MainWindow:
    """Create the window and schedule the store to open once it has painted. `lang` (from `--lang`)
    overrides the language of the settings for this run."""
    settings = settings or load_settings()
    app = create_application(sys.argv[:1])
    lang = resolve_language(lang or settings.ui_language)
    apply_locale(lang)
    # A Python reference keeps the translators (and their Python `translate`) alive for the whole run.
    for old in _TRANSLATORS:
        app.removeTranslator(old)
    _TRANSLATORS[:] = install_translators(app, lang)
    folder = resolve_data_dir(data_dir or settings.data_dir or None)
    reporter = ErrorReporter(folder / "logs", interactive=interactive_errors)
    reporter.install()
    window = MainWindow(settings, lang)
    window.setProperty("error_reporter", reporter)
    window.ready.connect(reporter.start_logging)
    window.start_after_first_paint(str(folder), open_id, samples)
    return window


def run_gui(data_dir: str | None, open_id: str | None = None, samples: bool = False, lang: str | None = None) -> int:
    started = time.perf_counter()
    settings = load_settings()
    language = resolve_language(lang or settings.ui_language)
    try:
        folder = resolve_data_dir(data_dir or settings.data_dir or None)
        lock = acquire_instance_lock(folder, language)
    except AlreadyRunningError as exc:
        return refuse_second_window(exc)
    except UserError as exc:
        return refuse_start(exc)
    except OSError as exc:  # the lock file cannot be made: a read-only folder, a full disk
        problem = folder_error(exc, lang=language)
        if problem is None:
            raise
        return refuse_start(problem)
    with lock:
        window = build_window(str(folder), open_id, samples, lang=lang, settings=settings)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        if os.environ.get(STARTUP_PROBE_ENV):
            _probe_first_paint(window, started)
        window.show()
        return app.exec()


def refuse_second_window(error: AlreadyRunningError) -> int:
    """Say that another window works on the folder, and exit without opening anything."""
    return refuse_start(error)


def refuse_start(error: UserError) -> int:
    """Say why the window cannot start (on stderr, and in a message box where someone can close it)."""
    print(f"esca-desktop: {error}", file=sys.stderr, flush=True)
    app = create_application(sys.argv[:1])
    if app.platformName() not in ("offscreen", "minimal"):  # nobody could close a dialog there
        QMessageBox.critical(None, "ESCA Assessor", str(error))
    return error.exit_code


def _probe_first_paint(window: MainWindow, started: float) -> None:
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                print(f"first-paint-ms {1000 * (time.perf_counter() - started):.1f}", flush=True)
                watched.removeEventFilter(self)
                QTimer.singleShot(0, QApplication.quit)
            return False

    probe = FirstPaint(window)
    window.installEventFilter(probe)
