"""The Documents menu: interview protocols and reports, printed (with a preview) or saved as PDF,
and reports signed with the assessor's certificate. Building and signing run off the GUI thread."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLocale, QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMenu, QMessageBox

from esca_desktop.errors import UserError
from esca_desktop.paths import make_private_dir, temp_dir, temp_name
from esca_desktop.ui.i18n import moment_format_of

if TYPE_CHECKING:
    from esca_desktop.ui.main_window import MainWindow


def trust_text(owner: QObject, trusted: bool, self_signed: bool, issuer: str) -> str:
    """Who vouches for a signer, the decisive words first: "TRUSTED (issued by …)" or "SELF-SIGNED,
    NOT TRUSTED" (security.identity.trust_words, in the window's language)."""
    if trusted and self_signed:
        return owner.tr("TRUSTED (self-signed, pinned in the trust list)")
    if trusted:
        return owner.tr("TRUSTED (issued by %1)").replace("%1", issuer)
    if self_signed:
        return owner.tr("SELF-SIGNED, NOT TRUSTED")
    if issuer:
        return owner.tr("NOT TRUSTED (issued by %1, not a trusted authority here)").replace("%1", issuer)
    return owner.tr("NOT TRUSTED")


class DocumentActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.print_blank = QAction(self.tr("Print &blank interview protocol…"), self)
        self.print_blank.triggered.connect(lambda: self.print_protocol(blank=True))
        self.print_prefilled = QAction(self.tr("Print &pre-filled interview protocol…"), self)
        self.print_prefilled.triggered.connect(lambda: self.print_protocol(blank=False))
        self.save_protocol_action = QAction(self.tr("Save interview protocol as PDF…"), self)
        self.save_protocol_action.triggered.connect(self.save_protocol)
        self.print_report_action = QAction(self.tr("Print &report…"), self)
        self.print_report_action.setShortcut("Ctrl+P")
        self.print_report_action.triggered.connect(self.print_report)
        self.save_report_action = QAction(self.tr("Save report as PDF…"), self)
        self.save_report_action.triggered.connect(lambda: self.save_report(sign=False))
        self.sign_report_action = QAction(self.tr("&Sign and save report…"), self)
        self.sign_report_action.setStatusTip(self.tr("A PAdES signature with your certificate (finalised assessments)"))
        self.sign_report_action.triggered.connect(lambda: self.save_report(sign=True))
        self.verify_action = QAction(self.tr("&Verify a signed PDF…"), self)
        self.verify_action.triggered.connect(self.verify)
        self.assessment_actions = (
            self.print_blank,
            self.print_prefilled,
            self.save_protocol_action,
            self.print_report_action,
            self.save_report_action,
            self.sign_report_action,
        )

    def add_to(self, menu: QMenu) -> None:
        for action in self.assessment_actions[:3]:
            menu.addAction(action)
        menu.addSeparator()
        for action in self.assessment_actions[3:]:
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.verify_action)

    def update(self, assessment_selected: bool, busy: bool) -> None:
        for action in self.assessment_actions:
            action.setEnabled(assessment_selected and not busy)
        self.verify_action.setEnabled(not busy)

    # --- helpers --------------------------------------------------------------------------------

    def current_assessment_id(self) -> str | None:
        window = self.window
        if window.workspace is not None and window.stack.currentWidget() is window.workspace:
            window.workspace.flush()
            return window.workspace.interview.id
        return window.list_page.current_id()

    def _lang(self) -> str:
        workspace = self.window.workspace
        return workspace.session.lang if workspace is not None else self.window.ui_lang

    def run_task(self, message: str, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        window = self.window
        window.set_save_state("saving", message)

        def failed(error: BaseException) -> None:
            if isinstance(error, UserError):
                window.set_save_state("error", str(error))
                QMessageBox.warning(window, self.tr("Document not written"), str(error))
            else:
                window.set_save_state("error", self.tr("Document not written"))
                raise error

        def finished(value: Any) -> None:
            window.set_save_state("saved", self.tr("Done"))
            done(value)

        window.tasks.run(work, finished, failed)

    def _temp_pdf(self, stem: str) -> Path:
        """A PDF to print from, in the data folder's private tmp/: removed at the first start after
        this window has ended (storage/leftovers.py), not piling up."""
        assert self.window.context is not None
        folder = make_private_dir(temp_dir(self.window.context.data_dir))
        descriptor, name = tempfile.mkstemp(prefix=temp_name("print"), suffix=f"-{stem}.pdf", dir=folder)
        os.close(descriptor)
        return Path(name)

    def _ask_target(self, suggested: str) -> Path | None:
        settings = self.window.settings
        start = Path(settings.last_directory or Path.home()) / suggested
        name, _ = QFileDialog.getSaveFileName(self.window, self.tr("Save PDF"), str(start), self.tr("PDF (*.pdf)"))
        if not name:
            return None
        path = Path(name if name.lower().endswith(".pdf") else name + ".pdf")
        settings.last_directory = str(path.parent)
        return path

    def _services(self) -> Any:
        from esca_desktop.services.documents import DocumentService

        assert self.window.context is not None
        return DocumentService(self.window.context)

    # --- protocol -------------------------------------------------------------------------------

    def print_protocol(self, blank: bool) -> None:
        assessment_id = self.current_assessment_id()
        if assessment_id is None:
            return
        service, lang = self._services(), self._lang()
        target = self._temp_pdf("protocol")
        title = self.tr("Interview protocol")
        from esca_desktop.ui.pdf_print import print_with_preview

        self.run_task(
            self.tr("Preparing the protocol…"),
            lambda: service.write_protocol(assessment_id, target, blank=blank, lang=lang),
            lambda path: print_with_preview(path, title, self.window),
        )

    def save_protocol(self) -> None:
        assessment_id = self.current_assessment_id()
        if assessment_id is None:
            return
        choice, ok = QInputDialog.getItem(
            self.window,
            self.tr("Interview protocol"),
            self.tr("Which protocol?"),
            [self.tr("Pre-filled with the answers so far"), self.tr("Blank, for the organisation to fill in")],
            0,
            False,
        )
        if not ok:
            return
        blank = choice.startswith(self.tr("Blank"))
        target = self._ask_target(f"protocol-{assessment_id[:8]}{'-blank' if blank else ''}.pdf")
        if target is None:
            return
        service, lang = self._services(), self._lang()
        self.run_task(
            self.tr("Writing the protocol…"),
            lambda: service.write_protocol(assessment_id, target, blank=blank, lang=lang),
            self._offer_open,
        )

    # --- report ---------------------------------------------------------------------------------

    def print_report(self) -> None:
        assessment_id = self.current_assessment_id()
        if assessment_id is None:
            return
        service, lang = self._services(), self._lang()
        target = self._temp_pdf("report")
        title = self.tr("Assessment report")
        from esca_desktop.ui.pdf_print import print_with_preview

        self.run_task(
            self.tr("Preparing the report…"),
            lambda: service.write_report(assessment_id, target, lang=lang)[0],
            lambda path: print_with_preview(path, title, self.window),
        )

    def save_report(self, sign: bool) -> None:
        assessment_id = self.current_assessment_id()
        window = self.window
        if assessment_id is None or window.context is None or window.service is None:
            return
        passphrase: str | None = None
        if sign:
            if window.service.get(assessment_id).status.editable:
                QMessageBox.information(
                    window,
                    self.tr("Sign report"),
                    self.tr("Only a finalised assessment can be signed. Finalise it on the summary page first."),
                )
                return
            ready, passphrase = self.ensure_signing_identity()
            if not ready:
                return
        target = self._ask_target(f"report-{assessment_id[:8]}{'-signed' if sign else ''}.pdf")
        if target is None:
            return
        service, lang = self._services(), self._lang()

        def work() -> Path:
            if sign:  # never an unsigned file under the signed one's name, nor a plain copy left anywhere
                path, _ = service.write_signed_report(assessment_id, target, passphrase, lang=lang)
            else:
                path, _ = service.write_report(assessment_id, target, lang=lang)
            return Path(path)

        self.run_task(
            self.tr("Signing the report…") if sign else self.tr("Writing the report…"), work, self._offer_open
        )

    def ensure_signing_identity(self) -> tuple[bool, str | None]:
        """Make sure an identity exists (offer to create one) and get its passphrase if it asks for one."""
        from esca_desktop.security.credentials import NoSecureStoreError
        from esca_desktop.services.signing import identity_store

        window = self.window
        assert window.context is not None
        store = identity_store(window.context)
        info = store.info()
        if info is None:
            profile = window.context.repository.profile()
            name = profile.name if profile else window.context.actor
            answer = QMessageBox.question(
                window,
                self.tr("Signing identity"),
                self.tr("You have no signing certificate yet. Create one now for %1?").replace("%1", name)
                + "\n\n"
                + self.tr("The private key is kept encrypted; its passphrase goes to the system keyring."),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False, None
            email = profile.email if profile else ""
            if not email:
                email, ok = QInputDialog.getText(
                    window, self.tr("Signing identity"), self.tr("Your e-mail address (it goes into the certificate):")
                )
                if not ok:
                    return False, None
            try:
                store.create(name, email.strip())
            except NoSecureStoreError as exc:
                passphrase = self._ask_passphrase(
                    str(exc) + "\n\n" + self.tr("Choose a passphrase instead (typed for every signature):")
                )
                if passphrase is None:
                    return False, None
                store.create(name, email.strip(), passphrase=passphrase, mode="ask")
                return True, passphrase
            info = store.info()
        if info is not None and info.passphrase_mode == "ask":
            passphrase = self._ask_passphrase(self.tr("Passphrase of your signing key:"))
            return (passphrase is not None), passphrase
        return True, None

    def _ask_passphrase(self, prompt: str) -> str | None:
        passphrase, ok = QInputDialog.getText(self.window, self.tr("Sign report"), prompt, QLineEdit.EchoMode.Password)
        return passphrase if ok and passphrase else None

    def _offer_open(self, path: Path) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Document saved"),
            self.tr("Saved as %1").replace("%1", str(path)),
            parent=self.window,
        )
        open_button = box.addButton(self.tr("Open PDF"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.exec()
        if box.clickedButton() is open_button:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # --- verification ---------------------------------------------------------------------------

    def verify(self) -> None:
        window = self.window
        if window.context is None:
            return
        name, _ = QFileDialog.getOpenFileName(
            window,
            self.tr("Verify a signed PDF"),
            window.settings.last_directory or str(Path.home()),
            self.tr("PDF (*.pdf)"),
        )
        if not name:
            return
        context = window.context

        def work() -> Any:
            from esca_desktop.services.signing import verify_file

            return verify_file(context, Path(name))

        def show(result: Any) -> None:
            ok = result.intact and result.trusted
            icon = QMessageBox.Icon.Information if ok else QMessageBox.Icon.Warning
            lines = [result.message]
            if result.signed:
                # the first signature nobody vouches for decides; the verdict comes first
                signatures = [s for s in result.signatures if not s.trusted] or list(result.signatures)
                if signatures:
                    first = signatures[0]
                    trust = trust_text(self, first.trusted, first.self_signed, first.issuer)
                else:
                    trust = trust_text(self, False, False, "")
                lines[:0] = [self.tr("Certificate: %1").replace("%1", trust), ""]
                lines.append(self.tr("Signer: %1").replace("%1", result.signer))
                if result.signing_time:
                    when = result.signing_time.astimezone().strftime(moment_format_of(QLocale()))
                    lines.append(self.tr("Signed at: %1").replace("%1", when))
            QMessageBox(icon, self.tr("Signature check"), "\n".join(lines), parent=window).exec()

        self.run_task(self.tr("Checking the signature…"), work, show)
