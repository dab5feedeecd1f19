"""The assessor identity: key pair and certificate, its passphrase kept safe, detached signatures, the CLI."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import stat
import sys
from pathlib import Path

import keyring
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from esca_desktop.cli import run
from esca_desktop.errors import ValidationError
from esca_desktop.security.credentials import KeyringCredentialStore, MemoryCredentialStore, NoSecureStoreError
from esca_desktop.security.identity import (
    IdentityError,
    IdentityExistsError,
    IdentityStore,
    NoIdentityError,
    PassphraseRequiredError,
    UnlockedIdentity,
    WrongPassphraseError,
    certificate_fingerprint,
    sign_detached,
    verify_detached,
)
from tests.security.conftest import InMemoryKeyring, failing_keyring

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def store(data_dir: Path) -> IdentityStore:
    return IdentityStore(data_dir, KeyringCredentialStore())


@pytest.fixture
def unlocked(store: IdentityStore) -> UnlockedIdentity:
    store.create("Maria Kowalska", "maria@example.org")
    return store.unlock()


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _authority(name: str = "ESCA Secretariat CA") -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


Authority = tuple[ec.EllipticCurvePrivateKey, x509.Certificate]


def _issue(authority: Authority, subject: x509.Name, public_key: ec.EllipticCurvePublicKey) -> x509.Certificate:
    ca_key, ca_certificate = authority
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(hours=1))
        .not_valid_after(NOW + dt.timedelta(days=730))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )


# --- creating and unlocking ----------------------------------------------------------------------------


def test_create_with_a_keyring_asks_nothing_and_keeps_a_strong_passphrase_there(
    store: IdentityStore, memory_keyring: InMemoryKeyring
) -> None:
    info = store.create("Maria Kowalska", "maria@example.org")
    assert (info.name, info.email, info.passphrase_mode, info.self_signed) == (
        "Maria Kowalska",
        "maria@example.org",
        "keyring",
        True,
    )
    (secret,) = memory_keyring.secrets.values()
    assert len(secret) >= 32
    key_pem = (store.folder / "key.pem").read_bytes()
    assert key_pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert stat.S_IMODE((store.folder / "key.pem").stat().st_mode) == 0o600
    for path in _files(store.folder.parent):
        assert secret.encode() not in path.read_bytes(), path
    record = json.loads((store.folder / "identity.json").read_text())
    assert record["certificate_fingerprint"] == info.fingerprint and record["passphrase_mode"] == "keyring"
    assert store.info() == info


def test_the_certificate_names_the_assessor_and_allows_signing(unlocked: UnlockedIdentity) -> None:
    certificate = unlocked.certificate
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Maria Kowalska"
    assert certificate.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)[0].value == "maria@example.org"
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    key = unlocked.private_key
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    assert certificate.issuer == certificate.subject
    assert unlocked.signer == "Maria Kowalska <maria@example.org>"
    assert "private_key" not in repr(unlocked)


def test_unlock_with_a_wrong_passphrase_says_so(store: IdentityStore) -> None:
    store.create("Maria Kowalska", "maria@example.org")
    with pytest.raises(WrongPassphraseError, match="does not open your signing key"):
        store.unlock("not the passphrase")


def test_a_passphrase_lost_from_the_keyring_is_explained(store: IdentityStore, memory_keyring: InMemoryKeyring) -> None:
    store.create("Maria Kowalska", "maria@example.org")
    memory_keyring.secrets.clear()
    with pytest.raises(IdentityError, match=r"not in the OS keyring .* any more"):
        store.unlock()


def test_ask_mode_stores_no_passphrase_and_needs_it_to_unlock(
    store: IdentityStore, memory_keyring: InMemoryKeyring
) -> None:
    with pytest.raises(PassphraseRequiredError):
        store.create("Jan Novák", "jan@example.cz", mode="ask")
    with pytest.raises(ValidationError, match="too short"):
        store.create("Jan Novák", "jan@example.cz", passphrase="short", mode="ask")
    info = store.create("Jan Novák", "jan@example.cz", passphrase="correct horse battery", mode="ask")
    assert info.passphrase_mode == "ask" and memory_keyring.secrets == {}
    with pytest.raises(PassphraseRequiredError):
        store.unlock()
    assert store.unlock("correct horse battery").name == "Jan Novák"
    for path in _files(store.folder):
        assert b"correct horse battery" not in path.read_bytes()


def test_without_a_secure_store_keyring_mode_is_refused_and_nothing_is_written(data_dir: Path) -> None:
    keyring.set_keyring(failing_keyring())
    store = IdentityStore(data_dir, KeyringCredentialStore())
    with pytest.raises(NoSecureStoreError, match="ask-passphrase"):
        store.create("Maria Kowalska", "maria@example.org")
    assert not store.folder.exists() and store.info() is None
    assert store.create("Maria Kowalska", "maria@example.org", "typed each time", mode="ask").passphrase_mode == "ask"


def test_a_memory_store_cannot_keep_the_key_passphrase(data_dir: Path) -> None:
    store = IdentityStore(data_dir, MemoryCredentialStore())
    with pytest.raises(NoSecureStoreError, match="forgotten when the program ends"):
        store.create("Maria Kowalska", "maria@example.org")


def test_bad_names_and_a_second_identity_are_refused(store: IdentityStore) -> None:
    with pytest.raises(ValidationError, match="not an e-mail"):
        store.create("Maria Kowalska", "maria-at-example")
    with pytest.raises(ValidationError, match="name is empty"):
        store.create("  ", "maria@example.org")
    store.create("Maria Kowalska", "maria@example.org")
    with pytest.raises(IdentityExistsError, match="Delete it first"):
        store.create("Other Person", "other@example.org")


def test_delete_removes_key_certificate_and_stored_passphrase(
    store: IdentityStore, memory_keyring: InMemoryKeyring
) -> None:
    store.create("Maria Kowalska", "maria@example.org")
    store.delete()
    assert store.info() is None and memory_keyring.secrets == {} and not store.folder.exists()
    with pytest.raises(NoIdentityError, match="identity create"):
        store.unlock()
    store.delete()  # nothing left to delete: no error


# --- the secretariat's certificate ----------------------------------------------------------------


def test_certificate_request_and_installing_the_issued_certificate(store: IdentityStore) -> None:
    before = store.create("Maria Kowalska", "maria@example.org")
    request = x509.load_pem_x509_csr(store.certificate_request())
    assert request.is_signature_valid
    assert request.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Maria Kowalska"
    authority = _authority()
    public_key = request.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    issued = _issue(authority, request.subject, public_key)
    pem = issued.public_bytes(serialization.Encoding.PEM) + authority[1].public_bytes(serialization.Encoding.PEM)
    info = store.install_certificate(pem)
    assert not info.self_signed and info.issuer == "ESCA Secretariat CA" and info.key_id == before.key_id
    unlocked = store.unlock()
    assert unlocked.certificate == issued and unlocked.chain == (authority[1],)
    other = _issue(authority, request.subject, ec.generate_private_key(ec.SECP256R1()).public_key())
    with pytest.raises(ValidationError, match="no certificate for your key"):
        store.install_certificate(other.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(ValidationError, match=r"readable X\.509"):
        store.install_certificate(b"-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n")


def _p12(tmp_path: Path, password: bytes) -> tuple[Path, x509.Certificate]:
    authority = _authority()
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Γιώργος Παπαδόπουλος"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "giorgos@example.gr"),
        ]
    )
    certificate = _issue(authority, subject, key.public_key())
    data = pkcs12.serialize_key_and_certificates(
        b"assessor", key, certificate, [authority[1]], serialization.BestAvailableEncryption(password)
    )
    path = tmp_path / "assessor.p12"
    path.write_bytes(data)
    return path, authority[1]


def test_import_pkcs12_keeps_key_certificate_and_chain(store: IdentityStore, tmp_path: Path) -> None:
    path, ca = _p12(tmp_path, b"p12-password")
    with pytest.raises(ValidationError, match="password is wrong"):
        store.import_pkcs12(path, "wrong")
    garbage = tmp_path / "garbage.p12"
    garbage.write_bytes(b"not a pkcs12 file")
    with pytest.raises(ValidationError, match="not a PKCS#12"):
        store.import_pkcs12(garbage, None)
    info = store.import_pkcs12(path, "p12-password")
    assert (info.name, info.email, info.self_signed) == ("Γιώργος Παπαδόπουλος", "giorgos@example.gr", False)
    unlocked = store.unlock()
    assert unlocked.chain == (ca,)
    assert (store.folder / "key.pem").read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")


# --- detached signatures ------------------------------------------------------------------------------


def test_detached_signature_is_valid_and_json_able(unlocked: UnlockedIdentity) -> None:
    data = b'{"bundle": "manifest", "sha256": "abc"}'
    signature = json.loads(json.dumps(sign_detached(unlocked, data)))
    assert signature["algorithm"] == "ecdsa-p256-sha256"
    assert signature["certificate"].startswith("-----BEGIN CERTIFICATE-----")
    check = verify_detached(data, signature)
    assert check.valid and not check.trusted and "not in the trust list" in check.message
    assert check.signer == "Maria Kowalska <maria@example.org>"
    assert check.fingerprint == certificate_fingerprint(unlocked.certificate) == unlocked.fingerprint
    trusted = verify_detached(data, signature, [unlocked.certificate])
    assert trusted.valid and trusted.trusted
    later = verify_detached(data, signature, [unlocked.certificate], at=NOW + dt.timedelta(days=5 * 365))
    assert later.valid and not later.trusted and "expired" in later.message


def test_detached_signature_detects_changed_data(unlocked: UnlockedIdentity) -> None:
    signature = sign_detached(unlocked, b"approved: 87 points")
    check = verify_detached(b"approved: 97 points", signature, [unlocked.certificate])
    assert not check.valid and not check.trusted and "changed" in check.message
    assert check.signer == "Maria Kowalska <maria@example.org>"


def test_detached_signature_detects_a_changed_signature(unlocked: UnlockedIdentity) -> None:
    data = b"approved: 87 points"
    signature = sign_detached(unlocked, data)
    raw = bytearray(base64.b64decode(signature["signature"]))
    raw[-1] ^= 0x01
    tampered = {**signature, "signature": base64.b64encode(bytes(raw)).decode()}
    assert not verify_detached(data, tampered).valid


def test_detached_signature_with_another_certificate_is_invalid(unlocked: UnlockedIdentity, tmp_path: Path) -> None:
    data = b"approved: 87 points"
    other_store = IdentityStore(tmp_path / "other", KeyringCredentialStore())
    other_store.create("Mallory", "mallory@example.org")
    other = other_store.unlock()
    forged = {**sign_detached(unlocked, data), "certificate": sign_detached(other, data)["certificate"]}
    check = verify_detached(data, forged, [other.certificate])
    assert not check.valid and not check.trusted and check.signer == "Mallory <mallory@example.org>"


def test_detached_signature_trusts_a_certificate_issued_by_a_trusted_authority(
    store: IdentityStore,
) -> None:
    store.create("Maria Kowalska", "maria@example.org")
    authority = _authority()
    request = x509.load_pem_x509_csr(store.certificate_request())
    public_key = request.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    store.install_certificate(_issue(authority, request.subject, public_key).public_bytes(serialization.Encoding.PEM))
    signature = sign_detached(store.unlock(), b"data")
    assert verify_detached(b"data", signature, [authority[1]]).trusted
    assert not verify_detached(b"data", signature, [_authority("Another CA")[1]]).trusted


@pytest.mark.parametrize(
    "garbage",
    [
        {},
        None,
        "a string",
        42,
        [],
        {"algorithm": 1, "certificate": 2, "signature": 3},
        {"algorithm": "ecdsa-p256-sha256", "certificate": "not pem", "signature": "AAAA"},
        {
            "algorithm": "ecdsa-p256-sha256",
            "certificate": "-----BEGIN CERTIFICATE-----\nZm9v\n-----END CERTIFICATE-----\n",
            "signature": "AAAA",
        },
    ],
)
def test_garbage_signatures_are_invalid_without_an_exception(garbage: object) -> None:
    check = verify_detached(b"data", garbage)  # type: ignore[arg-type]
    assert not check.valid and not check.trusted and check.message


def test_a_malformed_signature_value_or_algorithm_is_invalid(unlocked: UnlockedIdentity) -> None:
    signature = sign_detached(unlocked, b"data")
    assert "base64" in verify_detached(b"data", {**signature, "signature": "%%%not base64%%%"}).message
    assert (
        "does not match the certificate"
        in verify_detached(b"data", {**signature, "algorithm": "rsa-pss-sha256"}).message
    )
    assert not verify_detached("text, not bytes", signature).valid  # type: ignore[arg-type]


# --- command line -------------------------------------------------------------------------------------------


class NoInput(io.StringIO):
    def readline(self, size: int | None = -1, /) -> str:  # type: ignore[override]
        raise AssertionError("the command asked a question")


def _cli(data_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(["--data-dir", str(data_dir), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_identity_create_asks_nothing_with_a_keyring_and_writes_no_secret(
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: InMemoryKeyring,
) -> None:
    monkeypatch.setattr(sys, "stdin", NoInput())
    code, out, err = _cli(
        data_dir, capsys, "identity", "create", "--name", "Maria Kowalska", "--email", "maria@example.org"
    )
    assert code == 0, err
    assert "Maria Kowalska" in out and "kept in the OS keyring" in out
    (secret,) = memory_keyring.secrets.values()
    for path in _files(data_dir):
        assert secret.encode() not in path.read_bytes(), path
    assert (data_dir / "identity" / "key.pem").read_text().startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    code, out, _ = _cli(data_dir, capsys, "identity", "show", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["name"] == "Maria Kowalska" and shown["passphrase_mode"] == "keyring"
    assert len(shown["fingerprint"]) == 64 and shown["not_after"] > shown["not_before"]
    code, _, err = _cli(data_dir, capsys, "identity", "create", "--name", "X", "--email", "x@example.org")
    assert code == 2 and "already exists" in err


def test_cli_without_a_keyring_reads_the_passphrase_from_stdin(
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keyring.set_keyring(failing_keyring())
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long passphrase\n"))
    code, out, err = _cli(data_dir, capsys, "identity", "create", "--name", "Jan Novák", "--email", "jan@example.cz")
    assert code == 0, err
    assert "PYTHON_KEYRING_BACKEND" in err and "asked for each time" in err
    assert "asked for each time" in out
    for path in _files(data_dir):
        assert b"a long passphrase" not in path.read_bytes()
    out_file = data_dir / "request.csr"
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long passphrase\n"))
    code, out, err = _cli(data_dir, capsys, "identity", "request", "--out", str(out_file))
    assert code == 0, err
    assert x509.load_pem_x509_csr(out_file.read_bytes()).is_signature_valid


def test_cli_ask_passphrase_and_wrong_passphrase(
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: InMemoryKeyring,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("typed every time\n"))
    code, _, err = _cli(
        data_dir, capsys, "identity", "create", "--name", "Jan Novák", "--email", "jan@example.cz", "--ask-passphrase"
    )
    assert code == 0, err
    assert memory_keyring.secrets == {}
    monkeypatch.setattr(sys, "stdin", io.StringIO("wrong passphrase\n"))
    code, _, err = _cli(data_dir, capsys, "identity", "request", "--out", str(data_dir / "r.csr"))
    assert code == 2 and "passphrase does not open" in err and err.count("\n") == 1


def test_cli_import_pkcs12_with_password_on_stdin(
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, _ = _p12(tmp_path, b"p12-password")
    monkeypatch.setattr(sys, "stdin", io.StringIO("p12-password\n"))
    code, out, err = _cli(data_dir, capsys, "identity", "import", str(path), "--password-stdin", "--json")
    assert code == 0, err
    assert json.loads(out)["email"] == "giorgos@example.gr"


def test_cli_show_without_identity_and_delete(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(data_dir, capsys, "identity", "show")
    assert code == 2 and "no assessor identity yet" in err
    assert _cli(data_dir, capsys, "identity", "create", "--name", "M K", "--email", "mk@example.org")[0] == 0
    code, _, err = _cli(data_dir, capsys, "identity", "delete")
    assert code == 2 and "--yes" in err
    code, out, _ = _cli(data_dir, capsys, "identity", "delete", "--yes")
    assert code == 0 and "Removed" in out
    assert not (data_dir / "identity").exists()
