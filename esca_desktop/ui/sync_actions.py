"""The Sync menu: sign in to the central review service, sync (with progress and cancel), sign out,
and export / import signed bundles. The network and the bundles are handled off the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QVBoxLayout,
)

from esca_desktop.errors import UserError
from esca_desktop.ui.style import role

if TYPE_CHECKING:
    from esca_desktop.ui.main_window import MainWindow


class _Progress(QObject):
    """Carries progress from the sync thread to the GUI thread (a queued signal)."""

    changed = Signal(int, int, str)


class SignInDialog(QDialog):
    def __init__(self, server_url: str, parent: MainWindow) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign in to the review service"))
        self.server = QLineEdit(server_url)
        self.server.setPlaceholderText("https://review.example.org")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(self.tr("The access token the secretariat gave you"))
        self.error = QLabel()
        role(self.error, "fieldError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        form = QFormLayout()
        form.addRow(self.tr("&Server"), self.server)
        form.addRow(self.tr("&Token"), self.token)
        note = QLabel(self.tr("The token is kept in the system keyring, never in a file."))
        role(note, "mutedLabel")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 36, self.sizeHint().height())

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)


class SyncActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.sync_action = QAction(self.tr("&Sync now"), self)
        self.sync_action.setShortcut("F5")
        self.sync_action.setStatusTip(self.tr("Send finalised assessments and fetch review results"))
        self.sync_action.triggered.connect(self.sync)
        self.sign_in_action = QAction(self.tr("Sign &in to the review service…"), self)
        self.sign_in_action.triggered.connect(self.sign_in)
        self.sign_out_action = QAction(self.tr("Sign &out"), self)
        self.sign_out_action.setStatusTip(self.tr("Forget the access token (the outbox stays)"))
        self.sign_out_action.triggered.connect(self.sign_out)
        self.export_action = QAction(self.tr("&Export signed bundle…"), self)
        self.export_action.triggered.connect(self.export_bundle)
        self.import_action = QAction(self.tr("&Import bundle…"), self)
        self.import_action.triggered.connect(self.import_bundle)

    def add_to(self, menu: QMenu) -> None:
        menu.addAction(self.sync_action)
        menu.addSeparator()
        menu.addAction(self.sign_in_action)
        menu.addAction(self.sign_out_action)
        menu.addSeparator()
        menu.addAction(self.export_action)
        menu.addAction(self.import_action)

    def update(self, assessment_selected: bool, busy: bool) -> None:
        ready = self.window.context is not None and not busy
        for action in (self.sync_action, self.sign_in_action, self.sign_out_action, self.import_action):
            action.setEnabled(ready)
        self.export_action.setEnabled(ready and assessment_selected)

    def _context(self) -> Any:
        assert self.window.context is not None
        return self.window.context

    # --- account --------------------------------------------------------------------------------

    def sign_in(self) -> None:
        from esca_desktop.services import sync as sync_service

        context = self._context()
        dialog = SignInDialog(sync_service.status(context).server_url, self.window)
        while dialog.exec():
            try:
                account = sync_service.login(context, dialog.server.text(), dialog.token.text())
            except UserError as exc:
                dialog.show_error(str(exc))
                continue
            self.window.set_save_state("saved", self.tr("Signed in as %1").replace("%1", account.account.name))
            return

    def sign_out(self) -> None:
        from esca_desktop.services import sync as sync_service

        sync_service.logout(self._context())
        self.window.set_save_state("saved", self.tr("Signed out; the token was removed from the keyring"))

    # --- sync -----------------------------------------------------------------------------------

    def sync(self) -> None:
        from esca_desktop.services import sync as sync_service

        window = self.window
        context = self._context()
        if window.workspace is not None:
            window.workspace.flush()
        if not sync_service.status(context).server_url:
            QMessageBox.information(
                window,
                self.tr("Sync"),
                self.tr(
                    "Not signed in to a review service. Everything else works offline; sign in with "
                    "Sync → Sign in to the review service… when you have a connection."
                ),
            )
            return
        progress = QProgressDialog(self.tr("Connecting…"), self.tr("Cancel"), 0, 0, window)
        progress.setWindowTitle(self.tr("Sync"))
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        cancelled = threading.Event()
        progress.canceled.connect(cancelled.set)
        relay = _Progress(self)

        def show(done: int, total: int, message: str) -> None:
            progress.setMaximum(max(total, 0))
            progress.setValue(min(done, total) if total else 0)
            progress.setLabelText(message)

        relay.changed.connect(show)

        def work() -> Any:
            return sync_service.sync(
                context, lambda p: relay.changed.emit(p.done, p.total, p.message), cancelled.is_set
            )

        def done(report: Any) -> None:
            progress.reset()
            window.show_sync_result(report)
            text = report.summary()
            window.set_save_state("saved" if report.complete else "error", self.tr("Sync: ") + text)
            details = [f"• {f.organisation}: {f.reason}" for f in report.failed] + [f"• {p}" for p in report.problems]
            if report.stopped:
                details.insert(0, report.stopped)
            if details:
                QMessageBox.warning(window, self.tr("Sync incomplete"), text + "\n\n" + "\n".join(details))

        def failed(error: BaseException) -> None:
            progress.reset()
            if isinstance(error, UserError):
                window.set_save_state("error", str(error))
                QMessageBox.warning(window, self.tr("Sync"), str(error))
            else:
                raise error

        window.tasks.run(work, done, failed)

    # --- bundles --------------------------------------------------------------------------------

    def export_bundle(self) -> None:
        window = self.window
        assessment_id = window.documents.current_assessment_id()
        if assessment_id is None or window.service is None:
            return
        if window.service.get(assessment_id).status.editable:
            QMessageBox.information(
                window,
                self.tr("Export"),
                self.tr("Only a finalised assessment can be exported. Finalise it on the summary page first."),
            )
            return
        ready, passphrase = window.documents.ensure_signing_identity()
        if not ready:
            return
        start = Path(window.settings.last_directory or Path.home()) / f"assessment-{assessment_id[:8]}.esca"
        name, _ = QFileDialog.getSaveFileName(
            window, self.tr("Export signed bundle"), str(start), self.tr("ESCA bundle (*.esca)")
        )
        if not name:
            return
        target = Path(name if name.endswith(".esca") else name + ".esca")
        context = self._context()

        def work() -> Path:
            from esca_desktop.services.bundles import export_bundle

            return export_bundle(context, assessment_id, target, passphrase)

        window.documents.run_task(
            self.tr("Exporting…"),
            work,
            lambda path: window.set_save_state("saved", self.tr("Exported to %1").replace("%1", str(path))),
        )

    def import_bundle(self) -> None:
        window = self.window
        name, _ = QFileDialog.getOpenFileName(
            window,
            self.tr("Import bundle"),
            window.settings.last_directory or str(Path.home()),
            self.tr("ESCA bundle (*.esca)"),
        )
        if not name:
            return
        context = self._context()

        def work() -> Any:
            from esca_desktop.services.bundles import import_bundle

            return import_bundle(context, Path(name))

        def done(result: Any) -> None:
            window.refresh_list()
            window.list_page.select(result.assessment_id)
            text = (
                self.tr("Imported revision %1").replace("%1", str(result.revision))
                if result.created
                else self.tr("Already here: nothing changed")
            )
            window.set_save_state("saved", text)

        window.documents.run_task(self.tr("Checking the bundle…"), work, done)
