"""Ways to damage a bundle: malformed, tampered with, or unsafe archives, shared by the bundle tests
(`read_bundle` refuses them) and the desktop import tests (refused, and the store unchanged).

Each `Case` turns a good bundle into a bad one and names the reason the refusal must give. Some cases
re-sign the manifest with the assessor's own key, so that the check they aim at is the one that fails
rather than the signature (as if the assessor's program had a bug, or the key were stolen).
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
import warnings
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from esca_desktop.security.identity import UnlockedIdentity, sign_detached
from esca_desktop.sync.bundle import MAX_ENTRIES

Entry = tuple[str | zipfile.ZipInfo, bytes]


def read_entries(bundle: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def zip_of(entries: Sequence[Entry], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names some cases need
        with zipfile.ZipFile(buffer, "w", compression) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    return buffer.getvalue()


def rebuild(
    bundle: bytes, *, replace: Mapping[str, bytes] | None = None, drop: Sequence[str] = (), add: Sequence[Entry] = ()
) -> bytes:
    """The same archive with entries replaced, dropped or added; the manifest is left as it was."""
    replace = replace or {}
    entries: list[Entry] = [
        (info.filename, replace.get(info.filename, data))
        for info, data in read_entries(bundle)
        if info.filename not in drop
    ]
    return zip_of([*entries, *add])


def resign(
    bundle: bytes,
    identity: UnlockedIdentity,
    *,
    document: Callable[[dict[str, Any]], None] | None = None,
    files: Mapping[str, bytes] | None = None,
    manifest: Callable[[dict[str, Any]], None] | None = None,
    raw_manifest: Callable[[bytes], bytes] | None = None,
) -> bytes:
    """Change the content, bring the manifest's hashes and sizes up to date, change the manifest, and
    sign it again with `identity`: a bundle whose signature is valid over whatever it now says."""
    contents = {info.filename: data for info, data in read_entries(bundle)}
    if document is not None:
        data = json.loads(contents["assessment.json"])
        document(data)
        contents["assessment.json"] = json.dumps(data, ensure_ascii=False).encode("utf-8")
    contents.update(files or {})
    listing = json.loads(contents["manifest.json"])
    for entry in listing["files"]:
        if entry["name"] in contents:
            entry["sha256"] = hashlib.sha256(contents[entry["name"]]).hexdigest()
            entry["size"] = len(contents[entry["name"]])
    if manifest is not None:
        manifest(listing)
    manifest_bytes = json.dumps(listing, indent=2).encode("utf-8")
    if raw_manifest is not None:
        manifest_bytes = raw_manifest(manifest_bytes)
    contents["manifest.json"] = manifest_bytes
    contents["signature.json"] = json.dumps(sign_detached(identity, manifest_bytes)).encode("utf-8")
    return zip_of(list(contents.items()))


@dataclass(frozen=True)
class Kit:
    """A good bundle and what it takes to damage it."""

    bundle: bytes
    identity: UnlockedIdentity  # the assessor who signed it
    other: UnlockedIdentity  # someone else
    evidence_name: str  # "evidence/<stored name>" of one evidence file in it

    def manifest(self) -> dict[str, Any]:
        return dict(json.loads(dict((i.filename, d) for i, d in read_entries(self.bundle))["manifest.json"]))

    def entry(self, name: str) -> bytes:
        return dict((i.filename, d) for i, d in read_entries(self.bundle))[name]


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Kit], bytes]
    reason: str  # a regular expression the refusal's message matches


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def _symlink(name: str, target: bytes) -> Entry:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target


def patch_directory(bundle: bytes, name: str, offset: int, value: bytes) -> bytes:
    """Overwrite bytes at `offset` of `name`'s record in the central directory (zipfile writes its own
    flags and sizes, so damage there has to be done by hand)."""
    data = bytearray(bundle)
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        at = archive.start_dir
    while data[at : at + 4] == b"PK\x01\x02":
        name_length, extra, comment = (int.from_bytes(data[at + o : at + o + 2], "little") for o in (28, 30, 32))
        if data[at + 46 : at + 46 + name_length] == name.encode():
            data[at + offset : at + offset + len(value)] = value
            return bytes(data)
        at += 46 + name_length + extra + comment
    raise KeyError(name)


def _encrypted(kit: Kit) -> bytes:
    """An entry flagged as encrypted (general purpose bit 0)."""
    bundle = rebuild(kit.bundle, add=[("evidence/secret.pdf", b"x")])
    return patch_directory(bundle, "evidence/secret.pdf", 8, b"\x01\x00")


def _too_many(kit: Kit) -> bytes:
    entries: list[Entry] = [(i.filename, d) for i, d in read_entries(kit.bundle)]
    entries += [(f"evidence/filler-{n}.txt", b"") for n in range(MAX_ENTRIES)]
    return zip_of(entries, zipfile.ZIP_STORED)


def _bomb(kit: Kit) -> bytes:
    return rebuild(kit.bundle, add=[("evidence/zeros.bin", bytes(20 * 1024**2))])


def _newer_format(kit: Kit) -> bytes:
    manifest = kit.manifest()
    manifest["format"] = 2
    return rebuild(kit.bundle, replace={"manifest.json": json.dumps(manifest).encode()})


def _manifest_edited(kit: Kit) -> bytes:
    manifest = kit.manifest()
    manifest["assessment"]["revision"] += 1
    return rebuild(kit.bundle, replace={"manifest.json": json.dumps(manifest, indent=2).encode()})


def _signed_by_other(kit: Kit) -> bytes:
    manifest_bytes = kit.entry("manifest.json")
    signature = json.dumps(sign_detached(kit.other, manifest_bytes)).encode()
    return rebuild(kit.bundle, replace={"signature.json": signature})


def _signature_from_other_certificate(kit: Kit) -> bytes:
    """The assessor's signature bytes under someone else's certificate."""
    signature = json.loads(kit.entry("signature.json"))
    signature["certificate"] = sign_detached(kit.other, b"x")["certificate"]
    return rebuild(kit.bundle, replace={"signature.json": json.dumps(signature).encode()})


def _edit_document(kit: Kit) -> bytes:
    document = json.loads(kit.entry("assessment.json"))
    document["indicators"][0]["note"] = "Nothing to remark."
    return rebuild(kit.bundle, replace={"assessment.json": json.dumps(document).encode()})


def _duplicate_key(raw: bytes) -> bytes:
    return raw.replace(b'"format": 1', b'"format": 1, "format": 1', 1)


def _set(path: Sequence[str | int], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _drop_key(key: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        del data[key]

    return change


def _evidence_sha(data: dict[str, Any]) -> None:
    data["evidence"][0]["sha256"] = "0" * 64


def _prepended(kit: Kit) -> bytes:
    """Bytes before the archive (zipfile reads such a file by shifting every offset)."""
    return b"#!/bin/sh\necho hello\nexit 0\n" + kit.bundle


def _archive_after_other_data(kit: Kit) -> bytes:
    """A whole archive written after other data, its offsets pointing past it (a self-extractor's layout)."""
    buffer = io.BytesIO()
    buffer.write(b"MZ" + bytes(510))
    with zipfile.ZipFile(buffer, "a") as archive:
        for info, data in read_entries(kit.bundle):
            archive.writestr(info.filename, data)
    return buffer.getvalue()


def _large_document(kit: Kit) -> bytes:
    """A valid, signed assessment.json of 9 MiB (incompressible, so not refused as a zip bomb)."""
    import base64
    import random

    filler = base64.b64encode(random.Random(18).randbytes(7 * 1024**2)).decode()

    def pad(document: dict[str, Any]) -> None:
        document["indicators"][0]["note"] = filler

    return resign(kit.bundle, kit.identity, document=pad)


def _many_values(kit: Kit) -> bytes:
    """A signed assessment.json under 8 MiB that holds 1.2 million numbers (incompressible enough not
    to be refused as a zip bomb)."""
    import random

    rng = random.Random(18)
    numbers = [rng.randrange(10_000) for _ in range(1_200_000)]

    def pad(document: dict[str, Any]) -> None:
        document["revisions"] = [{"revision": 1, "finalised_at": "2026-01-01T00:00:00+00:00", "snapshot": numbers}]

    return resign(kit.bundle, kit.identity, document=pad)


def _upper(name: str) -> str:
    folder, _, file = name.partition("/")
    return f"{folder}/{file.upper()}"


# Refused by `read_bundle` itself: the archive, the manifest, the signature, hashes, the document's shape.
BUNDLE_CASES: tuple[Case, ...] = (
    Case("empty file", lambda k: b"", r"empty"),
    Case("truncated file", lambda k: k.bundle[: len(k.bundle) // 2], r"truncated"),
    Case("truncated by a few bytes", lambda k: k.bundle[:-10], r"truncated"),
    Case("not a zip", lambda k: b"%PDF-1.7\n" + bytes(range(256)) * 40, r"not a zip archive"),
    Case("bytes before the archive", _prepended, r"bytes were put before"),
    Case("archive after other data", _archive_after_other_data, r"bytes were put before"),
    Case("bytes after the archive", lambda k: k.bundle + b"\n-- sent from my phone\n", r"bytes follow the end"),
    Case("assessment.json too large", _large_document, r"assessment.json is \d+ bytes; at most 8388608"),
    Case("assessment.json of a million values", _many_values, r"assessment.json holds more than 1000000 values"),
    Case(
        "manifest of 400,000 values",
        lambda k: rebuild(k.bundle, replace={"manifest.json": b'{"files": [' + b"0," * 400_000 + b"0]}"}),
        r"manifest.json holds more than 100000 values",
    ),
    Case(
        "absolute path entry",
        lambda k: rebuild(k.bundle, add=[("/etc/cron.d/evil", b"* * * * * root sh")]),
        r"entry /etc/cron.d/evil is an absolute path",
    ),
    Case(
        "drive letter entry", lambda k: rebuild(k.bundle, add=[("C:/Windows/evil.dll", b"MZ")]), r"is an absolute path"
    ),
    Case(
        "dot-dot entry",
        lambda k: rebuild(k.bundle, add=[("evidence/../../.bashrc", b"rm -rf ~")]),
        r"entry evidence/\.\./\.\./\.bashrc leads out of the bundle",
    ),
    Case("backslash entry", lambda k: rebuild(k.bundle, add=[("evidence\\x.pdf", b"x")]), r"backslash"),
    Case(
        "symlink entry",
        lambda k: rebuild(k.bundle, add=[_symlink("evidence/passwd", b"/etc/passwd")]),
        r"entry evidence/passwd is a symbolic link",
    ),
    Case(
        "duplicate name",
        lambda k: rebuild(k.bundle, add=[("assessment.json", b"{}")]),
        r"entry assessment.json appears twice",
    ),
    Case(
        "duplicate name in another case",
        lambda k: rebuild(k.bundle, add=[(_upper(k.evidence_name), b"x")]),
        r"appears twice",
    ),
    Case("too many entries", _too_many, rf"entries; a bundle has at most {MAX_ENTRIES}"),
    Case("zip bomb", _bomb, r"evidence/zeros.bin expands from \d+ to 20971520 bytes .*zip bomb"),
    Case("encrypted entry", _encrypted, r"evidence/secret.pdf is encrypted"),
    Case("folder entry", lambda k: rebuild(k.bundle, add=[("evidence/sub/", b"")]), r"(folder|not a valid evidence)"),
    Case(
        "unexpected extra file",
        lambda k: rebuild(k.bundle, add=[("notes.txt", b"hello")]),
        r"entry notes.txt is not part of the bundle format",
    ),
    Case(
        "unlisted evidence file",
        lambda k: rebuild(k.bundle, add=[("evidence/extra.pdf", b"%PDF")]),
        r"evidence/extra.pdf: the file is not listed in manifest.json",
    ),
    Case(
        "missing listed file",
        lambda k: rebuild(k.bundle, drop=[k.evidence_name]),
        r"evidence/.*: listed in manifest.json but missing",
    ),
    Case(
        "changed evidence byte",
        lambda k: rebuild(k.bundle, replace={k.evidence_name: _flip(k.entry(k.evidence_name), 3)}),
        r"evidence/.*: the SHA-256 does not match manifest.json",
    ),
    Case(
        "changed report byte",
        lambda k: rebuild(k.bundle, replace={"report.pdf": _flip(k.entry("report.pdf"), 1000)}),
        r"report.pdf: the SHA-256 does not match",
    ),
    Case("changed assessment.json value", _edit_document, r"assessment.json: the (size|SHA-256)"),
    Case("manifest edited", _manifest_edited, r"signature over manifest.json is not valid"),
    Case("manifest missing", lambda k: rebuild(k.bundle, drop=["manifest.json"]), r"manifest.json is missing"),
    Case(
        "manifest not JSON",
        lambda k: rebuild(k.bundle, replace={"manifest.json": b'{"format": 1,'}),
        r"manifest.json is not valid JSON",
    ),
    Case(
        "manifest with a duplicate key",
        lambda k: resign(k.bundle, k.identity, raw_manifest=_duplicate_key),
        r"manifest.json is not valid JSON .*appears twice",
    ),
    Case(
        "manifest without its files",
        lambda k: resign(k.bundle, k.identity, manifest=_drop_key("files")),
        r"manifest.json: files: missing",
    ),
    Case("newer format version", _newer_format, r"format 2 was written by a newer program"),
    Case("signature.json missing", lambda k: rebuild(k.bundle, drop=["signature.json"]), r"signature.json is missing"),
    Case(
        "signature.json not JSON",
        lambda k: rebuild(k.bundle, replace={"signature.json": b"sig"}),
        r"signature.json is not valid JSON",
    ),
    Case("signature by another key", _signed_by_other, r"signed by another key"),
    Case(
        "signature under another certificate",
        _signature_from_other_certificate,
        r"signature over manifest.json is not valid",
    ),
    Case(
        "assessment.json not JSON",
        lambda k: resign(k.bundle, k.identity, files={"assessment.json": b"<xml/>"}),
        r"assessment.json is not valid JSON",
    ),
    Case(
        "uuid mismatch between manifest and document",
        lambda k: resign(k.bundle, k.identity, document=_set(["id"], "00000000-0000-4000-8000-000000000000")),
        r"assessment.json: the assessment id .* differs from manifest.json",
    ),
    Case(
        "revision mismatch between manifest and document",
        lambda k: resign(k.bundle, k.identity, manifest=_set(["assessment", "revision"], 7)),
        r"assessment.json: the revision 1 differs from manifest.json's 7",
    ),
    Case(
        "size mismatch",
        lambda k: resign(k.bundle, k.identity, manifest=_set(["files", 0, "size"], 5)),
        r"assessment.json: the size is \d+ bytes, but manifest.json says 5",
    ),
    Case(
        "document shape broken",
        lambda k: resign(k.bundle, k.identity, document=_drop_key("answers")),
        r"assessment.json: answers: missing",
    ),
    Case(
        "newer document format",
        lambda k: resign(k.bundle, k.identity, document=_set(["format"], 9)),
        r"assessment.json: format 9 was written by a newer program",
    ),
    Case(
        "evidence described with another hash",
        lambda k: resign(k.bundle, k.identity, document=_evidence_sha),
        r"evidence\[0\]: the size or SHA-256 recorded .* does not match",
    ),
)
