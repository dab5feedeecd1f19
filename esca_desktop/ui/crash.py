"""One place for unexpected errors: a `UserError` shows its message; anything else is logged with
its traceback and shown in a dialog with "Copy details", and the program keeps running."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from esca_desktop import __version__
from esca_desktop.errors import UserError
from esca_desktop.paths import folder_error, make_private_dir, open_private
from esca_desktop.ui.style import role

log = logging.getLogger("esca_desktop")


def setup_logging(log_dir: Path) -> Path:
    """Log to `log_dir/esca-desktop.log`, owner-only like the rest of the data folder."""
    import logging.handlers  # not needed before the window has painted

    class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
        def _open(self) -> Any:  # each new file (after a rotation too) is 0600 from its first byte
            os.close(open_private(Path(self.baseFilename), os.O_WRONLY | os.O_CREAT | os.O_APPEND))
            return super()._open()

    make_private_dir(log_dir)
    path = log_dir / "esca-desktop.log"
    handler = PrivateRotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


class CrashDialog(QDialog):
    def __init__(self, summary: str, details: str, log_path: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Something went wrong"))
        text = QLabel(
            self.tr(
                "<b>ESCA Assessor hit an unexpected error.</b><br>Your saved answers are safe. "
                "Please send the details below to support."
            )
        )
        text.setWordWrap(True)
        message = QLabel(summary)
        message.setWordWrap(True)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setMinimumSize(self.fontMetrics().horizontalAdvance("M") * 50, self.fontMetrics().height() * 12)
        where = QLabel(self.tr("Log file: %1").replace("%1", str(log_path)) if log_path else "")
        role(where, "mutedLabel")
        where.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton(self.tr("Copy details"))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(message)
        layout.addWidget(self.details, 1)
        layout.addWidget(where)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        clipboard = QApplication.clipboard()
        clipboard.setText(self.details.toPlainText())


class ErrorReporter:
    """Installed as `sys.excepthook` while the window runs."""

    def __init__(self, log_dir: Path | None = None, interactive: bool = True) -> None:
        self.log_dir = log_dir
        self.log_path: Path | None = None
        self.interactive = interactive
        self.last_details = ""

    def start_logging(self) -> None:
        if self.log_path is None and self.log_dir is not None:
            try:
                self.log_path = setup_logging(self.log_dir)
            except OSError as exc:  # a read-only or full data folder: its message matters more than a log
                log.warning("cannot log to %s: %s", self.log_dir, exc)
                self.log_dir = None

    def install(self) -> None:
        sys.excepthook = self.handle

    def handle(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        import platform

        self.start_logging()
        parent = QApplication.activeWindow()
        if isinstance(error, OSError):  # a full disk or a read-only folder, wherever it is noticed
            error = folder_error(error) or error
        if isinstance(error, UserError):
            log.info("user error: %s", error)
            if self.interactive:
                QMessageBox.warning(parent, QApplication.translate("ErrorReporter", "Cannot do that"), str(error))
            return
        details = "".join(traceback.format_exception(kind, error, tb))
        header = (
            f"ESCA Assessor {__version__}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}\n\n"
        )
        self.last_details = header + details
        log.error("unexpected error\n%s", details)
        if self.interactive:
            CrashDialog(f"{kind.__name__}: {error}", self.last_details, self.log_path, parent).exec()
        else:
            sys.stderr.write(self.last_details)
