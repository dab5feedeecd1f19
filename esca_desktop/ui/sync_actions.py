"""The Sync menu: sign in to the central review service, sync (with progress and cancel), sign out,
and export / import signed bundles. The network and the bundles are handled off the GUI thread.

Sign-in and sync run as cancellable tasks (`TaskRunner.run_cancellable`): while a server keeps the
window waiting, the window stays usable, and Cancel gives it back at once; what the abandoned work
was doing is dropped (a cancelled sign-in stores nothing, a cancelled sync leaves the rest queued)."""

from __future__ import annotations

from collections.abc import Callable
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
    QProgressBar,
    QProgressDialog,
    QVBoxLayout,
)

from esca_desktop.errors import UserError
from esca_desktop.ui.documents import trust_text
from esca_desktop.ui.style import role
from esca_desktop.ui.tasks import TaskHandle

if TYPE_CHECKING:
    from esca_desktop.sync.client import SyncTransport
    from esca_desktop.ui.main_window import MainWindow


class _Progress(QObject):
    """Carries progress from the sync thread to the GUI thread (a queued signal)."""

    changed = Signal(int, int, str)


class SignInDialog(QDialog):
    """Server and token; OK asks the server (off the GUI thread) and the dialog closes once it said yes.
    Cancel, Escape or closing it abandons a check that is under way."""

    check_requested = Signal(str, str)  # server, token

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
        self.busy_label = QLabel()
        self.busy_label.setWordWrap(True)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # no steps to count: it moves while the server is asked
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName(self.tr("Checking the sign-in"))
        form = QFormLayout()
        form.addRow(self.tr("&Server"), self.server)
        form.addRow(self.tr("&Token"), self.token)
        note = QLabel(self.tr("The token is kept in the system keyring, never in a file."))
        role(note, "mutedLabel")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.buttons)
        self.set_checking(False)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 36, self.sizeHint().height())

    @property
    def checking(self) -> bool:
        return self.busy_bar.isVisible() or not self.server.isEnabled()

    def accept(self) -> None:
        """OK: ask the server; the dialog closes when the answer is yes (`finish`)."""
        if not self.checking:
            self.check_requested.emit(self.server.text(), self.token.text())

    def set_checking(self, on: bool) -> None:
        if on:
            self.error.setVisible(False)
            self.busy_label.setText(
                self.tr("Asking %1 whether the token is valid… Cancel stops waiting.").replace(
                    "%1", self.server.text().strip()
                )
            )
        self.busy_label.setVisible(on)
        self.busy_bar.setVisible(on)
        self.server.setEnabled(not on)
        self.token.setEnabled(not on)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not on)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(on)
        ok.setDefault(not on)
        if on:
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setFocus()

    def show_error(self, message: str) -> None:
        self.set_checking(False)
        self.error.setText(message)
        self.error.setVisible(True)
        self.token.setFocus()

    def finish(self) -> None:
        """The server accepted the token: close."""
        self.set_checking(False)
        super().accept()


class SyncActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.transport_factory: Callable[[str], SyncTransport] | None = None  # None: the real HTTP client
        self.sign_in_dialog: SignInDialog | None = None
        self.task: TaskHandle | None = None  # the sign-in or sync under way
        self.progress_dialog: QProgressDialog | None = None
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

    def _transport(self) -> dict[str, Any]:
        return {} if self.transport_factory is None else {"transport_factory": self.transport_factory}

    def sign_in(self) -> None:
        """Open the sign-in dialog (window-modal, not blocking): OK checks the token on a worker."""
        from esca_desktop.services import sync as sync_service

        if self.sign_in_dialog is not None:
            self.sign_in_dialog.raise_()
            return
        context = self._context()
        dialog = SignInDialog(sync_service.status(context).server_url, self.window)
        self.sign_in_dialog = dialog
        transport = self._transport()

        def check(server: str, token: str) -> None:
            dialog.set_checking(True)
            self.window.set_save_state("saving", self.tr("Signing in…"))
            self.task = self.window.tasks.run_cancellable(
                lambda cancel: sync_service.login(context, server, token, cancel=cancel, **transport),
                signed_in,
                refused,
                settled=self.window.refresh_sync_state,
            )

        def signed_in(result: Any) -> None:
            self.task = None
            dialog.finish()
            self.window.set_save_state("saved", self.tr("Signed in as %1").replace("%1", result.account.name))
            self.window.refresh_sync_state()

        def refused(error: BaseException) -> None:
            self.task = None
            if not isinstance(error, UserError):
                dialog.show_error(self.tr("Sign-in failed because of a program error; the details are in the log."))
                self.window.set_save_state("error", self.tr("Not signed in"))
                raise error
            dialog.show_error(str(error))
            self.window.set_save_state("error", self.tr("Not signed in"))

        def closed(_result: int) -> None:
            self.sign_in_dialog = None
            if self.task is not None and self.task.cancel():
                self.window.set_save_state("info", self.tr("Sign-in cancelled: nothing was stored"))
            self.task = None
            dialog.deleteLater()

        dialog.check_requested.connect(check)
        dialog.finished.connect(closed)
        dialog.open()

    def sign_out(self) -> None:
        from esca_desktop.services import sync as sync_service

        sync_service.logout(self._context())
        self.window.set_save_state("saved", self.tr("Signed out; the token was removed from the keyring"))
        self.window.refresh_sync_state()

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
        self.progress_dialog = progress
        relay = _Progress(self)
        transport = self._transport()

        def show(done: int, total: int, message: str) -> None:
            if self.task is None:
                return  # cancelled: the abandoned run may still report
            progress.setMaximum(max(total, 0))
            progress.setValue(min(done, total) if total else 0)
            progress.setLabelText(message)

        relay.changed.connect(show)

        def work(cancel: Callable[[], bool]) -> Any:
            def report(p: Any) -> None:
                if not cancel():
                    relay.changed.emit(p.done, p.total, p.message)

            return sync_service.sync(context, report, cancel, **transport)

        def close_progress() -> None:
            self.task = None
            self.progress_dialog = None
            progress.canceled.disconnect(cancelled)
            progress.reset()
            progress.hide()
            progress.deleteLater()

        def done(report: Any) -> None:
            close_progress()
            relay.deleteLater()
            window.show_sync_result(report)
            text = report.summary()
            window.set_save_state("saved" if report.complete else "error", self.tr("Sync: ") + text)
            details = [f"• {f.organisation}: {f.reason}" for f in report.failed] + [f"• {p}" for p in report.problems]
            if report.stopped:
                details.insert(0, report.stopped)
            if details:
                QMessageBox.warning(window, self.tr("Sync incomplete"), text + "\n\n" + "\n".join(details))

        def failed(error: BaseException) -> None:
            close_progress()
            relay.deleteLater()
            if isinstance(error, UserError):
                window.set_save_state("error", str(error))
                QMessageBox.warning(window, self.tr("Sync"), str(error))
            else:
                raise error

        def cancelled() -> None:
            task = self.task
            if task is not None and task.cancel():
                close_progress()
                window.set_save_state(
                    "info", self.tr("Sync cancelled: what was not sent stays queued for the next sync")
                )
                window.refresh_sync_state()

        def settled() -> None:  # the cancelled run has ended: show what it did get done
            relay.deleteLater()
            window.refresh_list()

        progress.canceled.connect(cancelled)
        self.task = window.tasks.run_cancellable(work, done, failed, settled)

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
            signature = result.signature
            if signature is not None:
                trust = trust_text(self, signature.trusted, signature.self_signed, signature.issuer)
                text = (
                    self.tr("%1 — signature %2, signed by %3")
                    .replace("%1", text)
                    .replace("%2", trust)
                    .replace("%3", signature.signer)
                )
            window.set_save_state("saved", text)

        window.documents.run_task(self.tr("Checking the bundle…"), work, done)
