"""The assessor's signing identity: a key pair and an X.509 certificate in `data_dir/identity/`.

Files (the folder is private to the user; written atomically, `identity.json` last):

- `key.pem`          the private key, PKCS#8 PEM encrypted with a passphrase ("ENCRYPTED PRIVATE KEY");
- `certificate.pem`  the certificate: self-signed when created here, or issued by the secretariat
                     (`certificate_request` → CSR, then `install_certificate`), or from a PKCS#12 file;
- `chain.pem`        issuing certificates that came with it (optional);
- `identity.json`    name, e-mail, passphrase mode, creation time, certificate fingerprint (format 1).

The passphrase is either kept in a persistent `CredentialStore` (the OS keyring: mode ``keyring``,
a strong random one is generated so that nobody has to type it) or typed each time (mode ``ask``).
It is never written to disk by this module.

Also here: detached signatures over arbitrary bytes (`sign_detached` / `verify_detached`), which the
sync bundles use; a JSON-able dictionary with the algorithm, the signer's certificate and the signature.

Trust (`TrustList`): a certificate in a trust list vouches for itself (it is "pinned"); only an
authority — basic constraints CA, and key usage keyCertSign when it has a key usage — vouches for the
certificates it issues, and the path is validated by pyHanko's certvalidator (basic constraints, path
length, key usage of every certificate on the way). A signer's certificate must allow signing
(digitalSignature or nonRepudiation). `trust_words` says the verdict to a person, the words up front.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import concurrent.futures
import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import secrets
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from esca_desktop.domain.model import utcnow
from esca_desktop.errors import NotFoundError, UserError, ValidationError
from esca_desktop.security.credentials import CredentialStore, NoSecureStoreError

log = logging.getLogger(__name__)

IDENTITY_FORMAT = 1
KEYRING_SERVICE = "esca-desktop"
KEY_FILE = "key.pem"
CERTIFICATE_FILE = "certificate.pem"
CHAIN_FILE = "chain.pem"
INFO_FILE = "identity.json"
MIN_PASSPHRASE_LENGTH = 8
SELF_SIGNED_VALIDITY = dt.timedelta(days=3 * 365)

PassphraseMode = Literal["keyring", "ask"]
PASSPHRASE_MODES: tuple[PassphraseMode, ...] = ("keyring", "ask")

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class IdentityError(UserError):
    """The identity cannot be created, read or used; the message says why and what to do."""


class NoIdentityError(NotFoundError):
    """No identity has been created or imported yet."""


class IdentityExistsError(IdentityError):
    """An identity already exists; it has to be deleted before another is created."""


class PassphraseRequiredError(IdentityError):
    """The key is protected by a passphrase typed each time, and none was given."""


class WrongPassphraseError(IdentityError):
    """The passphrase does not open the private key."""


@dataclass(frozen=True, slots=True)
class IdentityInfo:
    """What can be shown about the identity without unlocking it."""

    name: str
    email: str
    passphrase_mode: PassphraseMode
    created: dt.datetime
    fingerprint: str  # SHA-256 of the certificate (DER), lower-case hex
    key_id: str  # SHA-256 of the public key (DER SubjectPublicKeyInfo), lower-case hex; survives re-issue
    not_before: dt.datetime
    not_after: dt.datetime
    issuer: str
    self_signed: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "email": self.email,
            "passphrase_mode": self.passphrase_mode,
            "created": self.created.isoformat(),
            "fingerprint": self.fingerprint,
            "key_id": self.key_id,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "issuer": self.issuer,
            "self_signed": self.self_signed,
        }


@dataclass(frozen=True, slots=True)
class UnlockedIdentity:
    """The private key in memory, ready to sign. Keep it only as long as needed."""

    name: str
    email: str
    private_key: SigningKey = field(repr=False)
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def fingerprint(self) -> str:
        return certificate_fingerprint(self.certificate)

    @property
    def signer(self) -> str:
        return describe_certificate(self.certificate)


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """The result of `verify_detached`: never an exception, always a reason."""

    valid: bool  # the signature matches the data and the certificate's key
    signer: str  # "Name <email>" from the certificate, "" when unreadable
    fingerprint: str  # SHA-256 of the signer's certificate, "" when unreadable
    trusted: bool  # valid, and the certificate is pinned or issued by a trusted authority, and in its validity period
    message: str
    issuer: str = ""  # the common name (else the subject) of the certificate's issuer; "" when unreadable
    self_signed: bool = False  # the certificate names itself as its issuer: nobody else vouches for it

    def trust_words(self, lang: str = "en") -> str:
        """ "TRUSTED (issued by …)" / "SELF-SIGNED, NOT TRUSTED" / …: see `trust_words`."""
        return trust_words(self.trusted, self.self_signed, self.issuer, lang)


def trust_words(trusted: bool, self_signed: bool, issuer: str, lang: str = "en") -> str:
    """The trust verdict on a signer's certificate as a person reads it, the decisive words first.

    Trusted: issued by an authority of the trust list ("TRUSTED (issued by ESCA Secretariat CA)"), or
    a self-signed certificate pinned in it. Not trusted: "SELF-SIGNED, NOT TRUSTED" — anybody can make
    such a certificate with any name — or issued by an authority that is not trusted here.
    """
    de = lang == "de"
    if trusted and self_signed:
        return (
            "VERTRAUENSWÜRDIG (selbst signiert, ausdrücklich in der Vertrauensliste hinterlegt)"
            if de
            else "TRUSTED (self-signed, pinned in the trust list)"
        )
    if trusted:
        return f"VERTRAUENSWÜRDIG (ausgestellt von {issuer})" if de else f"TRUSTED (issued by {issuer})"
    if self_signed:
        return "SELBST SIGNIERT, NICHT VERTRAUENSWÜRDIG" if de else "SELF-SIGNED, NOT TRUSTED"
    if issuer:
        return (
            f"NICHT VERTRAUENSWÜRDIG (ausgestellt von {issuer}, hier keine vertrauenswürdige Stelle)"
            if de
            else f"NOT TRUSTED (issued by {issuer}, not a trusted authority here)"
        )
    return "NICHT VERTRAUENSWÜRDIG" if de else "NOT TRUSTED"


# --- certificates ---------------------------------------------------------------------------------


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, lower-case hex (64 characters)."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def public_key_id(key: Any) -> str:
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _name_attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    value = values[0].value if values else ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def certificate_name(certificate: x509.Certificate) -> str:
    return _name_attribute(certificate.subject, NameOID.COMMON_NAME)


def certificate_email(certificate: x509.Certificate) -> str:
    email = _name_attribute(certificate.subject, NameOID.EMAIL_ADDRESS)
    if email:
        return email
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ""
    addresses = san.get_values_for_type(x509.RFC822Name)
    return addresses[0] if addresses else ""


def certificate_issuer(certificate: x509.Certificate) -> str:
    """The issuer's common name, else its whole distinguished name."""
    return _name_attribute(certificate.issuer, NameOID.COMMON_NAME) or certificate.issuer.rfc4514_string()


def is_self_signed(certificate: x509.Certificate) -> bool:
    return certificate.issuer == certificate.subject


def describe_certificate(certificate: x509.Certificate) -> str:
    """ "Name <email>" (or whichever of the two the certificate has; else its subject)."""
    name, email = certificate_name(certificate), certificate_email(certificate)
    if name and email:
        return f"{name} <{email}>"
    return name or email or certificate.subject.rfc4514_string()


def load_certificates(data: bytes, source: str) -> list[x509.Certificate]:
    """All certificates of a PEM file (or one DER certificate); ValidationError naming `source`."""
    try:
        if b"-----BEGIN" in data:
            return list(x509.load_pem_x509_certificates(data))
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise ValidationError(f"{source} does not contain a readable X.509 certificate (PEM or DER)") from None


def _subject(name: str, email: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, email),
        ]
    )


_SIGNING_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


def _self_signed(key: SigningKey, name: str, email: str, now: dt.datetime) -> x509.Certificate:
    subject = _subject(name, email)
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))  # tolerate a slightly slow clock elsewhere
        .not_valid_after(now + SELF_SIGNED_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_SIGNING_USAGE, critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _check_key(key: object, source: str) -> SigningKey:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if isinstance(key.curve, ec.SECP256R1 | ec.SECP384R1):
            return key
        raise ValidationError(f"{source}: the elliptic curve {key.curve.name} is not supported; use P-256 or P-384")
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size >= 2048:
            return key
        raise ValidationError(f"{source}: an RSA key of {key.key_size} bits is too weak; at least 2048 are needed")
    raise ValidationError(f"{source}: this kind of key ({type(key).__name__}) cannot sign here; use EC P-256 or RSA")


def _same_key(certificate: x509.Certificate, key: SigningKey) -> bool:
    return public_key_id(certificate.public_key()) == public_key_id(key.public_key())


def _check_certificate(certificate: x509.Certificate, now: dt.datetime, source: str) -> None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        raise ValidationError(
            f"{source}: the certificate does not allow signing (key usage); ask for a signing certificate"
        )
    if now > certificate.not_valid_after_utc:
        raise ValidationError(f"{source}: the certificate expired on {certificate.not_valid_after_utc:%Y-%m-%d}")
    if now < certificate.not_valid_before_utc:
        raise ValidationError(
            f"{source}: the certificate is valid only from {certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC; "
            "check the computer's clock"
        )


# --- files ----------------------------------------------------------------------------------------


def _write_private(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Atomic write with `mode` from the first byte (a crash leaves the old file or none)."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _pem(certificates: Sequence[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


class IdentityStore:
    """The identity in `data_dir/identity/`, with its passphrase in `credentials` (mode ``keyring``)."""

    def __init__(self, data_dir: Path, credentials: CredentialStore, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.folder = Path(data_dir) / "identity"
        self.credentials = credentials
        self.clock = clock

    # -- reading --

    def info(self) -> IdentityInfo | None:
        """The identity's description, or None when there is none yet."""
        record = self._record()
        if record is None:
            return None
        certificate = self.certificate()
        if certificate is None:
            raise IdentityError(
                f"The identity in {self.folder} has lost its certificate file; delete the identity "
                "(esca-desktop identity delete) and create or import it again"
            )
        return self._info(record, certificate)

    def require_info(self) -> IdentityInfo:
        info = self.info()
        if info is None:
            raise NoIdentityError(
                "There is no assessor identity yet: create one (esca-desktop identity create --name NAME "
                "--email EMAIL) or import a PKCS#12 file (esca-desktop identity import FILE)"
            )
        return info

    def certificate(self) -> x509.Certificate | None:
        """The current certificate (no passphrase needed), or None without an identity."""
        path = self.folder / CERTIFICATE_FILE
        if self._record() is None or not path.is_file():
            return None
        return load_certificates(path.read_bytes(), str(path))[0]

    def chain(self) -> tuple[x509.Certificate, ...]:
        path = self.folder / CHAIN_FILE
        return tuple(load_certificates(path.read_bytes(), str(path))) if path.is_file() else ()

    def _record(self) -> dict[str, Any] | None:
        path = self.folder / INFO_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise IdentityError(f"{path} cannot be read ({exc}); delete the identity and create it again") from None
        if (
            not isinstance(data, dict)
            or data.get("passphrase_mode") not in PASSPHRASE_MODES
            or not isinstance(data.get("format", 0), int)
            or not isinstance(data.get("created"), str)
        ):
            raise IdentityError(f"{path} is damaged; delete the identity and create it again")
        try:
            dt.datetime.fromisoformat(data["created"])
        except ValueError:
            raise IdentityError(f"{path} is damaged; delete the identity and create it again") from None
        if data.get("format", 0) > IDENTITY_FORMAT:
            raise IdentityError(f"{path} was written by a newer version of ESCA Assessor; update the program")
        return data

    def _info(self, record: Mapping[str, Any], certificate: x509.Certificate) -> IdentityInfo:
        return IdentityInfo(
            name=str(record.get("name") or certificate_name(certificate)),
            email=str(record.get("email") or certificate_email(certificate)),
            passphrase_mode=cast(PassphraseMode, record["passphrase_mode"]),
            created=dt.datetime.fromisoformat(str(record["created"])),
            fingerprint=certificate_fingerprint(certificate),
            key_id=public_key_id(certificate.public_key()),
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            issuer=certificate_issuer(certificate),
            self_signed=is_self_signed(certificate),
        )

    # -- creating --

    def create(
        self, name: str, email: str, passphrase: str | None = None, mode: PassphraseMode = "keyring"
    ) -> IdentityInfo:
        """A new EC P-256 key and a self-signed certificate.

        Mode ``keyring``: the passphrase (a strong random one unless given) goes to the keyring — no
        questions asked. Mode ``ask``: `passphrase` is required and never stored.
        """
        name, email = name.strip(), email.strip()
        if not name:
            raise ValidationError("The assessor's name is empty; give the name as it should appear on signatures")
        if not _EMAIL.match(email):
            raise ValidationError(f"{email!r} is not an e-mail address")
        self.ensure_no_identity()
        secret = self._choose_passphrase(mode, passphrase)
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = _self_signed(key, name, email, self.clock())
        return self._store(key, certificate, (), name, email, mode, secret)

    def import_pkcs12(
        self,
        path: Path,
        password: str | None,
        passphrase_mode: PassphraseMode = "keyring",
        passphrase: str | None = None,
    ) -> IdentityInfo:
        """A key and certificate (with its chain) from a .p12/.pfx file, e.g. issued by the secretariat."""
        source = str(path)
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise UserError(f"{source} cannot be read ({exc.strerror or exc})") from None
        try:
            key, certificate, others = pkcs12.load_key_and_certificates(
                data, password.encode("utf-8") if password else None
            )
        except UnsupportedAlgorithm:
            raise ValidationError(
                f"{source} is encrypted with an outdated algorithm; export it again with AES "
                "(e.g. openssl pkcs12 -export -keypbe AES-256-CBC -certpbe AES-256-CBC)"
            ) from None
        except (ValueError, TypeError):
            raise ValidationError(
                f"{source} could not be opened: the password is wrong, or it is not a PKCS#12 (.p12/.pfx) file"
            ) from None
        if key is None or certificate is None:
            raise ValidationError(f"{source} must contain both a private key and its certificate")
        signing_key = _check_key(key, source)
        if not _same_key(certificate, signing_key):
            raise ValidationError(f"{source}: the certificate does not belong to the private key in the file")
        _check_certificate(certificate, self.clock(), source)
        self.ensure_no_identity()
        secret = self._choose_passphrase(passphrase_mode, passphrase)
        name = certificate_name(certificate) or describe_certificate(certificate)
        return self._store(
            signing_key, certificate, tuple(others), name, certificate_email(certificate), passphrase_mode, secret
        )

    def ensure_no_identity(self) -> None:
        existing = self._record()
        if existing is not None:
            raise IdentityExistsError(
                f"An assessor identity already exists ({existing.get('name')}, {existing.get('email')}). "
                "Delete it first (esca-desktop identity delete) — documents it signed stay valid"
            )

    def _choose_passphrase(self, mode: str, passphrase: str | None) -> str:
        if mode not in PASSPHRASE_MODES:
            raise ValidationError(f"passphrase mode {mode!r} is unknown; use 'keyring' or 'ask'")
        if passphrase is not None and len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise ValidationError(f"The passphrase is too short; use at least {MIN_PASSPHRASE_LENGTH} characters")
        if mode == "ask":
            if passphrase is None:
                raise PassphraseRequiredError("Choose a passphrase for the signing key (it is asked for each time)")
            return passphrase
        self.credentials.check()
        if not self.credentials.persistent:
            raise NoSecureStoreError(
                f"The passphrase would be kept only in the {self.credentials.description}, and the key would "
                "become unusable after that. Use the OS keyring, or choose to type the passphrase each time "
                "(--ask-passphrase)"
            )
        return passphrase if passphrase is not None else secrets.token_urlsafe(32)

    def _store(
        self,
        key: SigningKey,
        certificate: x509.Certificate,
        chain: tuple[x509.Certificate, ...],
        name: str,
        email: str,
        mode: PassphraseMode,
        passphrase: str,
    ) -> IdentityInfo:
        entry = _keyring_entry(public_key_id(key.public_key()))
        if mode == "keyring":
            self.credentials.set(KEYRING_SERVICE, entry, passphrase)  # first: nothing on disk if this fails
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            encrypted = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
            )
            _write_private(self.folder / KEY_FILE, encrypted)
            _write_private(self.folder / CERTIFICATE_FILE, _pem([certificate]), 0o644)
            if chain:
                _write_private(self.folder / CHAIN_FILE, _pem(chain), 0o644)
            else:
                (self.folder / CHAIN_FILE).unlink(missing_ok=True)
            record = {
                "format": IDENTITY_FORMAT,
                "name": name,
                "email": email,
                "passphrase_mode": mode,
                "created": self.clock().isoformat(),
                "certificate_fingerprint": certificate_fingerprint(certificate),
                "key_id": public_key_id(key.public_key()),
            }
            _write_private(self.folder / INFO_FILE, json.dumps(record, indent=2).encode("utf-8"), 0o644)
        except BaseException:
            if mode == "keyring":
                self.credentials.delete(KEYRING_SERVICE, entry)
            raise
        return self._info(record, certificate)

    # -- using --

    def unlock(self, passphrase: str | None = None) -> UnlockedIdentity:
        """The private key, decrypted with `passphrase`, else (mode ``keyring``) the stored one."""
        info = self.require_info()
        certificate = self.certificate()
        assert certificate is not None  # require_info checked it
        if passphrase is None:
            if info.passphrase_mode == "ask":
                raise PassphraseRequiredError("Enter the passphrase of your signing key")
            passphrase = self.credentials.get(KEYRING_SERVICE, _keyring_entry(info.key_id))
            if passphrase is None:
                raise IdentityError(
                    f"The passphrase of your signing key is not in the {self.credentials.description} any more. "
                    "If you know it, enter it; otherwise delete the identity (esca-desktop identity delete) and "
                    "create a new one"
                )
        key_path = self.folder / KEY_FILE
        try:
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=passphrase.encode("utf-8"))
        except FileNotFoundError:
            raise IdentityError(
                f"The private key file {key_path} is missing; delete the identity and create or import it again"
            ) from None
        except (ValueError, TypeError):
            raise WrongPassphraseError(
                "The passphrase does not open your signing key; check it and try again"
            ) from None
        signing_key = _check_key(key, str(key_path))
        if not _same_key(certificate, signing_key):
            raise IdentityError(f"{self.folder}: the certificate does not belong to the private key; import it again")
        return UnlockedIdentity(info.name, info.email, signing_key, certificate, self.chain())

    def certificate_request(self, passphrase: str | None = None) -> bytes:
        """A certificate signing request (PEM) for the secretariat; install its answer with `install_certificate`."""
        identity = self.unlock(passphrase)
        request = (
            x509.CertificateSigningRequestBuilder()
            .subject_name(_subject(identity.name, identity.email))
            .add_extension(_SIGNING_USAGE, critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(identity.email)]), critical=False)
            .sign(identity.private_key, hashes.SHA256())
        )
        return request.public_bytes(serialization.Encoding.PEM)

    def install_certificate(self, data: bytes, source: str = "the certificate file") -> IdentityInfo:
        """Replace the certificate with one issued for this key (PEM, optionally followed by its chain)."""
        self.require_info()
        record, current = self._record(), self.certificate()
        assert record is not None and current is not None  # require_info checked both
        certificates = load_certificates(data, source)
        key_id = public_key_id(current.public_key())
        mine = [c for c in certificates if public_key_id(c.public_key()) == key_id]
        if not mine:
            raise ValidationError(f"{source} holds no certificate for your key; was it issued for your request?")
        certificate = mine[0]
        _check_certificate(certificate, self.clock(), source)
        chain = tuple(c for c in certificates if c is not certificate)
        _write_private(self.folder / CERTIFICATE_FILE, _pem([certificate]), 0o644)
        if chain:
            _write_private(self.folder / CHAIN_FILE, _pem(chain), 0o644)
        record = {
            **record,
            "name": certificate_name(certificate) or record.get("name"),
            "email": certificate_email(certificate) or record.get("email"),
            "certificate_fingerprint": certificate_fingerprint(certificate),
        }
        _write_private(self.folder / INFO_FILE, json.dumps(record, indent=2).encode("utf-8"), 0o644)
        return self._info(record, certificate)

    def delete(self) -> None:
        """Remove the key, the certificate and the stored passphrase (a real "sign out")."""
        record = self._record()
        if record is not None and record.get("passphrase_mode") == "keyring" and record.get("key_id"):
            try:
                self.credentials.delete(KEYRING_SERVICE, _keyring_entry(str(record["key_id"])))
            except UserError as exc:  # the passphrase alone opens nothing once the key file is gone
                log.warning("the key's passphrase could not be removed from the keyring: %s", exc)
        for name in (INFO_FILE, KEY_FILE, CERTIFICATE_FILE, CHAIN_FILE):
            (self.folder / name).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # missing, or holds files we did not write
            self.folder.rmdir()


def _keyring_entry(key_id: str) -> str:
    return f"signing-key-passphrase/{key_id}"


# --- detached signatures (bundles) ----------------------------------------------------------------


def _algorithm_for(public_key: object) -> str | None:
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return {"secp256r1": "ecdsa-p256-sha256", "secp384r1": "ecdsa-p384-sha384"}.get(public_key.curve.name)
    if isinstance(public_key, rsa.RSAPublicKey):
        return "rsa-pss-sha256"
    return None


def _pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def sign_detached(identity: UnlockedIdentity, data: bytes) -> dict[str, str]:
    """A JSON-able detached signature of `data`: {"algorithm", "certificate" (PEM), "signature" (base64)}."""
    key = identity.private_key
    algorithm = _algorithm_for(key.public_key())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        digest = hashes.SHA384() if algorithm == "ecdsa-p384-sha384" else hashes.SHA256()
        raw = key.sign(bytes(data), ec.ECDSA(digest))
    else:
        raw = key.sign(bytes(data), _pss(), hashes.SHA256())
    assert algorithm is not None  # _check_key admits only keys with an algorithm
    return {
        "algorithm": algorithm,
        "certificate": identity.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        "signature": base64.b64encode(raw).decode("ascii"),
    }


def verify_detached(
    data: bytes,
    signature: Mapping[str, Any],
    trusted_certificates: Sequence[x509.Certificate] = (),
    at: dt.datetime | None = None,
    intermediate_certificates: Sequence[x509.Certificate] = (),
) -> SignatureCheck:
    """Check a `sign_detached` signature. Never raises on malformed input: valid=False with the reason.

    `trusted` needs a valid signature by a certificate that allows signing, is within its validity
    period at `at` (default: now), and is one of `trusted_certificates` or issued by one of them that is
    an authority (see `TrustList`), possibly through `intermediate_certificates`.
    """
    try:
        return _verify_detached(data, signature, trusted_certificates, at or utcnow(), intermediate_certificates)
    except Exception as exc:  # a promise to callers: a hostile bundle must not crash the reader
        log.debug("detached signature check failed", exc_info=True)
        return SignatureCheck(False, "", "", False, f"the signature cannot be read ({type(exc).__name__})")


def _invalid(message: str, signer: str = "", fingerprint: str = "") -> SignatureCheck:
    return SignatureCheck(False, signer, fingerprint, False, message)


def _verify_detached(
    data: object,
    signature: object,
    trusted: Sequence[x509.Certificate],
    now: dt.datetime,
    intermediates: Sequence[x509.Certificate] = (),
) -> SignatureCheck:
    if not isinstance(data, bytes | bytearray | memoryview):
        return _invalid("the signed data is not bytes")
    if not isinstance(signature, Mapping):
        return _invalid("the signature is not an object with algorithm, certificate and signature")
    algorithm, pem, encoded = (signature.get(k) for k in ("algorithm", "certificate", "signature"))
    if not (isinstance(algorithm, str) and isinstance(pem, str) and isinstance(encoded, str)):
        return _invalid("the signature lacks its algorithm, certificate or signature text")
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return _invalid("the signer's certificate cannot be read")
    signer, fingerprint = describe_certificate(certificate), certificate_fingerprint(certificate)
    public_key = certificate.public_key()
    if _algorithm_for(public_key) != algorithm:
        return _invalid(f"the algorithm {algorithm!r} does not match the certificate's key", signer, fingerprint)
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return _invalid("the signature is not valid base64", signer, fingerprint)
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            digest = hashes.SHA384() if algorithm == "ecdsa-p384-sha384" else hashes.SHA256()
            public_key.verify(raw, bytes(data), ec.ECDSA(digest))
        elif isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(raw, bytes(data), _pss(), hashes.SHA256())
    except InvalidSignature:
        return _invalid(
            "the signature does not match the data: the data or the signature was changed", signer, fingerprint
        )
    is_trusted, why = _trust(certificate, trusted, now, intermediates)
    return SignatureCheck(
        True,
        signer,
        fingerprint,
        is_trusted,
        f"valid signature by {signer}; {why}",
        issuer=certificate_issuer(certificate),
        self_signed=is_self_signed(certificate),
    )


def _key_usage(certificate: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None


def allows_signing(certificate: x509.Certificate) -> bool:
    """The key usage admits signatures (digitalSignature or nonRepudiation); no key usage admits all."""
    usage = _key_usage(certificate)
    return usage is None or usage.digital_signature or usage.content_commitment


def is_authority(certificate: x509.Certificate) -> bool:
    """May issue certificates (RFC 5280 4.2.1.9, 4.2.1.3): basic constraints CA, and keyCertSign in
    its key usage when it has one. A person's certificate in a trust list never is."""
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    usage = _key_usage(certificate)
    return constraints.ca and (usage is None or usage.key_cert_sign)


def _asn1(certificate: x509.Certificate) -> Any:
    from pyhanko.keys import load_certs_from_pemder_data

    return next(iter(load_certs_from_pemder_data(certificate.public_bytes(serialization.Encoding.DER))))


@dataclass(frozen=True, slots=True)
class TrustList:
    """The certificates of a trust list, by what each vouches for: every one for itself (pinned), an
    authority (`is_authority`) also for the certificates it issues, within its path length."""

    pinned: tuple[x509.Certificate, ...] = ()
    authorities: tuple[x509.Certificate, ...] = ()

    @classmethod
    def of(cls, certificates: Sequence[x509.Certificate]) -> TrustList:
        return cls(tuple(certificates), tuple(c for c in certificates if is_authority(c)))

    def pins(self, certificate: x509.Certificate) -> bool:
        fingerprint = certificate_fingerprint(certificate)
        return any(certificate_fingerprint(p) == fingerprint for p in self.pinned)

    def anchors_for(self, certificate: x509.Certificate) -> list[Any]:
        """pyHanko trust anchors to validate `certificate` against: the authorities, with the path
        length of their basic constraints, and the certificate itself when it is pinned."""
        from pyhanko_certvalidator.authority import CertTrustAnchor

        anchors = [CertTrustAnchor(_asn1(a), quals=_authority_qualifiers(_asn1(a))) for a in self.authorities]
        if self.pins(certificate):
            anchors.append(CertTrustAnchor(_asn1(certificate)))
        return anchors


def _authority_qualifiers(certificate: Any) -> Any:
    """An authority's own limits (path length, validity, policies) as pyHanko trust qualifiers.

    (certvalidator 0.33 takes the attribute-authority path length from the trust qualifiers whenever
    a path length is set, and fails on None: both are set alike here.)"""
    import dataclasses

    from pyhanko_certvalidator.authority import derive_quals_from_cert

    qualifiers = derive_quals_from_cert(certificate)
    return dataclasses.replace(qualifiers, max_aa_path_length=qualifiers.max_path_length)


def _run(make: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run a coroutine to completion from synchronous code, in this thread when it has no loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="certvalidator") as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def _trust(
    certificate: x509.Certificate,
    trusted: Sequence[x509.Certificate],
    now: dt.datetime,
    intermediates: Sequence[x509.Certificate] = (),
) -> tuple[bool, str]:
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import ExpiredError, NotYetValidError, PathBuildingError
    from pyhanko_certvalidator.errors import ValidationError as PathError

    if not allows_signing(certificate):
        return False, "the certificate does not allow signing (key usage)"
    trust = TrustList.of(trusted)
    if now > certificate.not_valid_after_utc:
        return False, f"the certificate expired on {certificate.not_valid_after_utc:%Y-%m-%d}"
    if now < certificate.not_valid_before_utc:
        return False, f"the certificate is not valid before {certificate.not_valid_before_utc:%Y-%m-%d}"
    anchors = trust.anchors_for(certificate)
    if not anchors:
        return False, "the certificate is not in the trust list"
    context = ValidationContext(trust_roots=anchors, moment=now, allow_fetching=False)
    validator = CertificateValidator(
        _asn1(certificate), intermediate_certs=[_asn1(c) for c in intermediates], validation_context=context
    )
    try:
        _run(validator.async_validate_path)
    except PathBuildingError:
        return False, "the certificate is not in the trust list, nor issued by an authority in it"
    except ExpiredError:
        return False, "a certificate on the way to the trusted authority has expired"
    except NotYetValidError:
        return False, "a certificate on the way to the trusted authority is not valid yet"
    except PathError as exc:
        return False, f"the certificate's path to the trust list is not valid ({exc})"
    if trust.pins(certificate):
        return True, "the certificate is pinned in the trust list"
    return True, f"the certificate is trusted (issued by {certificate_issuer(certificate)})"
