"""Use-cases of signatures: sign a report file with the assessor's identity, verify a signed file.

The trust list is the folder `data_dir/trust/`: every certificate in its `*.pem` files (the
secretariat's CA certificates — drop a file there to trust another authority), plus the assessor's own
certificate so that one's own self-signed reports show as trusted on one's own machine.

The credential store of a context is chosen by `credential_store_for`: the OS keyring by default;
`ESCA_DESKTOP_KEYRING=memory` keeps secrets in the process only (tests; see security.credentials).
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509

from esca_desktop.context import AppContext
from esca_desktop.reports.model import SignatureBox
from esca_desktop.reports.signing import PdfVerification, sign_pdf, verify_pdf
from esca_desktop.security.credentials import CredentialStore, credential_store_from_setting
from esca_desktop.security.identity import IdentityStore, load_certificates

TRUST_FOLDER = "trust"
DEFAULT_REASON = "ESCA assessment report"
REASONS = {"en": DEFAULT_REASON, "de": "ESCA-Bewertungsbericht"}  # what the signature is for, per language


def credential_store_for(context: AppContext) -> CredentialStore:
    """The store for this context's secrets: the OS keyring unless ESCA_DESKTOP_KEYRING says otherwise."""
    return credential_store_from_setting()


def identity_store(context: AppContext) -> IdentityStore:
    return IdentityStore(context.data_dir, credential_store_for(context))


def trust_dir(data_dir: Path) -> Path:
    return data_dir / TRUST_FOLDER


def trusted_certificates(context: AppContext) -> list[x509.Certificate]:
    """The secretariat's CA certificates in data_dir/trust/*.pem, then the assessor's own certificate."""
    certificates: list[x509.Certificate] = []
    folder = trust_dir(context.data_dir)
    for path in sorted(folder.glob("*.pem")) if folder.is_dir() else []:
        certificates.extend(load_certificates(path.read_bytes(), str(path)))
    own = identity_store(context).certificate()
    if own is not None:
        certificates.append(own)
    return certificates


def sign_report_file(
    context: AppContext,
    pdf_path: Path,
    box: SignatureBox,
    passphrase: str | None = None,
    reason: str | None = None,
    location: str = "",
    lang: str = "en",
    out_path: Path | None = None,
) -> None:
    """Sign `pdf_path` in place, or into `out_path` (atomically), with the assessor's identity, the
    stamp in `box`, its words (and by default the reason) in `lang`, the report's language.

    `passphrase` is needed when the identity's mode is "ask"; in mode "keyring" it comes from the keyring.
    """
    identity = identity_store(context).unlock(passphrase)
    if reason is None:
        reason = REASONS.get(lang, DEFAULT_REASON)
    sign_pdf(pdf_path, out_path or pdf_path, identity, box, reason=reason, location=location, lang=lang)


def verify_file(context: AppContext, path: Path) -> PdfVerification:
    """The signatures of `path` checked against the trust folder; the verdict in the context's language."""
    return verify_pdf(path, trusted_certificates(context), lang=context.lang)
