"""PAdES signatures on our PDFs (pyHanko) with a visible stamp, and their verification.

`sign_pdf` appends a PAdES B-B signature (offline: no timestamp authority) as an incremental update,
in a new signature field whose rectangle is the report's `SignatureBox`; the stamp inside it is drawn
with ReportLab in the shipped TTF font, so that any European name prints (pyHanko's own stamp fonts are
Latin-only without extra packages). `verify_pdf` checks every embedded signature: the signed bytes
are unchanged (`intact`), nothing but further signatures was appended after signing
(`modified_after_signing`), and the signer's certificate chains to one of `trusted_certificates`.

pyHanko is imported on first use (≈ 0.3 s). Its signing and validation run on `asyncio`; both
functions work from any thread without a running event loop — the window calls them from a worker
thread — and, should they be called inside a running loop, they move to a helper thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import io
import logging
import os
import tempfile
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from esca_desktop.errors import UserError, ValidationError
from esca_desktop.forms.values import msg
from esca_desktop.reports.model import SignatureBox
from esca_desktop.security.identity import (
    TrustList,
    UnlockedIdentity,
    certificate_fingerprint,
    certificate_issuer,
    describe_certificate,
    is_self_signed,
)

if TYPE_CHECKING:
    from cryptography import x509

log = logging.getLogger(__name__)

T = TypeVar("T")

STAMP_ACCENT = (0.16, 0.33, 0.55)  # the reports' blue
STAMP_TINT = (0.94, 0.96, 0.99)


class UnreadablePdfError(UserError):
    """The file cannot be read as a PDF (missing, not a PDF, damaged beyond parsing)."""


class SigningError(UserError):
    """The PDF could not be signed; the message says why."""


@dataclass(frozen=True, slots=True)
class EmbeddedSignatureCheck:
    """One embedded signature, as judged by pyHanko."""

    field_name: str
    signer: str  # "Name <email>"
    fingerprint: str  # SHA-256 of the signer's certificate
    signing_time: dt.datetime | None  # as the signer's computer reported it (PAdES B-B has no timestamp)
    intact: bool  # the signed bytes and the cryptographic signature are unchanged
    trusted: bool
    modified_after_signing: bool
    covers_whole_file: bool
    problem: str  # "" when nothing is wrong
    issuer: str = ""  # who issued the signer's certificate (common name)
    self_signed: bool = False  # the signer's certificate is its own issuer
    changed_metadata: tuple[str, ...] = ()  # document information (e.g. "Title") rewritten after signing

    @classmethod
    def failed(cls, field_name: str, problem: str) -> EmbeddedSignatureCheck:
        """A signature that could not be judged at all: nothing about it holds."""
        return cls(field_name, "", "", None, False, False, False, False, problem)


@dataclass(frozen=True, slots=True)
class PdfVerification:
    """The verdict on a file: for several signatures, `intact`/`trusted` hold for all of them."""

    signed: bool
    intact: bool
    signer: str
    signing_time: dt.datetime | None
    trusted: bool
    modified_after_signing: bool
    message: str
    signatures: tuple[EmbeddedSignatureCheck, ...] = ()

    @property
    def ok(self) -> bool:
        """Signed, every signature intact, and nothing but signatures added since: the `verify` exit 0."""
        return self.signed and self.intact and not self.modified_after_signing

    def as_json(self) -> dict[str, Any]:
        return {
            "signed": self.signed,
            "intact": self.intact,
            "signer": self.signer,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "trusted": self.trusted,
            "modified_after_signing": self.modified_after_signing,
            "ok": self.ok,
            "message": self.message,
            "signatures": [
                {
                    "field": s.field_name,
                    "signer": s.signer,
                    "fingerprint": s.fingerprint,
                    "signing_time": s.signing_time.isoformat() if s.signing_time else None,
                    "intact": s.intact,
                    "trusted": s.trusted,
                    "modified_after_signing": s.modified_after_signing,
                    "covers_whole_file": s.covers_whole_file,
                    "problem": s.problem,
                    "changed_metadata": list(s.changed_metadata),
                }
                for s in self.signatures
            ],
        }


# --- plumbing -------------------------------------------------------------------------------------


def _quiet_pyhanko() -> None:
    """pyHanko logs every failed check with a traceback; a failed check is a result here, not an error."""
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _run(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from synchronous code, in this thread when it has no loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def _write_atomically(path: Path, data: bytes) -> None:
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UnreadablePdfError(f"{path} cannot be read ({exc.strerror or exc})") from None


def _to_asn1_certificate(certificate: x509.Certificate) -> Any:
    """pyHanko works on asn1crypto objects: hand them over through DER."""
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.keys import load_certs_from_pemder_data

    return next(iter(load_certs_from_pemder_data(certificate.public_bytes(Encoding.DER))))


def _to_asn1_key(identity: UnlockedIdentity) -> Any:
    from cryptography.hazmat.primitives import serialization
    from pyhanko.keys import load_private_key_from_pemder_data

    der = identity.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return load_private_key_from_pemder_data(der, passphrase=None)


# --- the stamp ------------------------------------------------------------------------------------


def _stamp_pdf(width: float, height: float, lines: Sequence[tuple[str, bool, float]]) -> bytes:
    """A one-page PDF the size of the box: a tinted panel with an accent bar and the lines of text.

    `lines` are (text, bold, relative size); sizes shrink together until the text fits.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
    from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

    from esca_desktop.reports.fonts import register_fonts

    family = register_fonts()
    pad, bar = max(2.0, min(width, height) * 0.06), max(1.5, width * 0.012)
    inner_width, inner_height = width - 2 * pad - bar, height - 2 * pad
    scale = inner_height / (sum(size for _, _, size in lines) * 1.25)
    for text, bold, size in lines:
        font = family.bold if bold else family.regular
        needed = stringWidth(text, font, size)
        if needed * scale > inner_width:
            scale = inner_width / needed
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=1)
    canvas.setFillColorRGB(*STAMP_TINT)
    canvas.setStrokeColorRGB(*STAMP_ACCENT)
    canvas.setLineWidth(0.6)
    canvas.rect(0.3, 0.3, width - 0.6, height - 0.6, fill=1, stroke=1)
    canvas.setFillColorRGB(*STAMP_ACCENT)
    canvas.rect(0.3, 0.3, bar, height - 0.6, fill=1, stroke=0)
    y = height - pad
    for text, bold, size in lines:
        font_size = size * scale
        y -= font_size * 1.1
        canvas.setFont(family.bold if bold else family.regular, font_size)
        canvas.setFillColorRGB(*((0.1, 0.1, 0.12) if bold else (0.25, 0.27, 0.3)))
        canvas.drawString(pad + bar + pad * 0.5, y, text)
        y -= font_size * 0.15
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _stamp_lines(
    identity: UnlockedIdentity, when: dt.datetime, reason: str, location: str, lang: str = "en"
) -> list[tuple[str, bool, float]]:
    from esca_desktop.reports.document import format_moment

    signed_by = "Digital signiert von" if lang == "de" else "Digitally signed by"
    lines: list[tuple[str, bool, float]] = [(signed_by, False, 6.5), (identity.name, True, 10.0)]
    if identity.email:
        lines.append((identity.email, False, 7.0))
    lines.append((f"{format_moment(when, lang)} UTC" + (f" · {location}" if location else ""), False, 7.0))
    if reason:
        lines.append((reason, False, 7.0))
    return lines


# --- signing --------------------------------------------------------------------------------------


def sign_pdf(
    in_path: Path,
    out_path: Path,
    identity: UnlockedIdentity,
    box: SignatureBox,
    reason: str,
    location: str,
    field_name: str = "AssessorSignature",
    lang: str = "en",
) -> None:
    """Sign `in_path` into `out_path` (may be the same file; written atomically): PAdES B-B, visible stamp
    (its words in `lang`, the document's language).

    A new signature field named `field_name` is added with the rectangle of `box` on its page; an
    existing empty field of that name is filled instead. A field that is already signed is refused.
    """
    if not (box.x2 > box.x1 and box.y2 > box.y1):
        raise ValidationError(f"the signature box {box} has no area")
    data = _read(in_path)
    _quiet_pyhanko()
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError as PyhankoSigningError
    from pyhanko.stamp import StaticStampStyle
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        pages = int(writer.root["/Pages"]["/Count"])
        existing = list(fields.enumerate_sig_fields(writer.prev, with_name=field_name))
    except (PdfError, KeyError, TypeError, ValueError) as exc:
        raise UnreadablePdfError(f"{in_path} is not a PDF that can be signed ({exc})") from None
    if not 0 <= box.page_index < pages:
        raise ValidationError(f"the signature box is on page {box.page_index + 1}, but {in_path} has {pages} pages")
    if any(value is not None for _, value, _ in existing):
        raise SigningError(f"{in_path} is already signed in the field {field_name!r}")

    registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    for certificate in identity.chain:
        registry.register(_to_asn1_certificate(certificate))
    signer = signers.SimpleSigner(
        signing_cert=_to_asn1_certificate(identity.certificate),
        signing_key=_to_asn1_key(identity),
        cert_registry=registry,
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=identity.name,
    )
    # pyHanko takes whole points; the stamp is drawn for exactly that rectangle
    x1, y1, x2, y2 = (round(v) for v in (box.x1, box.y1, box.x2, box.y2))
    when = dt.datetime.now(dt.UTC)
    stamp = _stamp_pdf(x2 - x1, y2 - y1, _stamp_lines(identity, when, reason, location, lang))
    with tempfile.TemporaryDirectory(prefix="esca-stamp-") as folder:
        stamp_path = Path(folder) / "stamp.pdf"
        stamp_path.write_bytes(stamp)
        pdf_signer = signers.PdfSigner(
            metadata,
            signer,
            stamp_style=StaticStampStyle.from_pdf_file(
                str(stamp_path),
                border_width=0,  # the stamp draws its own frame, edge to edge
                background_layout=layout.SimpleBoxLayoutRule(
                    x_align=layout.AxisAlignment.ALIGN_MID,
                    y_align=layout.AxisAlignment.ALIGN_MID,
                ),
            ),
            new_field_spec=None
            if existing
            else fields.SigFieldSpec(field_name, on_page=box.page_index, box=(x1, y1, x2, y2)),
        )
        output = io.BytesIO()
        try:
            _run(lambda: pdf_signer.async_sign_pdf(writer, output=output))
        except (PyhankoSigningError, PdfError) as exc:
            raise SigningError(f"{in_path} could not be signed: {exc}") from None
    _write_atomically(Path(out_path), output.getvalue())


# --- verification ---------------------------------------------------------------------------------


def verify_pdf(path: Path, trusted_certificates: Sequence[x509.Certificate] = (), lang: str = "en") -> PdfVerification:
    """Check every signature of `path` against the file and `trusted_certificates` (the trust roots);
    the verdict's message in `lang`.

    An unsigned PDF gives signed=False; a file that is not a readable PDF raises `UnreadablePdfError`.
    """
    data = _read(path)
    _quiet_pyhanko()
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded, damaged = _collect_signatures(reader)
    except Exception as exc:  # a damaged or hostile file: any parser failure is "unreadable", not a bug
        log.debug("cannot parse %s", path, exc_info=True)
        reason = exc or type(exc).__name__
        raise UnreadablePdfError(
            msg(lang, f"{path} is not a readable PDF ({reason})", f"{path} ist kein lesbares PDF ({reason})")
        ) from None
    if not embedded and not damaged:
        name = Path(path).name
        unsigned = msg(
            lang,
            f"{name} carries no signature: it is not a signed document",
            f"{name} trägt keine Signatur: es ist kein signiertes Dokument",
        )
        return PdfVerification(False, False, "", None, False, False, unsigned)
    trust = TrustList.of(trusted_certificates)
    statuses = [_check_signature(sig, trust, later=i < len(embedded) - 1) for i, sig in enumerate(embedded)]
    return _verdict(Path(path).name, (*statuses, *damaged), lang)


def _collect_signatures(reader: Any) -> tuple[list[Any], list[EmbeddedSignatureCheck]]:
    """The filled signature fields in signing order, and those whose signature value cannot be parsed.

    (pyHanko's `reader.embedded_signatures` gives up on the whole file when one value is damaged.)
    """
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation import EmbeddedPdfSignature

    embedded: list[tuple[int, Any]] = []
    damaged: list[EmbeddedSignatureCheck] = []
    for name, _, field_ref in enumerate_sig_fields(reader, filled_status=True):
        try:
            signature = EmbeddedPdfSignature(reader, field_ref, name)
            embedded.append((signature.signed_revision, signature))
        except Exception as exc:  # the /Contents of that signature is not a CMS object any more
            log.debug("damaged signature value in %s", name, exc_info=True)
            damaged.append(
                EmbeddedSignatureCheck.failed(
                    str(name), f"the signature value is damaged or was removed ({exc or type(exc).__name__})"
                )
            )
    embedded.sort(key=lambda item: item[0])
    return [signature for _, signature in embedded], damaged


def _check_signature(embedded: Any, trust: TrustList, later: bool) -> EmbeddedSignatureCheck:
    from cryptography import x509
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    field_name = str(getattr(embedded, "field_name", "") or "")
    try:
        # a pinned certificate vouches only for itself; authorities (CA, keyCertSign) for what they issue
        signer_certificate = x509.load_der_x509_certificate(embedded.signer_cert.dump())
        context = ValidationContext(trust_roots=trust.anchors_for(signer_certificate), allow_fetching=False)
        usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})
        status = _run(
            lambda: async_validate_pdf_signature(embedded, signer_validation_context=context, key_usage_settings=usage)
        )
    except Exception as exc:  # a signature so damaged that pyHanko cannot even evaluate it
        log.debug("cannot validate signature %s", field_name, exc_info=True)
        return EmbeddedSignatureCheck.failed(
            field_name, f"the signature cannot be evaluated ({exc or type(exc).__name__})"
        )
    certificate = x509.load_der_x509_certificate(status.signing_cert.dump())
    level = status.modification_level
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    harmless = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES}
    if later:
        harmless.add(ModificationLevel.FORM_FILLING)  # the later signatures themselves
    modified = not whole and (level is None or level not in harmless or status.docmdp_ok is False)
    # pyHanko's change analysis lets the document information and XMP metadata be rewritten freely
    changed = () if whole else _metadata_changed_since(embedded)
    modified = modified or bool(changed)
    intact = bool(status.intact and status.valid)
    if not intact:
        problem = "the signed content was changed after signing (or the file is damaged)"
    elif changed:
        problem = f"the document's {', '.join(changed)} was changed after it was signed"
    elif modified:
        problem = "changes were appended to the file after it was signed"
    elif not status.trusted:
        problem = "the certificate is not issued by a trusted authority"
    else:
        problem = ""
    return EmbeddedSignatureCheck(
        field_name=field_name,
        signer=describe_certificate(certificate),
        fingerprint=certificate_fingerprint(certificate),
        signing_time=status.signer_reported_dt,
        intact=intact,
        trusted=bool(status.trusted),
        modified_after_signing=modified,
        covers_whole_file=whole,
        problem=problem,
        issuer=certificate_issuer(certificate),
        self_signed=is_self_signed(certificate),
        changed_metadata=changed,
    )


# The document information a signature covers: what a reader shows as the document's title, author …
# (/Producer and /ModDate are rewritten by every signing tool, ours included, so they do not count.)
SIGNED_INFO_KEYS = ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/CreationDate")
_XMP_ELEMENTS = ("dc:title", "dc:creator", "dc:description", "dc:subject", "pdf:Keywords", "xmp:CreateDate")


def _metadata_changed_since(embedded: Any) -> tuple[str, ...]:
    """The document information entries (by name, e.g. "Title") and XMP metadata that differ between
    the revision the signature covers and the file as it is now."""
    import re

    reader = embedded.reader
    then = reader.get_historical_resolver(embedded.signed_revision)

    def info(trailer: Any) -> dict[str, str]:
        try:
            found = trailer["/Info"].get_object() if "/Info" in trailer else {}
            return {key: str(found[key]) for key in SIGNED_INFO_KEYS if key in found}
        except Exception:  # a damaged dictionary: compared as empty
            return {}

    def xmp(root: Any) -> dict[str, str]:
        try:
            text = root["/Metadata"].get_object().data.decode("utf-8", "replace") if "/Metadata" in root else ""
        except Exception:
            text = ""
        found = {}
        for element in _XMP_ELEMENTS:
            match = re.search(rf"<{element}\b[^>]*>(.*?)</{element}>", text, re.S)
            if match:
                found[element] = " ".join(match.group(1).split())
        return found

    changed = []
    old_info, new_info = info(then.trailer_view), info(reader.trailer_view)
    changed += [key.lstrip("/") for key in SIGNED_INFO_KEYS if old_info.get(key) != new_info.get(key)]
    old_xmp, new_xmp = xmp(then.root), xmp(reader.root)
    if old_xmp != new_xmp:
        changed.append("XMP metadata")
    return tuple(changed)


def _changed_metadata(statuses: tuple[EmbeddedSignatureCheck, ...]) -> list[str]:
    return list(dict.fromkeys(key for s in statuses for key in s.changed_metadata))


def _verdict_de(
    name: str,
    statuses: tuple[EmbeddedSignatureCheck, ...],
    signer: str,
    when: dt.datetime | None,
    intact: bool,
    trusted: bool,
    modified: bool,
) -> str:
    by = f" von {signer}" if signer else ""
    damaged = [s for s in statuses if not s.intact and not s.signer]
    if damaged:
        return f"{name}: die Signatur im Feld {damaged[0].field_name!r} ist beschädigt oder wurde entfernt"
    if not intact:
        return (
            f"{name}: die Signatur{by} passt nicht zum Dokument: es wurde nach dem Signieren geändert oder ist "
            "beschädigt"
        )
    if modified:
        changed = _changed_metadata(statuses)
        detail = f"{', '.join(changed)} wurde geändert" if changed else "eine Aktualisierung wurde angehängt"
        return f"{name}: das Dokument wurde geändert, nachdem es{by} signiert wurde ({detail})"
    stamp = f" am {when:%d.%m.%Y %H:%M} UTC" if when else ""
    trust = (
        "das Zertifikat ist vertrauenswürdig"
        if trusted
        else "das Zertifikat stammt nicht von einer vertrauenswürdigen Stelle"
    )
    return f"{name}: signiert{by}{stamp}; seit dem Signieren unverändert; {trust}"


def _verdict(name: str, statuses: tuple[EmbeddedSignatureCheck, ...], lang: str = "en") -> PdfVerification:
    intact = all(s.intact for s in statuses)
    trusted = all(s.trusted for s in statuses)
    modified = any(s.modified_after_signing for s in statuses)
    signers = list(dict.fromkeys(s.signer for s in statuses if s.signer))
    signer = ", ".join(signers)
    times = [s.signing_time for s in statuses if s.signing_time is not None]
    when = max(times) if times else None
    if lang == "de":
        message = _verdict_de(name, statuses, signer, when, intact, trusted, modified)
        return PdfVerification(True, intact, signer, when, trusted, modified, message, statuses)
    by = f" by {signer}" if signer else ""
    damaged = [s for s in statuses if not s.intact and not s.signer]
    if damaged:
        message = f"{name}: the signature in the field {damaged[0].field_name!r} is damaged or was removed"
    elif not intact:
        message = f"{name}: the signature{by} does not match the document: it was changed after signing or damaged"
    elif modified:
        changed = _changed_metadata(statuses)
        detail = f"its {', '.join(changed)} was changed" if changed else "an update was appended"
        message = f"{name}: the document was changed after it was signed{by} ({detail})"
    else:
        stamp = f" on {when:%Y-%m-%d %H:%M} UTC" if when else ""
        trust = "the certificate is trusted" if trusted else "the certificate is not from a trusted authority"
        message = f"{name}: signed{by}{stamp}; unchanged since signing; {trust}"
    return PdfVerification(True, intact, signer, when, trusted, modified, message, statuses)
