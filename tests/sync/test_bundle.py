"""The bundle format on its own: what `write_bundle` writes, and everything `read_bundle` refuses."""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import random
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from esca_desktop.security.credentials import MemoryCredentialStore
from esca_desktop.security.identity import IdentityStore, UnlockedIdentity, sign_detached, verify_detached
from esca_desktop.sync.bundle import (
    BUNDLE_FORMAT,
    MAX_ENTRIES,
    BundleError,
    VerifiedBundle,
    document_problem,
    read_bundle,
    write_bundle,
)
from esca_desktop.sync.streamed_entries import EntryDigests
from tests.sync.tampering import BUNDLE_CASES, Case, Kit, patch_directory, read_entries, rebuild, resign

ASSESSMENT_ID = "6f1c2b9e-3d4a-4c55-9e1f-0a2b3c4d5e6f"
CATALOG = {"id": "gold", "version": "2013.1", "hash": "sha256:" + "ab" * 32}
EVIDENCE = {
    "0d6c8a54-61aa-4c4b-a2a4-2f3f3c1b7a10.pdf": b"%PDF-1.4 minutes of the board meeting " * 50,
    "9b1e4f0c-0f5e-4a8e-8d3b-6a1f2e3d4c5b.jpg": bytes(range(256)) * 20,
}
REPORT = b"%PDF-1.7\n" + b"report " * 400


def make_identity(folder: Path, name: str, email: str) -> UnlockedIdentity:
    store = IdentityStore(folder, MemoryCredentialStore())
    store.create(name, email, passphrase="correct horse battery", mode="ask")
    return store.unlock("correct horse battery")


@pytest.fixture(scope="module")
def identities(tmp_path_factory: pytest.TempPathFactory) -> tuple[UnlockedIdentity, UnlockedIdentity]:
    folder = tmp_path_factory.mktemp("identities")
    return (
        make_identity(folder / "a", "Małgorzata Wiśniewska", "m.wisniewska@example.pl"),
        make_identity(folder / "b", "Mallory Other", "mallory@example.org"),
    )


def make_document(assessment_id: str = ASSESSMENT_ID, revision: int = 1) -> dict[str, Any]:
    at = "2026-11-02T09:00:00.000000+00:00"
    return {
        "format": 1,
        "id": assessment_id,
        "revision": revision,
        "status": "finalised",
        "scheme": "gold",
        "catalog": dict(CATALOG),
        "organisation": {
            "name": "Klaster Łódź",
            "country": "PL",
            "region": "",
            "legal_form": "",
            "sector": "ict",
            "website": "",
            "contact": "",
        },
        "assessors": ["A. Expert"],
        "interview": {"start": "2026-10-20", "end": None, "place": "Łódź", "lang": "en"},
        "current_indicator": "1.1.0",
        "created_at": at,
        "updated_at": at,
        "finalised_at": at,
        "summary": {"strengths": "", "improvement_areas": "", "recommendations": ""},
        "score": {"progress_done": 31, "progress_total": 31, "points": 120.5, "max_points": 150, "passed": True},
        "answers": [{"key": "1.1.2.participants", "value": 85, "answered_by": "A. Expert", "answered_at": at}],
        "indicators": [
            {
                "id": "1.1.2",
                "result_status": "met",
                "result_points": 5.0,
                "note": "Seen.",
                "follow_up": False,
                "override": None,
            }
        ],
        "evidence": [
            {
                "id": name.split(".")[0],
                "file_name": f"file{n}",
                "stored_name": name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "description": "",
                "indicators": ["1.1.2"],
                "added_by": "A. Expert",
                "added_at": at,
            }
            for n, (name, data) in enumerate(sorted(EVIDENCE.items()))
        ],
        "drawn_signatures": [
            {
                "role": "assessor",
                "signer_name": "A. Expert",
                "signed_at": at,
                "image_png": base64.b64encode(b"\x89PNG\r\n\x1a\n....").decode(),
            }
        ],
        "revisions": [{"revision": revision, "finalised_at": at, "snapshot": {"total": {"points": 120.5}}}],
        "audit": {
            "head": "1" * 64,
            "count": 1,
            "entries": [
                {
                    "at": at,
                    "actor": "A. Expert",
                    "action": "create",
                    "target": "gold@2013.1",
                    "old_json": "null",
                    "new_json": "{}",
                    "prev_hash": "0" * 64,
                    "hash": "1" * 64,
                }
            ],
        },
    }


def manifest_base(identity: UnlockedIdentity, assessment_id: str = ASSESSMENT_ID, revision: int = 1) -> dict[str, Any]:
    return {
        "assessment": {"id": assessment_id, "revision": revision, "status": "finalised"},
        "catalog": dict(CATALOG),
        "assessor": {"name": identity.name, "email": identity.email, "certificate_sha256": identity.fingerprint},
        "created_at": "2026-11-02T10:00:00+00:00",
    }


def evidence_files(folder: Path) -> list[tuple[str, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    pairs = []
    for name, data in EVIDENCE.items():
        (folder / name).write_bytes(data)
        pairs.append((name, folder / name))
    return pairs


def write_good(folder: Path, identity: UnlockedIdentity) -> Path:
    return write_bundle(
        folder / "good.esca",
        manifest_base(identity),
        make_document(),
        REPORT,
        evidence_files(folder / "files"),
        lambda data: sign_detached(identity, data),
    )


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory, identities: tuple[UnlockedIdentity, UnlockedIdentity]) -> Kit:
    identity, other = identities
    path = write_good(tmp_path_factory.mktemp("good"), identity)
    return Kit(path.read_bytes(), identity, other, "evidence/" + sorted(EVIDENCE)[0])


# --- writing and reading a good bundle ------------------------------------------------------------


def test_a_written_bundle_reads_back_whole(
    tmp_path: Path, identities: tuple[UnlockedIdentity, UnlockedIdentity]
) -> None:
    identity, _ = identities
    path = write_good(tmp_path, identity)
    bundle = read_bundle(path)
    assert isinstance(bundle, VerifiedBundle)
    assert bundle.document == make_document()
    assert bundle.report_pdf == REPORT
    assert bundle.evidence == EVIDENCE
    assert (bundle.assessment_id, bundle.revision, bundle.status) == (ASSESSMENT_ID, 1, "finalised")
    assert bundle.catalog == CATALOG
    assert bundle.signature.valid and bundle.signer == "Małgorzata Wiśniewska <m.wisniewska@example.pl>"
    assert bundle.signer_fingerprint == identity.fingerprint
    assert not bundle.trusted  # nobody said whom to trust
    assert read_bundle(path.read_bytes()).document == bundle.document  # from bytes as from a file


def test_the_manifest_lists_every_file_with_its_hash_and_size(kit: Kit) -> None:
    contents = {info.filename: data for info, data in read_entries(kit.bundle)}
    manifest = json.loads(contents["manifest.json"])
    assert manifest["format"] == BUNDLE_FORMAT and manifest["kind"] == "esca-assessment-bundle"
    assert manifest["assessment"] == {"id": ASSESSMENT_ID, "revision": 1, "status": "finalised"}
    assert manifest["catalog"] == CATALOG
    assert manifest["assessor"]["certificate_sha256"] == kit.identity.fingerprint
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == set(contents) - {"manifest.json", "signature.json"}
    for name, entry in listed.items():
        assert entry == {
            "name": name,
            "sha256": hashlib.sha256(contents[name]).hexdigest(),
            "size": len(contents[name]),
        }


def test_the_signature_covers_the_exact_manifest_bytes(kit: Kit) -> None:
    manifest = kit.entry("manifest.json")
    signature = json.loads(kit.entry("signature.json"))
    assert verify_detached(manifest, signature).valid
    assert not verify_detached(manifest + b" ", signature).valid


def test_trust_is_reported_and_can_be_required(kit: Kit) -> None:
    assert read_bundle(kit.bundle, [kit.identity.certificate]).trusted
    assert not read_bundle(kit.bundle, [kit.other.certificate]).trusted
    assert read_bundle(kit.bundle, [kit.identity.certificate], require_trusted=True).trusted
    with pytest.raises(BundleError, match="not in the trust list; the signer is not trusted here"):
        read_bundle(kit.bundle, [kit.other.certificate], require_trusted=True)


def test_a_bundle_without_report_or_evidence_is_valid(
    tmp_path: Path, identities: tuple[UnlockedIdentity, UnlockedIdentity]
) -> None:
    identity, _ = identities
    document = make_document()
    document["evidence"] = []
    path = write_bundle(
        tmp_path / "bare.esca", manifest_base(identity), document, None, [], lambda data: sign_detached(identity, data)
    )
    bundle = read_bundle(path)
    assert bundle.report_pdf is None and bundle.evidence == {}


def test_writing_is_atomic_when_signing_fails(
    tmp_path: Path, identities: tuple[UnlockedIdentity, UnlockedIdentity]
) -> None:
    identity, _ = identities
    target = tmp_path / "out" / "bundle.esca"

    def broken(data: bytes) -> dict[str, str]:
        raise BundleError("the key is locked")

    with pytest.raises(BundleError, match="locked"):
        write_bundle(target, manifest_base(identity), make_document(), REPORT, evidence_files(tmp_path / "f"), broken)
    assert list(target.parent.iterdir()) == []  # neither the bundle nor a temporary file


def test_writing_replaces_an_older_file_only_when_complete(
    tmp_path: Path, identities: tuple[UnlockedIdentity, UnlockedIdentity]
) -> None:
    identity, _ = identities
    path = write_good(tmp_path, identity)
    before = path.read_bytes()
    with pytest.raises(BundleError, match="cannot be read"):
        write_bundle(
            path,
            manifest_base(identity),
            make_document(),
            REPORT,
            [("x.pdf", tmp_path / "missing.pdf")],
            lambda data: sign_detached(identity, data),
        )
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../escape.pdf", "folder separator"),
        (".hidden", "must not start with '.'"),
        ("a:b.pdf", "control characters or ':'"),
        ("", "non-empty"),
    ],
)
def test_write_refuses_unsafe_evidence_names(
    tmp_path: Path, identities: tuple[UnlockedIdentity, UnlockedIdentity], name: str, reason: str
) -> None:
    identity, _ = identities
    source = tmp_path / "file.pdf"
    source.write_bytes(b"x")
    with pytest.raises(BundleError, match=re.escape(reason)):
        write_bundle(
            tmp_path / "b.esca",
            manifest_base(identity),
            make_document(),
            None,
            [(name, source)],
            lambda data: sign_detached(identity, data),
        )
    assert not (tmp_path / "b.esca").exists()


def test_write_refuses_a_manifest_it_would_refuse_to_read(
    tmp_path: Path, identities: tuple[UnlockedIdentity, UnlockedIdentity]
) -> None:
    identity, _ = identities
    base = manifest_base(identity, assessment_id="not-a-uuid")
    with pytest.raises(BundleError, match=r"assessment.id: 'not-a-uuid' is not a UUID"):
        write_bundle(tmp_path / "b.esca", base, make_document(), None, [], lambda data: sign_detached(identity, data))


# --- what read_bundle refuses ---------------------------------------------------------------------


def test_there_are_at_least_twenty_refusal_cases() -> None:
    assert len(BUNDLE_CASES) >= 20


@pytest.mark.parametrize("case", BUNDLE_CASES, ids=[c.id for c in BUNDLE_CASES])
def test_read_bundle_refuses(case: Case, kit: Kit, tmp_path: Path) -> None:
    damaged = case.make(kit)
    path = tmp_path / "damaged.esca"
    path.write_bytes(damaged)
    with pytest.raises(BundleError, match=case.reason) as refused:
        read_bundle(path)
    assert refused.value.message.startswith("damaged.esca: ")
    with pytest.raises(BundleError, match=case.reason):
        read_bundle(damaged)


def test_the_good_bundle_passes_every_check(kit: Kit) -> None:
    """The refusals above come from the damage, not from the kit."""
    assert read_bundle(kit.bundle).assessment_id == ASSESSMENT_ID


def test_too_many_entries_is_refused_before_the_directory_is_parsed(kit: Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = [(f"evidence/f{n}", b"") for n in range(MAX_ENTRIES + 1)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            archive.writestr(name, data)

    def no_zipfile(*args: object, **kwargs: object) -> None:
        raise AssertionError("zipfile must not parse this directory")

    monkeypatch.setattr("esca_desktop.sync.bundle.zipfile.ZipFile", no_zipfile)
    with pytest.raises(BundleError, match=f"{MAX_ENTRIES + 1} entries"):
        read_bundle(buffer.getvalue())


def test_a_lying_size_header_cannot_make_the_reader_inflate_more(kit: Kit) -> None:
    """An entry whose directory claims fewer bytes than its stream holds: read stops at the claim,
    and the CRC (or the manifest's size) gives it away."""
    damaged = rebuild(kit.bundle, replace={"report.pdf": REPORT + b"tail"})
    with zipfile.ZipFile(io.BytesIO(damaged)) as archive:
        info = archive.getinfo("report.pdf")
    damaged = patch_directory(damaged, "report.pdf", 24, len(REPORT).to_bytes(4, "little"))  # uncompressed size
    assert info.file_size == len(REPORT) + 4
    with pytest.raises(BundleError, match=r"report.pdf cannot be read: the archive is damaged"):
        read_bundle(damaged)


def single_bit_flips(data: bytes, seed: int, count: int = 300) -> Iterator[bytes]:
    """`count` copies of `data`, each with one bit flipped at a random place."""
    generator = random.Random(seed)
    for _ in range(count):
        at = generator.randrange(len(data))
        yield data[:at] + bytes([data[at] ^ (1 << generator.randrange(8))]) + data[at + 1 :]


def test_random_damage_is_refused_or_harmless_never_a_crash(kit: Kit) -> None:
    """Flip single bytes anywhere: each read either refuses with a BundleError or yields the very same content
    (a flip in a field nobody relies on, such as an entry's time)."""
    original = read_bundle(kit.bundle)
    for damaged in single_bit_flips(kit.bundle, seed=20261102):
        try:
            bundle = read_bundle(damaged)
        except BundleError:
            continue
        assert (bundle.document, bundle.evidence, bundle.report_pdf) == (
            original.document,
            original.evidence,
            original.report_pdf,
        )


def test_document_problem_names_the_path() -> None:
    document = make_document()
    document["indicators"][0]["follow_up"] = "yes"
    assert document_problem(document) == "indicators[0].follow_up: expected true or false"
    document = make_document()
    document["evidence"][1]["stored_name"] = "../x"
    assert document_problem(document) == "evidence[1].stored_name: an evidence name must not contain a folder separator"
    document = make_document()
    document["score"]["progress_done"] = 2**64
    assert document_problem(document) == "score.progress_done: expected a whole number (64-bit)"
    document = make_document()
    document["score"]["points"] = float("inf")
    assert document_problem(document) == "score.points: expected a finite number"
    assert document_problem(make_document()) is None


# --- digests taken while the bundle arrived (the review service's path) ---------------------------


def arrived(data: bytes, chunk_sizes: list[int]) -> EntryDigests:
    """The archive fed as an upload would arrive: in chunks of the given sizes, cycling."""
    digests = EntryDigests()
    at = 0
    for n in itertools.cycle(chunk_sizes):
        if at >= len(data):
            return digests
        digests.feed(data[at : at + n])
        at += n
    raise AssertionError("unreachable")


@pytest.mark.parametrize("chunks", [[1], [7, 30, 31], [65536], [len(REPORT) - 1, 3], [1 << 30]])
def test_stored_entries_are_hashed_as_they_arrive_whatever_the_chunks(kit: Kit, chunks: list[int]) -> None:
    digests = arrived(kit.bundle, chunks)

    with zipfile.ZipFile(io.BytesIO(kit.bundle)) as archive:
        stored = {i.header_offset: i for i in archive.infolist() if i.compress_type == zipfile.ZIP_STORED}
        assert stored and set(digests.entries) == set(stored)  # the deflated JSON entries are left to the reader
        for offset, info in stored.items():
            seen = digests.entries[offset]
            data = archive.read(info)
            assert (seen.raw_name.decode(), seen.size, seen.sha256) == (
                info.filename,
                len(data),
                hashlib.sha256(data).hexdigest(),
            )


@pytest.mark.parametrize("case", BUNDLE_CASES, ids=[c.id for c in BUNDLE_CASES])
def test_digests_taken_on_arrival_refuse_what_reading_refuses(case: Case, kit: Kit, tmp_path: Path) -> None:
    damaged = case.make(kit)
    path = tmp_path / "damaged.esca"
    path.write_bytes(damaged)
    digests = arrived(damaged, [65536])

    with pytest.raises(BundleError) as refused:
        read_bundle(path, evidence="check", streamed=digests.entries)
    if not re.search(case.reason, refused.value.message):
        # the one difference: a changed stored entry is caught by its SHA-256 instead of zipfile's CRC
        assert re.search(r"the SHA-256 does not match", refused.value.message), refused.value.message
        with pytest.raises(BundleError, match="the archive is damaged"):
            read_bundle(path)


def test_digests_taken_on_arrival_survive_random_damage_only_where_the_content_is_the_same(kit: Kit) -> None:
    original = read_bundle(kit.bundle)
    for damaged in single_bit_flips(kit.bundle, seed=20261126):
        try:
            bundle = read_bundle(damaged, evidence="check", streamed=arrived(damaged, [4096]).entries)
        except BundleError:
            continue
        # the report is checked piece by piece, not held; the content hash covers it through the manifest
        assert (bundle.document, bundle.report_pdf, bundle.content_hash) == (
            original.document,
            None,
            original.content_hash,
        )


def test_the_content_hash_covers_the_signature_and_not_the_zip_metadata(kit: Kit) -> None:
    original = read_bundle(kit.bundle).content_hash
    repacked = rebuild(kit.bundle)  # the same entries, every one deflated, with new times
    assert repacked != kit.bundle and read_bundle(repacked).content_hash == original
    resigned = resign(kit.bundle, kit.identity)  # the same content, signed again
    assert read_bundle(resigned).content_hash != original


# --- evidence checked into a folder (the desktop import's path) ------------------------------------


def test_evidence_is_checked_into_a_folder_one_file_at_a_time(kit: Kit, tmp_path: Path) -> None:
    kept = read_bundle(kit.bundle).evidence

    bundle = read_bundle(kit.bundle, evidence=tmp_path)

    assert bundle.evidence == {} and kept
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == kept


@pytest.mark.parametrize("case", BUNDLE_CASES, ids=[c.id for c in BUNDLE_CASES])
def test_checking_into_a_folder_refuses_what_reading_refuses(case: Case, kit: Kit, tmp_path: Path) -> None:
    folder = tmp_path / "staging"
    folder.mkdir()
    with pytest.raises(BundleError, match=case.reason):
        read_bundle(case.make(kit), evidence=folder)


# --- what is held in memory -------------------------------------------------------------------------


def test_a_caller_that_does_not_keep_the_content_never_has_the_report_read_whole(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review service and the desktop import check report.pdf piece by piece, like evidence."""
    from esca_desktop.sync import bundle as module

    read_whole: list[str] = []
    original = module._read_entry

    def recording(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, refuse: Any) -> bytes:
        read_whole.append(info.filename)
        return original(archive, info, cap, refuse)

    monkeypatch.setattr(module, "_read_entry", recording)
    checked = read_bundle(kit.bundle, evidence="check")
    staged = read_bundle(kit.bundle, evidence=tmp_path)

    assert read_whole and "report.pdf" not in read_whole
    assert checked.report_pdf is None and staged.report_pdf is None
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(EVIDENCE)  # the report is not staged as evidence
    with pytest.raises(BundleError, match=r"report.pdf: the SHA-256 does not match"):
        read_bundle(resign(kit.bundle, kit.identity, raw_manifest=_report_hash_changed), evidence="check")


def _report_hash_changed(manifest: bytes) -> bytes:
    listing = json.loads(manifest)
    for entry in listing["files"]:
        if entry["name"] == "report.pdf":
            entry["sha256"] = "0" * 64
    return json.dumps(listing, indent=2).encode()


def test_a_report_beyond_its_limit_is_refused_before_it_is_read(kit: Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    from esca_desktop.sync import bundle as module

    monkeypatch.setattr(module, "MAX_REPORT_SIZE", len(REPORT) - 1)
    with pytest.raises(BundleError, match=rf"report.pdf is {len(REPORT)} bytes; at most {len(REPORT) - 1}"):
        read_bundle(kit.bundle)
