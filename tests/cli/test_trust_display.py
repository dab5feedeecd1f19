"""Where a signature check is shown to a person, who vouches for the signer is said first and
unmistakably: "TRUSTED (issued by ESCA Secretariat CA)" against "SELF-SIGNED, NOT TRUSTED"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from esca_desktop.central.app import create_app
from esca_desktop.central.cli import run as central_run
from esca_desktop.central.store import CentralStore
from esca_desktop.cli import run
from esca_desktop.context import AppContext, open_context
from esca_desktop.reports.signing import sign_pdf
from esca_desktop.services import sync as sync_service
from esca_desktop.services.bundles import export_bundle
from esca_desktop.services.signing import identity_store, trust_dir
from tests.central.harness import NO_WAIT, ThreadServer, central_users, finalised_bronze, make_desktop, memory_keyring
from tests.reports.test_signing import BOX, make_pdf
from tests.security.test_trust import Party, _party, _secretariat_ca, _signer, install_issued_certificate

__all__ = ["memory_keyring"]  # fixture used below


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _pem(party: Party) -> bytes:
    return party[1].public_bytes(serialization.Encoding.PEM)


@pytest.fixture
def authority() -> Party:
    return _secretariat_ca()


def _trust(data_dir: Path, authority: Party) -> None:
    trust_dir(data_dir).mkdir(parents=True, exist_ok=True)
    (trust_dir(data_dir) / "secretariat.pem").write_bytes(_pem(authority))


def test_verify_says_trusted_and_by_whom_before_anything_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], authority: Party
) -> None:
    data_dir = tmp_path / "data"
    _trust(data_dir, authority)
    report = tmp_path / "report.pdf"
    sign_pdf(make_pdf(tmp_path / "plain.pdf"), report, _signer(_party("Anna Expert", authority)), BOX, "r", "")
    code, out, _ = _run(capsys, "--data-dir", str(data_dir), "verify", str(report))
    assert code == 0
    lines = out.splitlines()
    assert lines[1].split(None, 1) == ["Trust:", "TRUSTED (issued by ESCA Secretariat CA)"]
    assert lines[2].startswith("Signed by:")


def test_verify_says_self_signed_not_trusted_first_and_what_to_trust(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    report = tmp_path / "report.pdf"
    sign_pdf(make_pdf(tmp_path / "plain.pdf"), report, _signer(_party("Mallory Self")), BOX, "r", "")
    code, out, _ = _run(capsys, "--data-dir", str(data_dir), "verify", str(report))
    assert code == 0  # intact; only nobody vouches for the signer
    trust_line = out.splitlines()[1]
    assert trust_line.split(None, 1)[1].startswith("SELF-SIGNED, NOT TRUSTED")
    assert "the secretariat" in trust_line and "CA certificate" in trust_line
    _, german, _ = _run(capsys, "--lang", "de", "--data-dir", str(data_dir), "verify", str(report))
    assert "SELBST SIGNIERT, NICHT VERTRAUENSWÜRDIG" in german


@pytest.fixture
def sender(tmp_path: Path, memory_keyring: object, authority: Party) -> Iterator[AppContext]:
    """An assessor whose certificate the secretariat's CA issued, with a finalised Bronze assessment."""
    context = make_desktop(tmp_path / "sender", "Anna Expert", "anna@example.org")
    install_issued_certificate(identity_store(context), authority)
    yield context
    context.close()


def test_import_says_the_bundle_is_trusted_and_by_whom(
    sender: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str], authority: Party
) -> None:
    bundle = export_bundle(sender, finalised_bronze(sender), tmp_path / "bronze.esca")
    receiver = tmp_path / "receiver"
    open_context(receiver).close()
    _trust(receiver, authority)
    code, out, err = _run(capsys, "--data-dir", str(receiver), "import", str(bundle))
    assert code == 0, err
    assert "signature: TRUSTED (issued by ESCA Secretariat CA), signed by Anna Expert <anna@example.org>" in out


def test_an_untrusted_import_says_so_first_and_asks_for_the_secretariats_ca_not_a_person(
    tmp_path: Path, memory_keyring: object, capsys: pytest.CaptureFixture[str]
) -> None:
    sender = make_desktop(tmp_path / "sender", "Mallory Self", "mallory@example.org")
    bundle = export_bundle(sender, finalised_bronze(sender), tmp_path / "bronze.esca")
    sender.close()
    code, _, err = _run(capsys, "--data-dir", str(tmp_path / "receiver"), "import", str(bundle))
    assert code == 2
    assert "bronze.esca: SELF-SIGNED, NOT TRUSTED: signed by Mallory Self" in err
    assert "put the secretariat's CA certificate" in err and "not a person's certificate" in err
    assert "put the signer's certificate" not in err


@pytest.mark.parametrize("trusted", [True, False], ids=["issued by the server's CA", "self-signed"])
def test_review_show_says_trusted_or_not_trusted_first(
    tmp_path: Path, memory_keyring: object, capsys: pytest.CaptureFixture[str], authority: Party, trusted: bool
) -> None:
    database = tmp_path / "central.sqlite3"
    store = CentralStore.open(database)
    _, assessor_token, _, _ = central_users(store)
    server = ThreadServer(create_app(store, trusted=[authority[1]])).start()
    desktop = make_desktop(tmp_path / "desktop", "Anna Assessor", "anna@example.org")
    try:
        if trusted:
            install_issued_certificate(identity_store(desktop), authority)
        assessment_id = finalised_bronze(desktop)
        sync_service.login(desktop, server.url, assessor_token)
        assert sync_service.sync(desktop, options=NO_WAIT).uploaded
        capsys.readouterr()
        assert central_run(["review", "show", assessment_id, "--db", str(database)]) == 0
        out = capsys.readouterr().out
    finally:
        desktop.close()
        server.stop()
        store.close()
    signature = next(line for line in out.splitlines() if line.startswith("Signature:"))
    words = signature.split(None, 1)[1]
    assert words.startswith("TRUSTED (" if trusted else "NOT TRUSTED (self-signed")
