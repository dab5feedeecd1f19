"""One place for unexpected errors: a `UserError` shows its message; anything else is logged with
its traceback and shown in a dialog with "Copy details", and the program keeps running."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

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
from esca_desktop.ui.style import role

log = logging.getLogger("esca_desktop")


def setup_logging(log_dir: Path) -> Path:
    import logging.handlers  # not needed before the window has painted

    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "esca-desktop.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
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
            self.log_path = setup_logging(self.log_dir)

    def install(self) -> None:
        sys.excepthook = self.handle

    def handle(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        import platform

        self.start_logging()
        parent = QApplication.activeWindow()
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
