"""The window's signature check says first, in so many words, whether the signer is trusted and by
whose authority, or self-signed and not trusted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from esca_desktop.reports.signing import sign_pdf
from esca_desktop.services.bundles import export_bundle
from esca_desktop.services.signing import identity_store, trust_dir
from esca_desktop.ui.main_window import MainWindow
from tests.central.harness import finalised_bronze, make_desktop
from tests.reports.test_signing import BOX, make_pdf
from tests.security.test_trust import _party, _secretariat_ca, _signer, install_issued_certificate


def _check(qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, pdf: Path) -> tuple[Any, str]:
    shown: list[tuple[Any, str]] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kw: (str(pdf), ""))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append((box.icon(), box.text())) or 0)
    window.documents.verify()
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    return shown[0]


def test_a_report_signed_under_the_secretariats_ca_shows_trusted_and_by_whom_first(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    authority = _secretariat_ca()
    assert window.context is not None
    folder = trust_dir(window.context.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secretariat.pem").write_bytes(authority[1].public_bytes(serialization.Encoding.PEM))
    pdf = tmp_path / "signed.pdf"
    sign_pdf(make_pdf(tmp_path / "plain.pdf"), pdf, _signer(_party("Anna Expert", authority)), BOX, "r", "")
    icon, text = _check(qtbot, window, monkeypatch, pdf)
    assert text.splitlines()[0] == "Certificate: TRUSTED (issued by ESCA Secretariat CA)"
    assert icon == QMessageBox.Icon.Information


def test_a_self_signed_report_shows_self_signed_not_trusted_first_with_a_warning(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pdf = tmp_path / "signed.pdf"
    sign_pdf(make_pdf(tmp_path / "plain.pdf"), pdf, _signer(_party("Mallory Self")), BOX, "r", "")
    icon, text = _check(qtbot, window, monkeypatch, pdf)
    assert text.splitlines()[0] == "Certificate: SELF-SIGNED, NOT TRUSTED"
    assert icon == QMessageBox.Icon.Warning


def test_an_imported_bundle_says_in_the_status_bar_who_vouches_for_its_signer(
    qtbot: QtBot,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    memory_keyring: object,
) -> None:
    authority = _secretariat_ca()
    sender = make_desktop(tmp_path / "sender", "Anna Expert", "anna@example.org")
    install_issued_certificate(identity_store(sender), authority)
    bundle = export_bundle(sender, finalised_bronze(sender), tmp_path / "bronze.esca")
    sender.close()
    assert window.context is not None
    folder = trust_dir(window.context.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secretariat.pem").write_bytes(authority[1].public_bytes(serialization.Encoding.PEM))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kw: (str(bundle), ""))
    window.sync_actions.import_bundle()
    qtbot.waitUntil(lambda: "Imported revision" in window.save_label.text(), timeout=20000)
    assert (
        "Imported revision 1 — signature TRUSTED (issued by ESCA Secretariat CA), signed by Anna Expert"
        in window.save_label.text()
    )
