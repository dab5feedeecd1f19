"""Export a finalised assessment as a signed bundle and import it elsewhere: identical data on arrival,
idempotent, revision-aware, and every damaged, tampered or unsafe bundle refused with the store unchanged."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import keyring
import pytest
from PIL import Image

from esca_desktop.cli import run
from esca_desktop.context import AppContext, open_context
from esca_desktop.domain.model import AssessmentStatus, FakeClock
from esca_desktop.errors import UserError
from esca_desktop.forms.results import ResultStatus
from esca_desktop.paths import database_path
from esca_desktop.security.credentials import MemoryCredentialStore
from esca_desktop.security.identity import (
    IdentityStore,
    PassphraseRequiredError,
    UnlockedIdentity,
    WrongPassphraseError,
)
from esca_desktop.services import bundles as bundles_module
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.services.bundles import (
    ImportConflictError,
    UntrustedBundleError,
    export_bundle,
    import_bundle,
)
from esca_desktop.services.demo import create_demo_assessments
from esca_desktop.services.signing import identity_store, trust_dir, verify_file
from esca_desktop.services.visit import Visit
from esca_desktop.storage.bundle_store import AssessmentRecord, read_record
from esca_desktop.storage.sync_store import SyncStore
from esca_desktop.sync.bundle import BundleError, read_bundle
from tests.conftest import new_request
from tests.security.conftest import InMemoryKeyring
from tests.sync.tampering import BUNDLE_CASES, Case, Kit, read_entries, rebuild, resign

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "assessment-json.schema.json"
MINUTES = b"%PDF-1.4\n% minutes of the board meeting of 4 December 2025\n" + bytes(range(256)) * 64
PHOTO_NAME = "Foto Vorstandssitzung.JPG"
FINDING = "Regional concentration confirmed by the member addresses."


def png(width: int = 120, height: int = 40) -> bytes:
    image = Image.new("RGB", (width, height), "white")
    for x in range(width // 10, width - width // 10):
        image.putpixel((x, height // 2 + (x % 7) - 3), (0, 0, 90))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


PHOTO = png(64, 64)
QUICK_NOTE = "Board member left early"


@dataclass
class Source:
    """The assessor's laptop: the Gold sample with evidence, an override and a drawn signature, finalised,
    exported at revision 1; then reopened, changed and finalised again, exported at revision 2."""

    context: AppContext
    gold_id: str
    silver_id: str
    identity: UnlockedIdentity
    other: UnlockedIdentity
    revision_1: bytes
    revision_2: bytes
    record_1: AssessmentRecord
    record_2: AssessmentRecord
    snapshot_1: dict[str, Any]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    folder = tmp_path_factory.mktemp("source")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
        patch.delenv("ESCA_DESKTOP_KEYRING", raising=False)
        previous = keyring.get_keyring()
        keyring.set_keyring(InMemoryKeyring())
        context = open_context(folder / "data", clock=FakeClock())
        context.set_actor("Anna Expert")
        try:
            service = AssessmentService(context)
            ids = create_demo_assessments(service)
            gold = service.open(ids["gold"])
            (folder / "minutes.pdf").write_bytes(MINUTES)
            (folder / PHOTO_NAME).write_bytes(PHOTO)
            gold.add_evidence(folder / "minutes.pdf", "Board minutes", ["1.1.0", "4.1.2"])
            gold.add_evidence(folder / PHOTO_NAME, "Photo of the org chart")
            gold.set_override("2.2.3", ResultStatus.MET, 3, "Training plan accepted after the second interview.")
            visit = Visit(gold)
            strategy, _ = visit.add_session(dt.date(2026, 11, 17), "09:00", "12:00", "Strategy", ["1", "4"])
            visit.attend(strategy.id, "Jens Hansen", "Cluster manager", "Cluster Nord", "09:00", "11:30")
            visit.attend(strategy.id, "Birte Lund", "Board member", "Lund ApS")
            visit.add_quick_note(QUICK_NOTE)
            visit.add_area_time("1", 1534.5)
            gold.add_drawn_signature("assessor", "Anna Expert", png())
            gold.add_drawn_signature("interviewee", "Jens Hansen", png(100, 30))
            gold.finalise()
            store = identity_store(context)
            store.create("Anna Expert", "anna@example.org")
            identity = store.unlock()
            other_store = IdentityStore(folder / "other", MemoryCredentialStore())
            other_store.create("Mallory Other", "mallory@example.org", passphrase="another secret", mode="ask")
            other = other_store.unlock("another secret")
            revision_1 = export_bundle(context, ids["gold"], folder / "gold-r1.esca").read_bytes()
            record_1 = read_record(context.repository.engine, ids["gold"])
            snapshot_1 = gold.snapshot()
            gold.reopen()
            SyncStore(context.repository.engine, context.clock).store_review_comments(
                ids["gold"], 1, {"1.2": "Were the statutes checked?"}, "Rita Reviewer", "2026-11-20T10:00:00+00:00"
            )
            gold.set_note("1.2", "Checked again after the review.")
            gold.set_finding("1.2", FINDING)
            gold.set_evidence_checked("1.2", 0, True)
            (folder / "wrong.pdf").write_bytes(b"%PDF-1.4 the minutes of another cluster")
            wrong, _ = gold.add_evidence(folder / "wrong.pdf", "Attached by mistake", ["1.2"])
            gold.remove_evidence(wrong.id)
            gold.set_review_reply("1.2", "Yes, the 2019 statutes, § 4.", True)
            gold.finalise()
            revision_2 = export_bundle(context, ids["gold"], folder / "gold-r2.esca").read_bytes()
            record_2 = read_record(context.repository.engine, ids["gold"])
            assert record_1 is not None and record_2 is not None
            yield Source(
                context,
                ids["gold"],
                ids["silver"],
                identity,
                other,
                revision_1,
                revision_2,
                record_1,
                record_2,
                snapshot_1,
            )
        finally:
            context.close()
            keyring.set_keyring(previous)


@pytest.fixture
def target(tmp_path: Path, source: Source) -> Iterator[AppContext]:
    """Another computer: trusts the assessor's certificate and holds an unrelated Silver assessment."""
    context = open_context(tmp_path / "target", clock=FakeClock())
    context.set_actor("Jens Reviewer")
    trust_dir(context.data_dir).mkdir()
    shutil.copy(source.context.data_dir / "identity" / "certificate.pem", trust_dir(context.data_dir) / "anna.pem")
    service = AssessmentService(context)
    other_id, _ = service.create(new_request(catalog="silver", name="Klaster Łódź", country="PL"))
    service.open(other_id).set_note(service.open(other_id).session.current.id, "first visit")
    yield context
    context.close()


def write(tmp_path: Path, data: bytes, name: str = "bundle.esca") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def store_state(context: AppContext) -> tuple[dict[str, int], str, list[tuple[str, str]]]:
    """Row counts per table, a digest of the whole database, and every file of the data folder."""
    with sqlite3.connect(database_path(context.data_dir)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        dump = hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    files = sorted(
        (str(p.relative_to(context.data_dir)), hashlib.sha256(p.read_bytes()).hexdigest())
        for p in context.data_dir.rglob("*")
        if p.is_file() and not p.name.startswith(database_path(context.data_dir).name)
    )
    return counts, dump, files


# --- the round trip -------------------------------------------------------------------------------


def test_import_into_a_fresh_store_gives_identical_data(source: Source, target: AppContext, tmp_path: Path) -> None:
    result = import_bundle(target, write(tmp_path, source.revision_1))
    assert (result.assessment_id, result.revision, result.created, result.replaced) == (source.gold_id, 1, True, False)
    assert result.signer == "Anna Expert <anna@example.org>"
    imported = read_record(target.repository.engine, source.gold_id)
    assert imported == source.record_1  # every column of every row, the audit trail's exact text included
    verification = target.repository.verify_audit(source.gold_id)
    assert verification.ok, verification.message
    assert verification.entries == len(source.record_1.audit)
    # the engine sees the same answers, results and outcome as at finalisation
    interview = AssessmentService(target).open(source.gold_id)
    assert interview.snapshot() == source.snapshot_1
    assert interview.assessment.status is AssessmentStatus.FINALISED
    assert interview.session.state("2.2.3").override is not None
    assert [s[:2] for s in interview.drawn_signatures()] == [
        ("assessor", "Anna Expert"),
        ("interviewee", "Jens Hansen"),
    ]
    contents = {item.file_name: interview.evidence_path(item).read_bytes() for item in interview.evidence()}
    assert contents == {"minutes.pdf": MINUTES, PHOTO_NAME: PHOTO}
    assert target.repository.catalog_source(source.record_1.assessment["catalog_hash"])[1]  # stored with it


def test_the_bundle_carries_the_signed_report_and_every_piece_of_evidence(source: Source, tmp_path: Path) -> None:
    bundle = read_bundle(source.revision_1, [source.identity.certificate])
    assert bundle.trusted and bundle.signer_fingerprint == source.identity.fingerprint
    assert sorted(bundle.evidence.values()) == sorted([MINUTES, PHOTO])
    assert bundle.report_pdf is not None
    report = write(tmp_path, bundle.report_pdf, "report.pdf")
    verdict = verify_file(source.context, report)
    assert verdict.ok and verdict.signer.startswith("Anna Expert"), verdict.message


def test_the_exported_assessment_json_follows_its_schema(source: Source) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for bundle in (source.revision_1, source.revision_2):
        document = read_bundle(bundle).document
        jsonschema.Draft202012Validator(schema).validate(document)
    broken = read_bundle(source.revision_1).document
    broken["answers"][0]["answered_at"] = 17
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(broken)


def test_the_same_bundle_twice_changes_nothing(source: Source, target: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, source.revision_1)
    import_bundle(target, path)
    before = store_state(target)
    again = import_bundle(target, path)
    assert (again.created, again.replaced, again.unchanged) == (False, False, True)
    assert store_state(target) == before


def test_a_newer_revision_replaces_the_stored_one(source: Source, target: AppContext, tmp_path: Path) -> None:
    import_bundle(target, write(tmp_path, source.revision_1, "r1.esca"))
    result = import_bundle(target, write(tmp_path, source.revision_2, "r2.esca"))
    assert (result.revision, result.created, result.replaced) == (2, False, True)
    assert read_record(target.repository.engine, source.gold_id) == source.record_2
    assert target.repository.verify_audit(source.gold_id).ok
    assert AssessmentService(target).open(source.gold_id).session.state("1.2").note == "Checked again after the review."
    [comment] = target.repository.review_threads(source.gold_id)  # the reviewer's comment with the reply
    assert (comment.revision, comment.indicator_id, comment.reply, comment.resolved) == (
        1,
        "1.2",
        "Yes, the 2019 statutes, § 4.",
        True,
    )


def test_findings_and_ticked_evidence_travel_and_removed_evidence_does_not(
    source: Source, target: AppContext, tmp_path: Path
) -> None:
    bundle = read_bundle(source.revision_2)
    [state] = [i for i in bundle.document["indicators"] if i["id"] == "1.2"]
    assert (state["finding"], state["evidence_checked"]) == (FINDING, [0])
    assert "Attached by mistake" not in json.dumps(bundle.document["evidence"])
    assert sorted(bundle.evidence.values()) == sorted([MINUTES, PHOTO])
    removed = [e for e in bundle.document["audit"]["entries"] if e["action"] == "evidence_removed"]
    assert [e["target"] for e in removed] == ["wrong.pdf"]
    import_bundle(target, write(tmp_path, source.revision_2, "r2.esca"))
    imported = AssessmentService(target).open(source.gold_id)
    assert imported.session.state("1.2").finding == FINDING
    assert imported.session.state("1.2").evidence_checked == (0,)
    assert [e.file_name for e in imported.evidence()] == ["minutes.pdf", PHOTO_NAME]


def test_the_visit_travels_in_the_bundle(source: Source, target: AppContext, tmp_path: Path) -> None:
    document = read_bundle(source.revision_1).document
    [session] = document["visit"]["sessions"]
    assert [a["name"] for a in session["attendees"]] == ["Birte Lund", "Jens Hansen"]
    import_bundle(target, write(tmp_path, source.revision_1))
    imported = Visit(AssessmentService(target).open(source.gold_id))
    [stored] = imported.sessions()
    assert (stored.title, stored.areas, len(stored.attendees)) == ("Strategy", ("1", "4"), 2)
    assert [n.text for n in imported.quick_notes()] == [QUICK_NOTE]
    assert imported.area_times() == {"1": 1534.5}
    # the attendance is part of what was signed: the drawn signatures still count after the import
    assert len(imported.interview.drawn_signatures()) == 2


def test_a_bundle_from_before_the_visit_is_still_read(source: Source, target: AppContext, tmp_path: Path) -> None:
    def without_visit(document: dict[str, Any]) -> None:
        del document["visit"]

    old = resign(source.revision_1, source.identity, document=without_visit)
    assert import_bundle(target, write(tmp_path, old, "old.esca")).created
    assert Visit(AssessmentService(target).open(source.gold_id)).sessions() == []


def test_a_bundle_from_before_findings_is_still_read(source: Source, target: AppContext, tmp_path: Path) -> None:
    def without_findings(document: dict[str, Any]) -> None:
        for item in document["indicators"]:
            del item["finding"], item["evidence_checked"]

    old = resign(source.revision_2, source.identity, document=without_findings)
    result = import_bundle(target, write(tmp_path, old, "old.esca"))
    assert result.created
    state = AssessmentService(target).open(source.gold_id).session.state("1.2")
    assert (state.note, state.finding, state.evidence_checked) == ("Checked again after the review.", "", ())


def test_an_older_revision_is_a_conflict(source: Source, target: AppContext, tmp_path: Path) -> None:
    import_bundle(target, write(tmp_path, source.revision_2, "r2.esca"))
    before = store_state(target)
    with pytest.raises(
        ImportConflictError,
        match=r"r1.esca: conflict: this computer holds assessment \w{8} at "
        r"revision 2, newer than the bundle's revision 1",
    ):
        import_bundle(target, write(tmp_path, source.revision_1, "r1.esca"))
    assert store_state(target) == before


def test_histories_that_parted_are_a_conflict(source: Source, target: AppContext, tmp_path: Path) -> None:
    """Reopened and changed here while the assessor made revision 2 elsewhere: neither may overwrite the other."""
    import_bundle(target, write(tmp_path, source.revision_1, "r1.esca"))
    interview = AssessmentService(target).open(source.gold_id)
    interview.reopen()
    interview.set_note("3.1", "A note made on this computer")
    before = store_state(target)
    with pytest.raises(ImportConflictError, match=r"changed both on this computer and where the bundle comes from"):
        import_bundle(target, write(tmp_path, source.revision_2, "r2.esca"))
    assert store_state(target) == before


def test_an_untrusted_signer_is_refused_with_the_way_to_trust_them(
    source: Source, target: AppContext, tmp_path: Path
) -> None:
    (trust_dir(target.data_dir) / "anna.pem").unlink()
    before = store_state(target)
    with pytest.raises(
        UntrustedBundleError,
        match=r"signed by Anna Expert <anna@example.org> .* not trusted on this "
        r"computer .* into .*trust",
    ):
        import_bundle(target, write(tmp_path, source.revision_1))
    assert store_state(target) == before


def test_a_failed_write_leaves_no_evidence_behind(
    source: Source, target: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store_state(target)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(bundles_module, "write_record", disk_full)
    with pytest.raises(sqlite3.OperationalError):
        import_bundle(target, write(tmp_path, source.revision_1))
    assert store_state(target) == before
    assert not target.evidence_dir.exists() or list(target.evidence_dir.iterdir()) == []  # no staging folder left


def test_importing_again_restores_a_lost_evidence_file(source: Source, target: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, source.revision_1)
    import_bundle(target, path)
    lost = next(target.evidence_dir.joinpath(source.gold_id).iterdir())
    content = lost.read_bytes()
    lost.unlink()
    assert import_bundle(target, path).unchanged
    assert lost.read_bytes() == content


# --- export ---------------------------------------------------------------------------------------


def test_only_a_finalised_assessment_is_exported(source: Source, tmp_path: Path) -> None:
    out = tmp_path / "silver.esca"
    with pytest.raises(
        UserError,
        match=r"is in progress: only a finalised assessment can be exported; finalise it "
        r"first \('esca-desktop assessment finalise \w{8}'\)",
    ):
        export_bundle(source.context, source.silver_id, out)
    assert not out.exists()


def test_export_refuses_evidence_changed_on_disk(source: Source, tmp_path: Path) -> None:
    folder = source.context.evidence_dir / source.gold_id
    victim = sorted(folder.iterdir())[0]
    original = victim.read_bytes()
    victim.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    try:
        with pytest.raises(UserError, match=r"was changed after it was added"):
            export_bundle(source.context, source.gold_id, tmp_path / "gold.esca")
    finally:
        victim.write_bytes(original)
    assert not (tmp_path / "gold.esca").exists()


def test_export_with_a_passphrase_typed_each_time(tmp_path: Path) -> None:
    context = open_context(tmp_path / "data", clock=FakeClock())
    try:
        service = AssessmentService(context)
        gold_id = create_demo_assessments(service)["gold"]
        service.open(gold_id).finalise()
        identity_store(context).create("Anna Expert", "anna@example.org", passphrase="typed each time", mode="ask")
        out = tmp_path / "gold.esca"
        with pytest.raises(PassphraseRequiredError):
            export_bundle(context, gold_id, out)
        with pytest.raises(WrongPassphraseError):
            export_bundle(context, gold_id, out, passphrase="wrong guess!")
        assert not out.exists()
        assert export_bundle(context, gold_id, out, passphrase="typed each time") == out
        assert read_bundle(out).assessment_id == gold_id
    finally:
        context.close()


# --- the command line -----------------------------------------------------------------------------


def test_export_and_import_on_the_command_line(
    source: Source, target: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gold.esca"
    assert (
        run(["--data-dir", str(source.context.data_dir), "export", source.gold_id[:8], "--out", str(out), "--json"])
        == 0
    )
    exported = json.loads(capsys.readouterr().out)
    assert exported["assessment_id"] == source.gold_id and exported["revision"] == 2 and out.is_file()
    target.close()
    assert run(["--data-dir", str(target.data_dir), "import", str(out), "--json"]) == 0
    imported = json.loads(capsys.readouterr().out)
    assert imported == {
        "assessment_id": source.gold_id,
        "revision": 2,
        "created": True,
        "replaced": False,
        "signer": "Anna Expert <anna@example.org>",
    }
    assert run(["--data-dir", str(target.data_dir), "import", str(out)]) == 0
    assert "already up to date; nothing changed" in capsys.readouterr().out
    damaged = write(tmp_path, rebuild(out.read_bytes(), add=[("../../evil.sh", b"#!/bin/sh")]), "evil.esca")
    assert run(["--data-dir", str(target.data_dir), "import", str(damaged)]) == 2
    assert "evil.esca: entry ../../evil.sh leads out of the bundle" in capsys.readouterr().err
    assert (
        run(["--data-dir", str(source.context.data_dir), "export", source.silver_id, "--out", str(tmp_path / "s.esca")])
        == 2
    )
    assert "finalise it first" in capsys.readouterr().err


# --- everything that must be refused, with the store unchanged ------------------------------------


def _drop_audit_entry(document: dict[str, Any]) -> None:
    del document["audit"]["entries"][3]
    document["audit"]["count"] -= 1


def _edit_audit_entry(document: dict[str, Any]) -> None:
    entry = document["audit"]["entries"][5]
    entry["new_json"] = entry["new_json"].replace("1", "2", 1) if "1" in entry["new_json"] else '"forged"'


def _drop_newest_audit_entries(document: dict[str, Any]) -> None:
    document["audit"]["entries"] = document["audit"]["entries"][:-2]


def _unknown_catalog(document: dict[str, Any]) -> None:
    document["catalog"]["hash"] = "sha256:" + "0" * 64


def _unknown_catalog_manifest(manifest: dict[str, Any]) -> None:
    manifest["catalog"]["hash"] = "sha256:" + "0" * 64


def _set_status(value: str) -> Any:
    def change(data: dict[str, Any]) -> None:
        if "assessment" in data and isinstance(data["assessment"], dict):
            data["assessment"]["status"] = value
        else:
            data["status"] = value

    return change


def _untrusted(kit: Kit) -> bytes:
    def name_other(manifest: dict[str, Any]) -> None:
        manifest["assessor"] = {
            "name": kit.other.name,
            "email": kit.other.email,
            "certificate_sha256": kit.other.fingerprint,
        }

    return resign(kit.bundle, kit.other, manifest=name_other)


def _change(path: list[str | int], value: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _answer(key: str, value: Any) -> Any:
    """Give the field `key` the stored value `value` (replacing its answer, or adding one)."""

    def change(document: dict[str, Any]) -> None:
        for answer in document["answers"]:
            if answer["key"] == key:
                answer["value"] = value
                return
        document["answers"].append({**document["answers"][0], "key": key, "value": value})

    return change


IMPORT_CASES: tuple[Case, ...] = (
    Case(
        "integer of 400 digits",
        lambda k: resign(k.bundle, k.identity, document=_answer("1.1.1.companies", 10**400)),
        r"answers\[\d+\].value: not a valid integer value for 1.1.1.companies \(indicator 1.1.1, field companies\): "
        r"1000.*\(401 characters\) is too large",
    ),
    Case(
        "negative count",
        lambda k: resign(k.bundle, k.identity, document=_answer("2.3.exits", -4)),
        r"not a valid integer value for 2.3.exits .*: -4 must be at least 0",
    ),
    Case(
        "decimal beyond its maximum",
        lambda k: resign(k.bundle, k.identity, document=_answer("2.2.1.fte", "1e400")),
        r"not a valid decimal value for 2.2.1.fte .*: \"1e400\" is too large",
    ),
    Case(
        "decimal that is not a number",
        lambda k: resign(k.bundle, k.identity, document=_answer("2.2.3.training_days", "NaN")),
        r"not a valid decimal value for 2.2.3.training_days .*: \"NaN\" is not a finite number",
    ),
    Case(
        "share above 100 %",
        lambda k: resign(k.bundle, k.identity, document=_answer("2.2.4.staff_turnover", "250")),
        r"not a valid percent value for 2.2.4.staff_turnover .*must be at most 100",
    ),
    Case(
        "choice the catalog does not offer",
        lambda k: resign(k.bundle, k.identity, document=_answer("2.1.legal_form", "pirate_ship")),
        r"not a valid single_choice value for 2.1.legal_form .*'pirate_ship' is not one of",
    ),
    Case(
        "short text of a megabyte",
        lambda k: resign(k.bundle, k.identity, document=_answer("1.2.region", "x" * 2**20)),
        r"not a valid short_text value for 1.2.region .*is too long: at most 300 characters",
    ),
    Case(
        "audit entry edited inside assessment.json",
        lambda k: resign(k.bundle, k.identity, document=_edit_audit_entry),
        r"assessment.json: the audit trail is not intact: entry 6: its content does not match its hash",
    ),
    Case(
        "audit entry removed inside assessment.json",
        lambda k: resign(k.bundle, k.identity, document=_drop_audit_entry),
        r"the audit trail is not intact: entry 4: the link to the previous entry is broken",
    ),
    Case(
        "newest audit entries removed",
        lambda k: resign(k.bundle, k.identity, document=_drop_newest_audit_entries),
        r"the audit trail is not intact: the trail has \d+ entries but \d+ were recorded",
    ),
    Case(
        "unknown catalog hash",
        lambda k: resign(k.bundle, k.identity, document=_unknown_catalog, manifest=_unknown_catalog_manifest),
        r"made under the catalog gold@2013.1 \(sha256:0{64}\), which this computer does not have",
    ),
    Case("signer not trusted here", _untrusted, r"signed by Mallory Other .* not trusted on this computer"),
    Case(
        "answer to a field the catalog lacks",
        lambda k: resign(k.bundle, k.identity, document=_change(["answers", 0, "key"], "9.9.forged")),
        r"assessment.json: answers\[0\].key: no field '9.9.forged' in gold@2013.1",
    ),
    Case(
        "answer of the wrong type",
        lambda k: resign(k.bundle, k.identity, document=_change(["answers", 0, "value"], {"x": [1]})),
        r"assessment.json: answers\[0\].value: not a valid yes_no value for 1.1.0.commitment_documented",
    ),
    Case(
        "assessment still in progress",
        lambda k: resign(
            k.bundle, k.identity, document=_set_status("in_progress"), manifest=_set_status("in_progress")
        ),
        r"status: 'in_progress': only finalised, submitted or approved assessments are imported",
    ),
    Case(
        "time that is no time",
        lambda k: resign(k.bundle, k.identity, document=_change(["created_at"], "yesterday")),
        r"assessment.json: created_at: 'yesterday' is not an ISO 8601 time",
    ),
    Case(
        "drawn signature that is no PNG",
        lambda k: resign(
            k.bundle,
            k.identity,
            document=_change(["drawn_signatures", 0, "image_png"], base64.b64encode(b"GIF89a...").decode()),
        ),
        r"drawn_signatures\[0\].image_png: not a PNG image",
    ),
    Case(
        "indicator twice",
        lambda k: resign(k.bundle, k.identity, document=lambda d: d["indicators"].append(dict(d["indicators"][0]))),
        r"indicators\[\d+\]: '1.1.0' appears twice",
    ),
)

ALL_CASES = BUNDLE_CASES + IMPORT_CASES


@pytest.fixture(scope="module")
def kit(source: Source) -> Kit:
    evidence = next(i.filename for i, _ in read_entries(source.revision_1) if i.filename.startswith("evidence/"))
    return Kit(source.revision_1, source.identity, source.other, evidence)


def test_there_are_at_least_twenty_refusals() -> None:
    assert len(ALL_CASES) >= 20


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_a_bad_bundle_is_refused_and_the_store_unchanged(
    case: Case, kit: Kit, target: AppContext, tmp_path: Path
) -> None:
    path = write(tmp_path, case.make(kit), "suspect.esca")
    before = store_state(target)
    with pytest.raises(UserError, match=case.reason) as refused:
        import_bundle(target, path)
    assert refused.value.message.startswith("suspect.esca: ")
    assert store_state(target) == before


def test_a_bad_bundle_over_a_stored_revision_leaves_it_as_it_was(
    source: Source, kit: Kit, target: AppContext, tmp_path: Path
) -> None:
    """A tampered revision 2 arriving where revision 1 is stored: refused, revision 1 untouched."""
    import_bundle(target, write(tmp_path, source.revision_1, "r1.esca"))
    before = store_state(target)
    tampered = resign(source.revision_2, source.identity, document=_edit_audit_entry)
    with pytest.raises(BundleError, match="audit trail is not intact"):
        import_bundle(target, write(tmp_path, tampered, "r2.esca"))
    assert store_state(target) == before
    assert read_record(target.repository.engine, source.gold_id) == source.record_1
