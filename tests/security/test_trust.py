"""Who may vouch for a signer: a certificate in the trust list vouches for itself, only an authority
(CA with keyCertSign, within its path length) for the certificates it issues; a signer's certificate must
allow signing. Checked for bundle signatures (verify_detached) and for signed PDFs (verify_pdf)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from esca_desktop.reports.signing import sign_pdf, verify_pdf
from esca_desktop.security.credentials import KeyringCredentialStore
from esca_desktop.security.identity import IdentityStore, UnlockedIdentity, sign_detached, verify_detached
from tests.reports.test_signing import BOX, make_pdf

NOW = dt.datetime.now(dt.UTC)
DATA = b'{"manifest": "of a bundle"}'

Party = tuple[ec.EllipticCurvePrivateKey, x509.Certificate]


def _usage(**allowed: bool) -> x509.KeyUsage:
    names = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{name: allowed.get(name, False) for name in names})


SIGNING = _usage(digital_signature=True, content_commitment=True)
ISSUING = _usage(key_cert_sign=True, crl_sign=True)


def _party(
    name: str,
    issuer: Party | None = None,
    *,
    ca: bool | None = False,
    path_length: int | None = None,
    usage: x509.KeyUsage | None = SIGNING,
) -> Party:
    """A key and its certificate, self-signed unless `issuer` is given; `ca=None`: no basic constraints."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.EMAIL_ADDRESS, "x@example.org")]
    )
    issuer_key, issuer_name = (key, subject) if issuer is None else (issuer[0], issuer[1].subject)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=365))
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    return key, builder.sign(issuer_key, hashes.SHA256())


def _signer(party: Party) -> UnlockedIdentity:
    return UnlockedIdentity("Signer", "x@example.org", party[0], party[1])


def _secretariat_ca(path_length: int | None = 0) -> Party:
    return _party("ESCA Secretariat CA", ca=True, path_length=path_length, usage=ISSUING)


def _colleague(tmp_path: Path) -> UnlockedIdentity:
    """An ordinary assessor identity as the program creates it: self-signed, not an authority."""
    store = IdentityStore(tmp_path / "colleague", KeyringCredentialStore())
    store.create("Colleague Assessor", "colleague@example.org")
    return store.unlock()


def test_a_colleagues_ordinary_certificate_in_the_trust_list_cannot_issue_a_trusted_certificate(
    tmp_path: Path,
) -> None:
    colleague = _colleague(tmp_path)
    minted = _party("Secretariat Head", (colleague.private_key, colleague.certificate))  # type: ignore[arg-type]
    check = verify_detached(DATA, sign_detached(_signer(minted), DATA), [colleague.certificate])
    assert check.valid and not check.trusted
    assert check.trust_words() == "NOT TRUSTED (issued by Colleague Assessor, not a trusted authority here)"
    # the colleague's own certificate, pinned, still vouches for the colleague
    own = verify_detached(DATA, sign_detached(colleague, DATA), [colleague.certificate])
    assert own.trusted and own.trust_words().startswith("TRUSTED")


def test_a_ca_without_key_cert_sign_cannot_issue_a_trusted_certificate() -> None:
    authority = _party("Signing-only CA", ca=True, usage=_usage(digital_signature=True, crl_sign=True))
    leaf = _party("Anna Expert", authority)
    check = verify_detached(DATA, sign_detached(_signer(leaf), DATA), [authority[1]])
    assert check.valid and not check.trusted


def test_an_authority_without_basic_constraints_cannot_issue_a_trusted_certificate() -> None:
    authority = _party("Old-style root", ca=None, usage=None)
    leaf = _party("Anna Expert", authority)
    assert not verify_detached(DATA, sign_detached(_signer(leaf), DATA), [authority[1]]).trusted


def test_a_path_longer_than_the_authority_allows_is_not_trusted() -> None:
    for root_path_length, trusted in ((0, False), (1, True)):
        root = _secretariat_ca(path_length=root_path_length)
        intermediate = _party("Regional CA", root, ca=True, usage=ISSUING)
        leaf = _party("Anna Expert", intermediate)
        check = verify_detached(
            DATA, sign_detached(_signer(leaf), DATA), [root[1]], intermediate_certificates=[intermediate[1]]
        )
        assert check.valid and check.trusted is trusted, (root_path_length, check.message)


def test_an_intermediate_that_is_not_a_ca_cannot_issue_on_the_way() -> None:
    root = _secretariat_ca(path_length=None)
    person = _party("Some Person", root, usage=_usage(digital_signature=True, key_cert_sign=True))
    leaf = _party("Anna Expert", person)
    check = verify_detached(DATA, sign_detached(_signer(leaf), DATA), [root[1]], intermediate_certificates=[person[1]])
    assert check.valid and not check.trusted


@pytest.mark.parametrize("pinned", [False, True], ids=["issued by the CA", "pinned itself"])
def test_a_signer_certificate_that_does_not_allow_signing_is_not_trusted(pinned: bool) -> None:
    authority = _secretariat_ca()
    encipher_only = _usage(key_encipherment=True, key_agreement=True)
    leaf = _party("Anna Expert", None if pinned else authority, usage=encipher_only)
    trust = [leaf[1]] if pinned else [authority[1]]
    check = verify_detached(DATA, sign_detached(_signer(leaf), DATA), trust)
    assert check.valid and not check.trusted and "key usage" in check.message


def test_a_certificate_issued_by_a_proper_ca_is_trusted_and_says_by_whom() -> None:
    authority = _secretariat_ca()
    leaf = _party("Anna Expert", authority)
    check = verify_detached(DATA, sign_detached(_signer(leaf), DATA), [authority[1]])
    assert check.valid and check.trusted and not check.self_signed
    assert check.trust_words() == "TRUSTED (issued by ESCA Secretariat CA)"
    assert check.trust_words("de") == "VERTRAUENSWÜRDIG (ausgestellt von ESCA Secretariat CA)"
    expired = verify_detached(DATA, sign_detached(_signer(leaf), DATA), [authority[1]], at=NOW + dt.timedelta(days=400))
    assert not expired.trusted and "expired" in expired.message


def test_a_self_signed_certificate_nobody_trusts_says_so_first(tmp_path: Path) -> None:
    check = verify_detached(DATA, sign_detached(_colleague(tmp_path), DATA))
    assert check.valid and not check.trusted
    assert check.trust_words() == "SELF-SIGNED, NOT TRUSTED"
    assert check.trust_words("de") == "SELBST SIGNIERT, NICHT VERTRAUENSWÜRDIG"


def test_a_pdf_signed_with_a_certificate_minted_by_a_colleague_is_not_trusted(tmp_path: Path) -> None:
    colleague = _colleague(tmp_path)
    minted = _party("Secretariat Head", (colleague.private_key, colleague.certificate))  # type: ignore[arg-type]
    target = tmp_path / "forged.pdf"
    sign_pdf(make_pdf(tmp_path / "report.pdf"), target, _signer(minted), BOX, reason="r", location="")
    result = verify_pdf(target, [colleague.certificate])
    assert result.intact and not result.trusted
    assert result.signatures[0].issuer == "Colleague Assessor" and not result.signatures[0].self_signed


def test_a_pdf_signed_with_a_certificate_of_a_proper_ca_is_trusted(tmp_path: Path) -> None:
    authority = _secretariat_ca()
    target = tmp_path / "signed.pdf"
    sign_pdf(
        make_pdf(tmp_path / "report.pdf"),
        target,
        _signer(_party("Anna Expert", authority)),
        BOX,
        reason="r",
        location="",
    )
    result = verify_pdf(target, [authority[1]])
    assert result.intact and result.trusted and result.signatures[0].issuer == "ESCA Secretariat CA"


def install_issued_certificate(store: IdentityStore, authority: Party) -> x509.Certificate:
    """The identity in `store` gets a signing certificate issued by `authority` for its key."""
    request = x509.load_pem_x509_csr(store.certificate_request())
    public_key = request.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(request.subject)
        .issuer_name(authority[1].subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(hours=1))
        .not_valid_after(NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(SIGNING, critical=True)
        .sign(authority[0], hashes.SHA256())
    )
    store.install_certificate(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate
