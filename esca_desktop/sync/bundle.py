"""The assessment bundle (`*.esca`): a signed, tamper-evident zip that carries one finalised assessment.

Layout (see docs/bundle-format.md)::

    manifest.json     format, assessment id and revision, catalog, assessor, creation time, and every
                      other file with its SHA-256 and size
    signature.json    the assessor's detached signature over the exact bytes of manifest.json
    assessment.json   all data of the assessment, audit trail included (docs/assessment-json.schema.json)
    report.pdf        the signed report (optional)
    evidence/<name>   the evidence files, under their stored names

`read_bundle` is the one door in: it treats the archive as hostile and checks everything — zip
structure, names, sizes, compression ratio, format version, manifest, signature, every hash and size,
the document's shape and its agreement with the manifest — before it returns anything. Each refusal is
a `BundleError` whose message names the entry. The desktop import and the central review service
both use it, so that a bundle is judged the same way on both sides.

Qt-free and store-free: no SQLAlchemy here; the audit chain inside assessment.json is verified by the
caller, with the store's own chain rules.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import json
import math
import os
import re
import stat
import struct
import tempfile
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from cryptography import x509

from esca_desktop.errors import UserError
from esca_desktop.security.identity import SignatureCheck, verify_detached
from esca_desktop.sync.streamed_entries import StreamedEntry

BUNDLE_FORMAT = 1
DOCUMENT_FORMAT = 1
BUNDLE_KIND = "esca-assessment-bundle"
BUNDLE_SUFFIX = ".esca"

MANIFEST = "manifest.json"
SIGNATURE = "signature.json"
DOCUMENT = "assessment.json"
REPORT = "report.pdf"
EVIDENCE_PREFIX = "evidence/"

# --- limits (a bundle beyond any of them is refused before anything is decompressed) -------------

MAX_ENTRIES = 5_000  # zip entries, evidence files included
MAX_TOTAL_SIZE = 2 * 1024**3  # uncompressed bytes of all entries together
MAX_ARCHIVE_SIZE = MAX_TOTAL_SIZE + 64 * 1024**2  # the .esca file itself
MAX_RATIO = 100  # uncompressed / compressed, for an entry or the whole archive ...
RATIO_FLOOR = 1024**2  # ... once it is larger than this (small JSON compresses very well)
MAX_MANIFEST_SIZE = 4 * 1024**2  # 5,000 files listed take under 1 MiB (2 MiB with 200-character names)
MAX_MANIFEST_VALUES = 100_000  # see MAX_DOCUMENT_VALUES: a listed file takes 9
MAX_SIGNATURE_SIZE = 64 * 1024
# assessment.json is parsed whole, at some 25 times its size in memory: a demo Gold assessment (106
# answers, 126 audit entries) writes 79 KB, so 8 MiB leaves a hundredfold for two days of edits,
# several revisions and drawn signatures, and keeps parsing one below a quarter of a GiB
MAX_DOCUMENT_SIZE = 8 * 1024**2
# ... and what it costs depends on how many values it holds more than on its size (8 MiB of "{}," parse
# into 200 MiB): a demo assessment has some 60 of the characters that start or separate values per KB
# (strings included), so 1,000,000 is twice what an 8 MiB document of that kind holds, and bounds a
# parse to well under 100 MiB whatever the document's shape
MAX_DOCUMENT_VALUES = 1_000_000
MAX_REPORT_SIZE = 256 * 1024**2  # report.pdf; only ever held in memory when the caller keeps it
MAX_NAME_LENGTH = 200  # characters of an evidence file's stored name
MAX_CENTRAL_DIRECTORY = MAX_ENTRIES * 1024  # bytes; bounds what zipfile reads before we see a name

_CHUNK = 1024**2
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FIXED_NAMES = frozenset({MANIFEST, SIGNATURE, DOCUMENT, REPORT})
_ALLOWED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}


class BundleError(UserError):
    """The bundle cannot be written, or was refused on reading; the message names the entry and why."""


@dataclass(frozen=True, slots=True)
class VerifiedBundle:
    """A bundle whose every check passed. Only `read_bundle` makes these."""

    manifest: dict[str, Any]
    document: dict[str, Any]
    report_pdf: bytes | None  # only with evidence="keep"; else checked piece by piece and not held
    evidence: dict[str, bytes]  # stored name (without "evidence/") -> content
    signature: SignatureCheck  # valid is always True here; `trusted` says whether the signer is in the trust list
    content_hash: str  # see `content_hash`
    signer_certificate: str = ""  # the signer's certificate (PEM), as signature.json carries it

    @property
    def assessment_id(self) -> str:
        return str(self.manifest["assessment"]["id"])

    @property
    def revision(self) -> int:
        return int(self.manifest["assessment"]["revision"])

    @property
    def status(self) -> str:
        return str(self.manifest["assessment"]["status"])

    @property
    def catalog(self) -> dict[str, str]:
        """{"id", "version", "hash"} of the catalog the assessment is bound to."""
        return dict(self.manifest["catalog"])

    @property
    def signer(self) -> str:
        return self.signature.signer

    @property
    def signer_fingerprint(self) -> str:
        return self.signature.fingerprint

    @property
    def trusted(self) -> bool:
        return self.signature.trusted


# --- names ----------------------------------------------------------------------------------------


# Characters Windows refuses in a file name, besides control characters and the folder separators
_WINDOWS_INVALID = frozenset('<>:"|?*')
# Invisible characters that reorder or hide what a name shows ("report\u202efdp.exe" shows as "reportexe.pdf")
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Device names Windows reserves, with any extension ("NUL.pdf", "com1.txt", "LPT¹")
_RESERVED_NAME = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)", re.IGNORECASE)


def evidence_name_problem(name: object) -> str | None:
    """Why `name` cannot be an evidence file's name (a single file name, portable to Windows, macOS and
    Linux, that shows what it is), or None. Checked for the stored names in a bundle and for the name
    of a file attached as evidence."""
    if not isinstance(name, str) or not name:
        return "an evidence name must be a non-empty text"
    if len(name) > MAX_NAME_LENGTH:
        return f"an evidence name has at most {MAX_NAME_LENGTH} characters"
    if "/" in name or "\\" in name:
        return "an evidence name must not contain a folder separator"
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in name) or ":" in name:
        return "an evidence name must not contain control characters or ':'"
    if any(c in _BIDI_CONTROLS for c in name):
        return "an evidence name must not contain invisible direction marks (they disguise a file's type)"
    if any(c in _WINDOWS_INVALID for c in name):
        return 'an evidence name must not contain any of < > : " | ? * (Windows refuses them)'
    if name.startswith(".") or name.endswith((".", " ")):
        return "an evidence name must not start with '.' nor end with '.' or a space"
    if _RESERVED_NAME.match(name):
        return f"an evidence name must not be a device name Windows reserves ({name.split('.')[0]})"
    return None


def _name_key(name: str) -> str:
    """Two names that one file system could take for the same file (case, Unicode form) share a key."""
    return unicodedata.normalize("NFC", name).casefold()


def _entry_name_problem(name: str) -> str | None:
    if "\x00" in name:
        return "contains a NUL character"
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "is an absolute path"
    parts = re.split(r"[/\\]", name)
    if ".." in parts:
        return "leads out of the bundle ('..')"
    if "\\" in name:
        return "contains a backslash"
    if name.endswith("/"):
        return "is a folder entry; bundles hold files only"
    if name in _FIXED_NAMES:
        return None
    if name.startswith(EVIDENCE_PREFIX):
        problem = evidence_name_problem(name[len(EVIDENCE_PREFIX) :])
        return None if problem is None else f"is not a valid evidence file name ({problem})"
    return "is not part of the bundle format (unexpected entry)"


# --- writing --------------------------------------------------------------------------------------


def _dumps(value: Any, indent: int | None = 1) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=True, allow_nan=False).encode("utf-8")


def _zip_time(moment: str | None) -> tuple[int, int, int, int, int, int]:
    try:
        when = dt.datetime.fromisoformat(moment) if moment else None
    except ValueError:
        when = None
    when = when or dt.datetime(1980, 1, 1)
    return (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)


def _info(name: str, date_time: tuple[int, int, int, int, int, int], compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time)
    info.compress_type = compress
    info.create_system = 3  # unix, so that the mode below is read as such
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def write_bundle(
    out: Path,
    manifest_base: Mapping[str, Any],
    document: Mapping[str, Any],
    report_pdf: bytes | None,
    evidence: Sequence[tuple[str, Path]],
    sign: Callable[[bytes], Mapping[str, Any]],
) -> Path:
    """Write a bundle to `out` atomically (a complete file under its name, or none); returns `out`.

    `manifest_base` holds "assessment" ({"id", "revision", "status"}), "catalog" ({"id", "version",
    "hash"}), "assessor" ({"name", "email", "certificate_sha256"}) and "created_at"; "format", "kind"
    and "files" are added here. `evidence` pairs each stored name with the file to read it from.
    `sign` receives the exact bytes of manifest.json and returns the JSON-able signature.
    """
    target = Path(out).expanduser()
    if target.is_dir():
        raise BundleError(f"{target}: is a folder; give a file name such as assessment{BUNDLE_SUFFIX}")
    names: set[str] = set()
    sizes = 0
    for stored_name, path in evidence:
        problem = evidence_name_problem(stored_name)
        if problem:
            raise BundleError(f"evidence {stored_name!r}: {problem}")
        if _name_key(stored_name) in names:
            raise BundleError(f"evidence {stored_name!r}: listed twice")
        names.add(_name_key(stored_name))
        try:
            sizes += Path(path).stat().st_size
        except OSError as exc:
            raise BundleError(f"evidence {stored_name!r}: {path} cannot be read ({exc.strerror or exc})") from None
    if len(evidence) + 4 > MAX_ENTRIES:
        raise BundleError(f"{len(evidence)} evidence files: a bundle holds at most {MAX_ENTRIES - 4}")
    document_bytes = _dumps(dict(document))
    sizes += len(document_bytes) + len(report_pdf or b"")
    if sizes > MAX_TOTAL_SIZE:
        raise BundleError(f"the bundle would hold {sizes} bytes; at most {MAX_TOTAL_SIZE} are allowed")
    if len(document_bytes) > MAX_DOCUMENT_SIZE:
        raise BundleError(f"{DOCUMENT} would be {len(document_bytes)} bytes; at most {MAX_DOCUMENT_SIZE} are allowed")
    if _value_marks(document_bytes) > MAX_DOCUMENT_VALUES:
        raise BundleError(f"{DOCUMENT} would hold more than {MAX_DOCUMENT_VALUES} values")

    base = {k: v for k, v in manifest_base.items() if k not in ("format", "kind", "files")}
    stamp = _zip_time(str(base.get("created_at") or ""))
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise BundleError(f"{target}: cannot write here ({exc.strerror or exc})") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w+b") as stream:
            files: list[dict[str, Any]] = []
            with zipfile.ZipFile(stream, "w", allowZip64=True) as archive:
                archive.writestr(_info(DOCUMENT, stamp, zipfile.ZIP_DEFLATED), document_bytes)
                files.append(_listing(DOCUMENT, document_bytes))
                if report_pdf is not None:
                    archive.writestr(_info(REPORT, stamp, zipfile.ZIP_STORED), report_pdf)
                    files.append(_listing(REPORT, report_pdf))
                for stored_name, path in sorted(evidence, key=lambda item: item[0]):
                    files.append(_copy_into(archive, EVIDENCE_PREFIX + stored_name, Path(path), stamp))
                manifest = {**base, "format": BUNDLE_FORMAT, "kind": BUNDLE_KIND, "files": files}
                problem = _manifest_problem(manifest)
                if problem:
                    raise BundleError(f"the bundle's {MANIFEST} would be invalid: {problem}")
                manifest_bytes = _dumps(manifest, indent=2)
                signature = dict(sign(manifest_bytes))
                archive.writestr(_info(MANIFEST, stamp, zipfile.ZIP_DEFLATED), manifest_bytes)
                archive.writestr(_info(SIGNATURE, stamp, zipfile.ZIP_DEFLATED), _dumps(signature, indent=2))
            stream.flush()
            os.fsync(stream.fileno())
        temp.replace(target)
    except OSError as exc:
        raise BundleError(f"{target}: cannot write the bundle ({exc.strerror or exc})") from None
    finally:
        temp.unlink(missing_ok=True)
    return target


def _listing(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _copy_into(
    archive: zipfile.ZipFile, name: str, path: Path, stamp: tuple[int, int, int, int, int, int]
) -> dict[str, Any]:
    """Stream a file into the archive (stored: evidence is mostly compressed already), hashing as it goes."""
    digest = hashlib.sha256()
    size = 0
    try:
        large = path.stat().st_size > 1 << 30  # ZIP64 headers only where they may be needed
        with (
            path.open("rb") as reader,
            archive.open(_info(name, stamp, zipfile.ZIP_STORED), "w", force_zip64=large) as writer,
        ):
            while chunk := reader.read(_CHUNK):
                digest.update(chunk)
                writer.write(chunk)
                size += len(chunk)
    except OSError as exc:
        raise BundleError(f"{name}: {path} cannot be read ({exc.strerror or exc})") from None
    return {"name": name, "sha256": digest.hexdigest(), "size": size}


def content_hash(manifest_bytes: bytes, signature_bytes: bytes) -> str:
    """The bundle's identity: SHA-256 over manifest.json and signature.json, each preceded by its
    length (8 bytes, big-endian). Through the manifest's hashes it covers every file, and it covers
    the signature; two archives with the same content hash carry the same signed content, whatever
    their zip metadata. The review service names and recognises bundles by it."""
    digest = hashlib.sha256()
    for part in (manifest_bytes, signature_bytes):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


# --- reading --------------------------------------------------------------------------------------


def read_bundle(
    source: Path | bytes,
    trusted: Sequence[x509.Certificate] = (),
    *,
    require_trusted: bool = False,
    evidence: EvidenceMode = "keep",
    label: str | None = None,
    streamed: Mapping[int, StreamedEntry] | None = None,
) -> VerifiedBundle:
    """Check a bundle completely and return its content; `BundleError` naming the first problem.

    `trusted` are the certificates (or issuing authorities) whose signatures count as trusted; the
    result's `trusted` says whether the signer is one of them. With `require_trusted`, an untrusted
    (but valid) signature is refused too.

    `evidence` says what becomes of the evidence files, which are checked (size, SHA-256) in every
    case: "keep" holds them in the result's `evidence`; "check" only checks them, and where
    `streamed` (`EntryDigests.entries`, taken while the file arrived) covers an entry exactly, uses
    its digest instead of reading the entry again; a folder receives each as a file under its stored
    name while it is checked (durably written; removing the folder after a refusal is the caller's
    part). With "check" or a folder, neither the evidence nor report.pdf is held in memory (the report
    is checked like an evidence file, not written to the folder): the result's `evidence` is empty and
    its `report_pdf` None. Messages start with `label`: by default the file's name, or "bundle".
    """
    label = label or (Path(source).name if isinstance(source, Path | str) else "bundle")
    if isinstance(source, bytes | bytearray | memoryview):
        return _read(io.BytesIO(bytes(source)), len(source), label, trusted, require_trusted, evidence, streamed)
    path = Path(source)
    try:
        size = path.stat().st_size
        stream = path.open("rb")
    except OSError as exc:
        raise BundleError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    with stream:
        return _read(stream, size, label, trusted, require_trusted, evidence, streamed)


def _read(
    stream: IO[bytes],
    size: int,
    label: str,
    trusted: Sequence[x509.Certificate],
    require_trusted: bool,
    evidence: EvidenceMode,
    streamed: Mapping[int, StreamedEntry] | None,
) -> VerifiedBundle:
    def refuse(message: str) -> BundleError:
        return BundleError(f"{label}: {message}")

    if size == 0:
        raise refuse("the file is empty; it is not a bundle")
    if size > MAX_ARCHIVE_SIZE:
        raise refuse(f"the file is {size} bytes; a bundle has at most {MAX_ARCHIVE_SIZE}")
    _check_directory_size(stream, size, refuse)
    try:
        archive = zipfile.ZipFile(stream)
    except Exception as exc:  # zipfile raises many kinds on hostile input; none of them may crash the reader
        raise refuse(f"not a readable zip archive, or an incomplete (truncated) one ({exc})") from None
    with archive:
        infos = _check_entries(archive.infolist(), size, refuse)
        if infos and min(info.header_offset for info in infos.values()) != 0:
            raise refuse("the file does not start with the archive's first entry: bytes were put before it")
        for required in (MANIFEST, SIGNATURE, DOCUMENT):
            if required not in infos:
                raise refuse(f"{required} is missing")

        manifest_bytes = _read_entry(archive, infos[MANIFEST], MAX_MANIFEST_SIZE, refuse)
        if _value_marks(manifest_bytes) > MAX_MANIFEST_VALUES:
            raise refuse(f"{MANIFEST} holds more than {MAX_MANIFEST_VALUES} values; refused before it is parsed")
        manifest = _parse_json(manifest_bytes, MANIFEST, refuse)
        version = manifest.get("format")
        if isinstance(version, int) and not isinstance(version, bool) and version > BUNDLE_FORMAT:
            raise refuse(
                f"{MANIFEST}: bundle format {version} was written by a newer program (this one reads up to "
                f"format {BUNDLE_FORMAT}); update ESCA Assessor to open it"
            )
        problem = _manifest_problem(manifest)
        if problem:
            raise refuse(f"{MANIFEST}: {problem}")

        signature_bytes = _read_entry(archive, infos[SIGNATURE], MAX_SIGNATURE_SIZE, refuse)
        signature = _parse_json(signature_bytes, SIGNATURE, refuse)
        check = verify_detached(manifest_bytes, signature, trusted)
        if not check.valid:
            raise refuse(f"{SIGNATURE}: the signature over {MANIFEST} is not valid: {check.message}")
        named = manifest["assessor"]["certificate_sha256"]
        if check.fingerprint != named:
            raise refuse(
                f"{SIGNATURE}: signed by {check.signer} (certificate {check.fingerprint[:16]}…), but {MANIFEST} "
                f"names the assessor's certificate {named[:16]}…: the bundle was signed by another key"
            )
        if require_trusted and not check.trusted:
            raise refuse(f"{SIGNATURE}: {check.message}; the signer is not trusted here")

        listed = {entry["name"]: entry for entry in manifest["files"]}
        for name in infos:
            if name not in listed and name not in (MANIFEST, SIGNATURE):
                raise refuse(f"{name}: the file is not listed in {MANIFEST}")
        for name, entry in listed.items():
            if name not in infos:
                raise refuse(f"{name}: listed in {MANIFEST} but missing from the bundle")
            if infos[name].file_size != entry["size"]:
                raise refuse(
                    f"{name}: the size is {infos[name].file_size} bytes, but {MANIFEST} says "
                    f"{entry['size']} (the file was changed)"
                )
        contents: dict[str, bytes] = {}
        for name, entry in listed.items():
            if name == REPORT and infos[name].file_size > MAX_REPORT_SIZE:
                raise refuse(f"{name} is {infos[name].file_size} bytes; at most {MAX_REPORT_SIZE} are allowed")
            if name == DOCUMENT:
                data = _read_entry(archive, infos[name], MAX_DOCUMENT_SIZE, refuse)
                size, sha256 = len(data), hashlib.sha256(data).hexdigest()
                contents[name] = data
            elif evidence == "keep":
                data = _read_entry(archive, infos[name], entry["size"], refuse)
                size, sha256 = len(data), hashlib.sha256(data).hexdigest()
                contents[name] = data
            elif evidence == "check" or name == REPORT:  # the report is not copied among the evidence
                size, sha256 = _digest_entry(archive, infos[name], streamed or {}, refuse)
            else:
                size, sha256 = _copy_entry(archive, infos[name], Path(evidence) / name[len(EVIDENCE_PREFIX) :], refuse)
            if size != entry["size"]:
                raise refuse(f"{name}: {size} bytes read, but {MANIFEST} says {entry['size']}")
            if sha256 != entry["sha256"]:
                raise refuse(f"{name}: the SHA-256 does not match {MANIFEST} (the file was changed)")

    document_bytes = contents.pop(DOCUMENT)
    if _value_marks(document_bytes) > MAX_DOCUMENT_VALUES:
        raise refuse(f"{DOCUMENT} holds more than {MAX_DOCUMENT_VALUES} values; refused before it is parsed")
    document = _parse_json(document_bytes, DOCUMENT, refuse)
    problem = document_problem(document)
    if problem:
        raise refuse(f"{DOCUMENT}: {problem}")
    _check_agreement(manifest, document, listed, refuse)
    kept = {name[len(EVIDENCE_PREFIX) :]: data for name, data in contents.items() if name.startswith(EVIDENCE_PREFIX)}
    return VerifiedBundle(
        manifest,
        document,
        contents.get(REPORT),
        kept,
        check,
        content_hash(manifest_bytes, signature_bytes),
        str(signature["certificate"]),  # a valid signature has read it
    )


Refuse = Callable[[str], BundleError]
EvidenceMode = Literal["keep", "check"] | Path


def _check_directory_size(stream: IO[bytes], size: int, refuse: Refuse) -> None:
    """Read the end-of-central-directory record first, so that a directory of millions of entries is
    refused before zipfile builds an object for each of them."""
    tail_size = min(size, 22 + 65535)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise refuse("not a zip archive, or an incomplete (truncated) one: its directory is missing")
    entries, directory_size, directory_at, comment = struct.unpack("<xxxxxxxxxxHIIH", tail[at : at + 22])
    if at + 22 + comment != len(tail):
        raise refuse(
            f"{len(tail) - at - 22 - comment} bytes follow the end of the zip archive; a bundle is the archive "
            "alone (was something appended to the file?)"
        )
    end_at = size - tail_size + at  # where the directory must end: the end record, or ZIP64's own record
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF or directory_at == 0xFFFFFFFF:
        # ZIP64: the real figures are in its own record, which the locator before the end record points to
        locator = tail[at - 20 : at] if at >= 20 else b""
        if locator[:4] == b"PK\x06\x07":
            (record_at,) = struct.unpack("<Q", locator[8:16])
            if record_at + 56 <= size:
                stream.seek(record_at)
                record = stream.read(56)
                if record[:4] == b"PK\x06\x06":
                    (record_size,) = struct.unpack("<Q", record[4:12])
                    entries, directory_size, directory_at = struct.unpack("<QQQ", record[32:56])
                    if record_at + 12 + record_size != end_at - 20:
                        raise refuse("the archive's ZIP64 records do not follow each other: the file was altered")
                    end_at = record_at
    if directory_at + directory_size != end_at:
        raise refuse(
            f"the archive's directory should end at byte {directory_at + directory_size} but ends at {end_at}: "
            "bytes were put before the archive (or into it); a bundle is the archive alone"
        )
    stream.seek(0)
    if entries and stream.read(4) != b"PK\x03\x04":
        raise refuse("the file does not start with the archive's first entry: bytes were put before it")
    if entries > MAX_ENTRIES:
        raise refuse(f"the archive has {entries} entries; a bundle has at most {MAX_ENTRIES}")
    if directory_size > MAX_CENTRAL_DIRECTORY:
        raise refuse(
            f"the archive's directory is {directory_size} bytes; at most {MAX_CENTRAL_DIRECTORY} "
            "are allowed (too many or too long entries)"
        )
    stream.seek(0)


def _check_entries(infos: list[zipfile.ZipInfo], archive_size: int, refuse: Refuse) -> dict[str, zipfile.ZipInfo]:
    """Names, kinds, methods, sizes and ratios of every entry, from the central directory."""
    if len(infos) > MAX_ENTRIES:
        raise refuse(f"the archive has {len(infos)} entries; a bundle has at most {MAX_ENTRIES}")
    by_name: dict[str, zipfile.ZipInfo] = {}
    keys: dict[str, str] = {}
    total = 0
    for info in infos:
        name = info.orig_filename
        shown = repr(name) if not name.isprintable() else name
        problem = _entry_name_problem(name)
        if problem:
            raise refuse(f"entry {shown} {problem}")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise refuse(f"entry {shown} is a symbolic link; bundles hold plain files only")
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG) or info.external_attr & 0x10:  # 0: no type recorded
            raise refuse(f"entry {shown} is not a plain file")
        if info.flag_bits & 0x1:
            raise refuse(f"entry {shown} is encrypted; bundles are not")
        if info.compress_type not in _ALLOWED_METHODS:
            raise refuse(
                f"entry {shown} uses compression method {info.compress_type}; only stored or deflated entries are read"
            )
        key = _name_key(name)
        if name in by_name or key in keys:
            raise refuse(f"entry {shown} appears twice (duplicate name)")
        by_name[name] = info
        keys[key] = name
        if info.file_size > MAX_TOTAL_SIZE:
            raise refuse(f"entry {shown} is {info.file_size} bytes uncompressed; at most {MAX_TOTAL_SIZE}")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise refuse(
                f"entry {shown} expands from {info.compress_size} to {info.file_size} bytes (more than {MAX_RATIO} "
                "times): refused as a possible zip bomb"
            )
        total += info.file_size
        if total > MAX_TOTAL_SIZE:
            raise refuse(f"the entries add up to more than {MAX_TOTAL_SIZE} bytes uncompressed")
    if total > RATIO_FLOOR and total > MAX_RATIO * archive_size:
        raise refuse(
            f"the archive expands from {archive_size} to {total} bytes (more than {MAX_RATIO} times): "
            "refused as a possible zip bomb"
        )
    return by_name


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, refuse: Refuse) -> bytes:
    """The entry's bytes, never more than `cap` nor than its header claims, whatever the stream holds
    (zipfile stops at the header's size, and checks the CRC once it reached the end)."""
    name = info.orig_filename
    if info.file_size > cap:
        raise refuse(f"{name} is {info.file_size} bytes; at most {cap} are allowed")
    try:
        with archive.open(info) as reader:
            return reader.read()
    except Exception as exc:  # BadZipFile, zlib.error, NotImplementedError …: a damaged archive, never a crash
        raise refuse(f"{name} cannot be read: the archive is damaged ({exc})") from None


def _digest_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, streamed: Mapping[int, StreamedEntry], refuse: Refuse
) -> tuple[int, str]:
    """The size and SHA-256 of the entry's bytes: as hashed while the archive arrived, when that
    covered exactly the bytes zipfile would read (the same local header, name and size of a stored
    entry); else read piece by piece (never whole in memory)."""
    seen = streamed.get(info.header_offset)
    if (
        seen is not None
        and info.compress_type == zipfile.ZIP_STORED
        and _local_name(seen.raw_name, info) == info.orig_filename
        and seen.size == info.compress_size == info.file_size
    ):
        return seen.size, seen.sha256  # no CRC-32 check here: see streamed_entries
    digest = hashlib.sha256()
    size = 0
    for chunk in _entry_chunks(archive, info, refuse):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def _copy_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, refuse: Refuse) -> tuple[int, str]:
    """The size and SHA-256 of the entry's bytes, written to `target` (a new file, made durable) as
    they are read."""
    digest = hashlib.sha256()
    size = 0
    try:
        with target.open("xb") as writer:
            for chunk in _entry_chunks(archive, info, refuse):
                digest.update(chunk)
                size += len(chunk)
                writer.write(chunk)
            writer.flush()
            os.fsync(writer.fileno())
    except OSError as exc:
        raise UserError(
            f"{target.parent} cannot take the evidence files ({exc.strerror or exc}); nothing was imported"
        ) from None
    return size, digest.hexdigest()


def _entry_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, refuse: Refuse) -> Iterator[bytes]:
    """The entry's bytes, a megabyte at a time; a damaged archive is refused, never a crash."""
    try:
        with archive.open(info) as reader:
            while chunk := reader.read(_CHUNK):
                yield chunk
    except Exception as exc:  # as in _read_entry
        raise refuse(f"{info.orig_filename} cannot be read: the archive is damaged ({exc})") from None


def _local_name(raw: bytes, info: zipfile.ZipInfo) -> str:
    """A local header's name decoded as zipfile decodes it to compare with the directory's (by the
    directory's UTF-8 flag)."""
    return raw.decode("utf-8" if info.flag_bits & 0x800 else "cp437", errors="replace")


def _value_marks(data: bytes) -> int:
    """An upper bound of the number of values in a JSON text: the characters that open a container or
    separate values (also where they stand inside strings)."""
    return sum(data.count(mark) for mark in (b"{", b"[", b",", b":"))


def _parse_json(data: bytes, name: str, refuse: Refuse) -> dict[str, Any]:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):  # the rare case: find the key that repeats, to name it
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    raise ValueError(f"the key {key!r} appears twice in one object")
                seen.add(key)
        return result

    def no_constant(text: str) -> Any:
        raise ValueError(f"{text} is not allowed")

    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constant)
    except UnicodeDecodeError:
        raise refuse(f"{name} is not UTF-8 text") from None
    except RecursionError:
        raise refuse(f"{name} is nested too deeply") from None
    except ValueError as exc:
        raise refuse(f"{name} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise refuse(f"{name} must hold a JSON object")
    return value


# --- the manifest ---------------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _uuid_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return "must be a UUID text"
    try:
        canonical = str(uuid.UUID(value))
    except ValueError:
        return f"{value!r} is not a UUID"
    return None if canonical == value else f"{value!r} is not a UUID in lower-case canonical form"


def _manifest_problem(manifest: Mapping[str, Any]) -> str | None:
    """Why the manifest does not follow format 1, or None. Unknown keys are ignored."""
    if not _is_int(manifest.get("format")) or manifest["format"] < 1:
        return "format: must be a whole number (the bundle format version)"
    if manifest["format"] != BUNDLE_FORMAT:
        return f"format: {manifest['format']} is not a format this program reads ({BUNDLE_FORMAT})"
    if manifest.get("kind") != BUNDLE_KIND:
        return f"kind: must be {BUNDLE_KIND!r}"
    problem = check_shape(manifest, _MANIFEST_SHAPE, "")
    if problem:
        return problem
    problem = _uuid_problem(manifest["assessment"]["id"])
    if problem:
        return f"assessment.id: {problem}"
    if manifest["assessment"]["revision"] < 1:
        return "assessment.revision: must be 1 or more"
    if not _SHA256.match(manifest["assessor"]["certificate_sha256"]):
        return "assessor.certificate_sha256: must be 64 lower-case hex digits"
    try:
        dt.datetime.fromisoformat(manifest["created_at"])
    except ValueError:
        return f"created_at: {manifest['created_at']!r} is not an ISO 8601 time"
    seen: set[str] = set()
    files = manifest["files"]
    if len(files) > MAX_ENTRIES:
        return f"files: {len(files)} files; at most {MAX_ENTRIES}"
    for index, entry in enumerate(files):
        name = entry["name"]
        if name in (MANIFEST, SIGNATURE) or _entry_name_problem(name) is not None:
            return f"files[{index}].name: {name!r} is not a file a bundle lists"
        if _name_key(name) in seen:
            return f"files[{index}].name: {name!r} is listed twice"
        seen.add(_name_key(name))
        if not _SHA256.match(entry["sha256"]):
            return f"files[{index}].sha256: must be 64 lower-case hex digits"
        if entry["size"] < 0:
            return f"files[{index}].size: must not be negative"
    if DOCUMENT not in seen:
        return f"files: {DOCUMENT} must be listed"
    return None


# --- shapes: a small structural check shared by the manifest and assessment.json -------------------

TEXT, INT, NUMBER, BOOL, ANY = "text", "int", "number", "bool", "any"
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1  # what a database integer holds


@dataclass(frozen=True, slots=True)
class Nullable:
    """The value may be JSON null."""

    shape: Any


@dataclass(frozen=True, slots=True)
class Absentable:
    """The key may be missing (a later addition to the format that older writers did not write)."""

    shape: Any


def check_shape(value: Any, shape: Any, path: str) -> str | None:
    """Why `value` does not have `shape`, naming the path inside the document, or None.

    A shape is TEXT, INT, NUMBER, BOOL or ANY; `Nullable(shape)`; a dict {key: shape} (every key
    required unless its shape is `Absentable(shape)`, others ignored); or a one-item list [shape]
    (an array of such values).
    """
    where = path or "the document"
    if isinstance(shape, Absentable):
        return check_shape(value, shape.shape, path)
    if isinstance(shape, Nullable):
        return None if value is None else check_shape(value, shape.shape, path)
    if shape == ANY:
        return None
    if shape == TEXT:
        return None if isinstance(value, str) else f"{where}: expected text"
    if shape == INT:
        ok = _is_int(value) and _INT_MIN <= value <= _INT_MAX
        return None if ok else f"{where}: expected a whole number (64-bit)"
    if shape == NUMBER:
        finite = isinstance(value, float) and math.isfinite(value)  # json reads 1e400 as infinity
        ok = finite or (_is_int(value) and _INT_MIN <= value <= _INT_MAX)
        return None if ok else f"{where}: expected a finite number"
    if shape == BOOL:
        return None if isinstance(value, bool) else f"{where}: expected true or false"
    if isinstance(shape, list):
        if not isinstance(value, list):
            return f"{where}: expected an array"
        for index, item in enumerate(value):
            problem = check_shape(item, shape[0], f"{path}[{index}]")
            if problem:
                return problem
        return None
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return f"{where}: expected an object"
        for key, inner in shape.items():
            inner_path = f"{path}.{key}" if path else key
            if key not in value:
                if isinstance(inner, Absentable):
                    continue
                return f"{inner_path}: missing"
            problem = check_shape(value[key], inner, inner_path)
            if problem:
                return problem
        return None
    raise TypeError(f"unknown shape {shape!r}")


_CATALOG_SHAPE = {"id": TEXT, "version": TEXT, "hash": TEXT}

_MANIFEST_SHAPE = {
    "format": INT,
    "kind": TEXT,
    "assessment": {"id": TEXT, "revision": INT, "status": TEXT},
    "catalog": _CATALOG_SHAPE,
    "assessor": {"name": TEXT, "email": TEXT, "certificate_sha256": TEXT},
    "created_at": TEXT,
    "files": [{"name": TEXT, "sha256": TEXT, "size": INT}],
}

DOCUMENT_SHAPE: dict[str, Any] = {
    "format": INT,
    "id": TEXT,
    "revision": INT,
    "status": TEXT,
    "scheme": TEXT,
    "catalog": _CATALOG_SHAPE,
    "organisation": {
        "name": TEXT,
        "country": TEXT,
        "region": TEXT,
        "legal_form": TEXT,
        "sector": TEXT,
        "website": TEXT,
        "contact": TEXT,
    },
    "assessors": [TEXT],
    "interview": {"start": Nullable(TEXT), "end": Nullable(TEXT), "place": TEXT, "lang": TEXT},
    "current_indicator": Nullable(TEXT),
    "created_at": TEXT,
    "updated_at": TEXT,
    "finalised_at": Nullable(TEXT),
    "summary": {"strengths": TEXT, "improvement_areas": TEXT, "recommendations": TEXT},
    "score": {
        "progress_done": INT,
        "progress_total": INT,
        "points": Nullable(NUMBER),
        "max_points": Nullable(NUMBER),
        "passed": Nullable(BOOL),
    },
    "answers": [{"key": TEXT, "value": ANY, "answered_by": TEXT, "answered_at": TEXT}],
    "indicators": [
        {
            "id": TEXT,
            "result_status": TEXT,
            "result_points": Nullable(NUMBER),
            "note": TEXT,
            "follow_up": BOOL,
            "override": Nullable(
                {"status": TEXT, "points": Nullable(NUMBER), "justification": TEXT, "by": TEXT, "at": Nullable(TEXT)}
            ),
            # written since 0.2 (bundles from before have neither: no finding, nothing ticked)
            "finding": Absentable(TEXT),
            "evidence_checked": Absentable([INT]),
        }
    ],
    "evidence": [
        {
            "id": TEXT,
            "file_name": TEXT,
            "stored_name": TEXT,
            "sha256": TEXT,
            "size": INT,
            "description": TEXT,
            "indicators": [TEXT],
            "added_by": TEXT,
            "added_at": TEXT,
        }
    ],
    "drawn_signatures": [{"role": TEXT, "signer_name": TEXT, "signed_at": TEXT, "image_png": TEXT}],
    "revisions": [{"revision": INT, "finalised_at": TEXT, "snapshot": ANY}],
    "audit": {
        "head": TEXT,
        "count": INT,
        "entries": [
            {
                "at": TEXT,
                "actor": TEXT,
                "action": TEXT,
                "target": TEXT,
                "old_json": TEXT,
                "new_json": TEXT,
                "prev_hash": TEXT,
                "hash": TEXT,
            }
        ],
    },
}


# Optional (bundles written before replies existed lack it): reviewers' comments on earlier revisions
# and the assessor's replies, which travel back to the review service with the next revision.
REVIEW_COMMENTS_SHAPE = [
    {
        "revision": INT,
        "indicator": TEXT,
        "comment": TEXT,
        "reviewer": TEXT,
        "at": TEXT,
        "reply": TEXT,
        "resolved": BOOL,
        "replied_by": TEXT,
        "replied_at": Nullable(TEXT),
    }
]


# Optional (bundles written before the visit was recorded lack it): the agenda of interview sessions with
# their attendees (the report's interviewees), the visit's quick notes (internal), the time per area.
VISIT_SHAPE = {
    "sessions": [
        {
            "id": TEXT,
            "date": TEXT,
            "start": TEXT,
            "end": TEXT,
            "title": TEXT,
            "areas": [TEXT],
            "attendees": [
                {
                    "id": TEXT,
                    "name": TEXT,
                    "role": TEXT,
                    "organisation": TEXT,
                    "present_from": TEXT,
                    "present_to": TEXT,
                }
            ],
        }
    ],
    "quick_notes": [{"at": TEXT, "author": TEXT, "text": TEXT}],
    "area_time": [{"area": TEXT, "seconds": NUMBER}],
}


def document_problem(document: Mapping[str, Any]) -> str | None:
    """Why assessment.json does not follow its format (docs/assessment-json.schema.json), or None."""
    version = document.get("format")
    if isinstance(version, int) and not isinstance(version, bool) and version > DOCUMENT_FORMAT:
        return (
            f"format {version} was written by a newer program (this one reads up to format "
            f"{DOCUMENT_FORMAT}); update ESCA Assessor to open it"
        )
    problem = check_shape(document, DOCUMENT_SHAPE, "")
    if problem:
        return problem
    if "review_comments" in document:
        problem = check_shape(document["review_comments"], REVIEW_COMMENTS_SHAPE, "review_comments")
        if problem:
            return problem
    if "visit" in document:
        problem = check_shape(document["visit"], VISIT_SHAPE, "visit")
        if problem:
            return problem
    if document["format"] != DOCUMENT_FORMAT:
        return f"format: {document['format']} is not a format this program reads ({DOCUMENT_FORMAT})"
    problem = _uuid_problem(document["id"])
    if problem:
        return f"id: {problem}"
    for index, item in enumerate(document["evidence"]):
        problem = evidence_name_problem(item["stored_name"])
        if problem:
            return f"evidence[{index}].stored_name: {problem}"
        if not _SHA256.match(item["sha256"]):
            return f"evidence[{index}].sha256: must be 64 lower-case hex digits"
    for index, item in enumerate(document["drawn_signatures"]):
        try:
            base64.b64decode(item["image_png"], validate=True)
        except (binascii.Error, ValueError):
            return f"drawn_signatures[{index}].image_png: not valid base64"
    return None


def _check_agreement(
    manifest: Mapping[str, Any], document: Mapping[str, Any], listed: Mapping[str, Mapping[str, Any]], refuse: Refuse
) -> None:
    """assessment.json describes the assessment the manifest names, and the evidence files it carries
    (whose sizes and hashes in `listed` are verified against their content by now)."""
    expected = manifest["assessment"]
    for key, shown in (("id", "the assessment id"), ("revision", "the revision"), ("status", "the status")):
        if document[key] != expected[key]:
            raise refuse(f"{DOCUMENT}: {shown} {document[key]!r} differs from {MANIFEST}'s {expected[key]!r}")
    if {k: document["catalog"][k] for k in _CATALOG_SHAPE} != {k: manifest["catalog"][k] for k in _CATALOG_SHAPE}:
        raise refuse(f"{DOCUMENT}: the catalog differs from the one {MANIFEST} names")
    described: set[str] = set()
    for index, item in enumerate(document["evidence"]):
        name = EVIDENCE_PREFIX + item["stored_name"]
        if name in described:
            raise refuse(f"{DOCUMENT}: evidence[{index}]: {name} is described twice")
        described.add(name)
        entry = listed.get(name)
        if entry is None:
            raise refuse(f"{DOCUMENT}: evidence[{index}]: its file {name} is not in the bundle")
        if entry["size"] != item["size"] or entry["sha256"] != item["sha256"]:
            raise refuse(
                f"{DOCUMENT}: evidence[{index}]: the size or SHA-256 recorded for {name} does not match the file"
            )
    for name in listed:
        if name.startswith(EVIDENCE_PREFIX) and name not in described:
            raise refuse(f"{name}: the file is not described in {DOCUMENT}")
