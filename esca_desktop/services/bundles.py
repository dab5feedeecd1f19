"""Use-cases of bundles on the desktop: export a finalised assessment as a signed `.esca` file, and
import one (from a colleague, another laptop, or a backup).

Export writes the signed report, then assessment.json with everything the store holds of the
assessment (its audit trail included, with the exact stored text that the chain's hashes cover),
then the bundle, signed with the same identity that signed the report.

Import checks everything before it writes anything: the bundle (`sync.bundle.read_bundle`), that its
signer is trusted here, that the catalog is available, that the document fits the catalog, and that the
audit trail's chain is intact. Then it writes the assessment in one transaction: new, replacing an
older state of it whose history the bundle continues, or nothing at all when the store already holds it.
Evidence files are checked into a staging folder beside the evidence folder (one at a time, never
whole in memory; the folder is removed whatever happens) and moved into place after the commit.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import filecmp
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from esca_desktop import __version__
from esca_desktop.context import AppContext
from esca_desktop.domain.countries import find_country
from esca_desktop.domain.model import AssessmentStatus, AuditVerification
from esca_desktop.errors import CatalogError, UserError
from esca_desktop.forms.catalog import Catalog
from esca_desktop.forms.loader import parse_catalog
from esca_desktop.forms.results import ResultStatus
from esca_desktop.forms.values import msg
from esca_desktop.paths import fsync_folder, make_private_dir, temp_dir, temp_name, tighten
from esca_desktop.security.identity import SignatureCheck, sign_detached
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.services.documents import DocumentService
from esca_desktop.services.evidence_files import Recorded, require_intact_evidence
from esca_desktop.services.signing import identity_store, sign_report_file, trust_dir, trusted_certificates
from esca_desktop.storage.bundle_store import (
    ATTENDEE_COLUMNS,
    AssessmentRecord,
    CatalogSource,
    StoredState,
    VisitRows,
    canonical_json,
    has_catalog,
    read_record,
    stored_state,
    write_record,
)
from esca_desktop.storage.repository import verify_exported_chain
from esca_desktop.sync.bundle import (
    DOCUMENT,
    DOCUMENT_FORMAT,
    BundleError,
    VerifiedBundle,
    read_bundle,
    write_bundle,
)
from esca_desktop.sync.content import answer_problem

EXPORTABLE = frozenset({AssessmentStatus.FINALISED, AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED})


class ImportConflictError(UserError):
    """The store holds a newer, or a different, state of the assessment than the bundle."""


class UntrustedBundleError(BundleError):
    """The bundle's signature is intact, but its signer is not in the trust list of this computer."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    assessment_id: str
    revision: int
    created: bool  # a new assessment in this store
    replaced: bool = False  # an older state of it was brought up to the bundle's
    signer: str = ""
    signature: SignatureCheck | None = None  # the bundle's signature check: who vouches for the signer

    @property
    def unchanged(self) -> bool:
        return not (self.created or self.replaced)


# --- export ---------------------------------------------------------------------------------------


def export_bundle(context: AppContext, assessment_id: str, out_path: Path, passphrase: str | None = None) -> Path:
    """Write the assessment (finalised, submitted or approved) as a signed bundle; returns its path.

    `passphrase` unlocks the signing key when the identity asks for it each time."""
    service = AssessmentService(context)
    assessment = service.get(assessment_id)
    short = assessment.id[:8]
    lang = context.lang
    if assessment.status not in EXPORTABLE:
        raise UserError(
            msg(
                lang,
                f"assessment {short} is {assessment.status.label()}: only a finalised assessment can be exported; "
                f"finalise it first ('esca-desktop assessment finalise {short}')",
                f"Die Bewertung {short} ist {assessment.status.label('de')}: nur eine abgeschlossene Bewertung kann "
                "exportiert werden; schließen Sie sie zuerst ab",
            )
        )
    record = read_record(context.repository.engine, assessment.id)
    if record is None:  # deleted in between
        raise UserError(
            msg(
                lang,
                f"assessment {short} is no longer in the store",
                f"Die Bewertung {short} ist nicht mehr im Datenbestand",
            )
        )
    verification = _verify_audit(record)
    if not verification.ok:
        raise UserError(
            msg(
                lang,
                f"assessment {short}: its audit trail is damaged ({verification.message}); it cannot be exported",
                f"Bewertung {short}: ihr Änderungsprotokoll ist beschädigt ({verification.message}); sie kann "
                "nicht exportiert werden",
            )
        )
    identity = identity_store(context).unlock(passphrase)
    evidence = _evidence_files(context, record)
    with tempfile.TemporaryDirectory(
        prefix=temp_name("export"), dir=make_private_dir(temp_dir(context.data_dir))
    ) as folder:
        report_path = Path(folder) / "report.pdf"
        _, box = DocumentService(context, service).write_report(assessment.id, report_path)
        sign_report_file(context, report_path, box, passphrase, lang=assessment.interview_lang)
        report_pdf = report_path.read_bytes()
    manifest_base = {
        "assessment": {
            "id": assessment.id,
            "revision": record.assessment["revision"],
            "status": record.assessment["status"],
        },
        "catalog": {
            "id": assessment.catalog.catalog_id,
            "version": assessment.catalog.version,
            "hash": assessment.catalog.content_hash,
        },
        "assessor": {"name": identity.name, "email": identity.email, "certificate_sha256": identity.fingerprint},
        "created_at": context.clock().astimezone(dt.UTC).isoformat(timespec="seconds"),
        "generator": f"esca-desktop {__version__}",
    }
    return write_bundle(
        Path(out_path),
        manifest_base,
        document_from_record(record),
        report_pdf,
        evidence,
        lambda data: sign_detached(identity, data),
    )


def _evidence_files(context: AppContext, record: AssessmentRecord) -> list[tuple[str, Path]]:
    """Each evidence file, checked against the size and SHA-256 recorded when it was added."""
    recorded = [Recorded(r["file_name"], r["stored_name"], r["sha256"], r["size"]) for r in record.evidence]
    checked = require_intact_evidence(
        context.evidence_dir / record.id,
        recorded,
        ("The assessment is not exported", "Die Bewertung wird nicht exportiert"),
        context.lang,
    )
    return [(item.stored_name, path) for item, path in checked]


def document_from_record(record: AssessmentRecord) -> dict[str, Any]:
    """assessment.json (docs/assessment-json.schema.json) from the stored rows."""
    a, org = record.assessment, record.organisation
    return {
        "format": DOCUMENT_FORMAT,
        "id": a["id"],
        "revision": a["revision"],
        "status": a["status"],
        "scheme": a["scheme"],
        "catalog": {"id": a["catalog_id"], "version": a["catalog_version"], "hash": a["catalog_hash"]},
        "organisation": {
            k: org[k] for k in ("name", "country", "region", "legal_form", "sector", "website", "contact")
        },
        "assessors": json.loads(a["assessors"]),
        "interview": {
            "start": a["interview_start"],
            "end": a["interview_end"],
            "place": a["place"],
            "lang": a["interview_lang"],
        },
        "current_indicator": a["current_indicator"],
        "created_at": a["created_at"],
        "updated_at": a["updated_at"],
        "finalised_at": a["finalised_at"],
        "summary": {k: a[k] for k in ("strengths", "improvement_areas", "recommendations")},
        "score": {
            "progress_done": a["progress_done"],
            "progress_total": a["progress_total"],
            "points": a["score_points"],
            "max_points": a["score_max"],
            "passed": None if a["outcome_passed"] is None else bool(a["outcome_passed"]),
        },
        "answers": [
            {
                "key": r["field_key"],
                "value": json.loads(r["value_json"]),
                "answered_by": r["answered_by"],
                "answered_at": r["answered_at"],
            }
            for r in record.answers
        ],
        "indicators": [
            {
                "id": r["indicator_id"],
                "result_status": r["result_status"],
                "result_points": r["result_points"],
                "note": r["note"],
                "follow_up": bool(r["follow_up"]),
                "finding": r["finding"],
                "evidence_checked": json.loads(r["evidence_checked"]),
                "override": None
                if not r["override_status"]
                else {
                    "status": r["override_status"],
                    "points": r["override_points"],
                    "justification": r["override_justification"],
                    "by": r["override_by"],
                    "at": r["override_at"],
                },
            }
            for r in record.indicator_states
        ],
        "evidence": [
            {
                **{
                    k: r[k]
                    for k in ("id", "file_name", "stored_name", "sha256", "size", "description", "added_by", "added_at")
                },
                "indicators": json.loads(r["indicators"]),
            }
            for r in record.evidence
        ],
        "drawn_signatures": [
            {
                "role": r["role"],
                "signer_name": r["signer_name"],
                "signed_at": r["signed_at"],
                "image_png": base64.b64encode(r["image_png"]).decode("ascii"),
            }
            for r in record.drawn_signatures
        ],
        "revisions": [
            {"revision": r["revision"], "finalised_at": r["finalised_at"], "snapshot": json.loads(r["snapshot_json"])}
            for r in record.snapshots
        ],
        "audit": {"head": a["audit_head"], "count": a["audit_count"], "entries": [dict(r) for r in record.audit]},
        "review_comments": [
            {
                "revision": r["revision"],
                "indicator": r["indicator_id"],
                "comment": r["comment"],
                "reviewer": r["reviewer"],
                "at": r["at"],
                "reply": r["reply"],
                "resolved": bool(r["resolved"]),
                "replied_by": r["replied_by"],
                "replied_at": r["replied_at"],
            }
            for r in record.review_comments or ()
        ],
        **({} if record.visit is None else {"visit": _visit_document(record.visit)}),
    }


def _visit_document(visit: VisitRows) -> dict[str, Any]:
    """The visit in assessment.json: the agenda with each session's attendees, quick notes, time per area."""
    people: dict[str, list[dict[str, Any]]] = {}
    for r in visit.attendees:
        people.setdefault(r["session_id"], []).append({k: r[k] for k in ATTENDEE_COLUMNS if k != "session_id"})
    return {
        "sessions": [
            {
                "id": r["id"],
                "date": r["day"],
                "start": r["start"],
                "end": r["end"],
                "title": r["title"],
                "areas": json.loads(r["areas"]),
                "attendees": people.get(r["id"], []),
            }
            for r in visit.sessions
        ],
        "quick_notes": [dict(r) for r in visit.quick_notes],
        "area_time": [{"area": r["area_id"], "seconds": r["seconds"]} for r in visit.area_times],
    }


# --- import ---------------------------------------------------------------------------------------


def import_bundle(context: AppContext, source: Path, passphrase: str | None = None) -> ImportResult:
    """Check a bundle completely, then store the assessment it carries; see the module's docstring.

    `passphrase` is accepted for symmetry with `export_bundle`; importing uses no private key."""
    path = Path(source).expanduser()
    label = path.name
    with _staging(context) as staging:
        bundle = read_bundle(path, trusted_certificates(context), evidence=staging)
        if not bundle.trusted:
            fingerprint, trust = bundle.signer_fingerprint[:16], trust_dir(context.data_dir)
            raise UntrustedBundleError(
                msg(
                    context.lang,
                    f"{label}: {bundle.signature.trust_words('en')}: signed by {bundle.signer} (certificate "
                    f"SHA-256 {fingerprint}…), who is not trusted on this computer ({bundle.signature.message}). "
                    f"To import the bundles of ESCA assessors, put the secretariat's CA certificate (ask the "
                    f"secretariat for it; not a person's certificate) as a .pem file into {trust}",
                    f"{label}: {bundle.signature.trust_words('de')}: signiert von {bundle.signer} (Zertifikat "
                    f"SHA-256 {fingerprint}…), dem auf diesem Rechner nicht vertraut wird "
                    f"({bundle.signature.message}). Um Pakete von ESCA-Assessoren zu importieren, legen Sie das "
                    f"CA-Zertifikat des Sekretariats (beim Sekretariat erhältlich; nicht das Zertifikat einer "
                    f"Person) als .pem-Datei in {trust}",
                )
            )
        catalog, catalog_source = _catalog_for(context, bundle, label)
        record = record_from_document(bundle.document, catalog, f"{label}: {DOCUMENT}")
        verification = _verify_audit(record)
        if not verification.ok:
            raise BundleError(f"{label}: {DOCUMENT}: the audit trail is not intact: {verification.message}")
        engine = context.repository.engine
        stored = stored_state(engine, record.id)
        action = _decide(stored, record, label, context.lang)
        revision = int(record.assessment["revision"])
        folder = context.evidence_dir / record.id
        staged = sorted(p.name for p in staging.iterdir())
        if action == "unchanged":
            # a file lost after an earlier import is put back; the rows are already there
            _place_files(staging, folder, [n for n in staged if not _holds(folder / n, staging / n)], lambda: None)
            return ImportResult(record.id, revision, created=False, signer=bundle.signer, signature=bundle.signature)
        added_at = context.clock().astimezone(dt.UTC).isoformat(timespec="microseconds")
        _place_files(staging, folder, staged, lambda: write_record(engine, record, stored, catalog_source, added_at))
    return ImportResult(
        record.id,
        revision,
        created=stored is None,
        replaced=stored is not None,
        signer=bundle.signer,
        signature=bundle.signature,
    )


def _holds(path: Path, staged: Path) -> bool:
    try:
        return path.stat().st_size == staged.stat().st_size and filecmp.cmp(path, staged, shallow=False)
    except OSError:
        return False


@contextmanager
def _staging(context: AppContext) -> Iterator[Path]:
    """A new folder beside the evidence folder that the bundle's evidence files are checked into; it
    is removed on leaving, with whatever was not moved out of it."""
    folder = context.evidence_dir / temp_name("import")  # a killed import's is removed at a later start
    try:
        make_private_dir(folder.parent)
        folder.mkdir(mode=0o700)
    except OSError as exc:
        raise UserError(
            f"the evidence files cannot be written to {context.evidence_dir} ({exc.strerror or exc}); "
            "nothing was imported"
        ) from None
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _place_files(staging: Path, folder: Path, names: Sequence[str], commit: Callable[[], None]) -> None:
    """Run `commit`, then move the staged files `names` into `folder`."""
    commit()
    try:
        if names:
            make_private_dir(folder)
        for name in names:
            os.replace(staging / name, folder / name)
            tighten(folder / name)  # owner-only, like every file of the data folder
        if names:
            fsync_folder(folder)  # the renames are durable, like an attached file's
    except OSError as exc:
        raise UserError(
            f"the evidence files cannot be moved into {folder} ({exc.strerror or exc}); "
            "import the bundle again to complete it"
        ) from None


def _catalog_for(context: AppContext, bundle: VerifiedBundle, label: str) -> tuple[Catalog, CatalogSource | None]:
    """The catalog the assessment is bound to, by content hash; with its bytes when the store lacks them."""
    wanted = bundle.catalog
    ref = f"{wanted['id']}@{wanted['version']}"
    entry = context.catalogs.by_hash(wanted["hash"])
    engine = context.repository.engine
    if entry is not None:
        catalog = entry.catalog
        source = (
            None
            if has_catalog(engine, catalog.content_hash)
            else CatalogSource(catalog.content_hash, catalog.id, catalog.version, catalog.source_name, entry.content)
        )
    elif has_catalog(engine, wanted["hash"]):
        name, content = context.repository.catalog_source(wanted["hash"])
        try:
            catalog = parse_catalog(content, name)
        except CatalogError as exc:
            raise BundleError(f"{label}: the stored catalog {ref} cannot be read ({exc})") from None
        source = None
    else:
        raise BundleError(
            f"{label}: the assessment was made under the catalog {ref} ({wanted['hash']}), which this computer "
            "does not have; install that catalog version (it comes with a program update, or by sync from the "
            "review service) and import again"
        )
    if (catalog.id, catalog.version) != (wanted["id"], wanted["version"]):
        raise BundleError(f"{label}: the catalog with hash {wanted['hash']} is {catalog.ref} here, not {ref}")
    return catalog, source


def _verify_audit(record: AssessmentRecord) -> AuditVerification:
    head, count = str(record.assessment["audit_head"]), int(record.assessment["audit_count"])
    return verify_exported_chain(record.id, record.audit, head, count)


def _decide(stored: StoredState | None, record: AssessmentRecord, label: str, lang: str = "en") -> str:
    """ "create", "replace" or "unchanged"; `ImportConflictError` when the bundle is older or diverged."""
    if stored is None:
        return "create"
    short = record.id[:8]
    revision = int(record.assessment["revision"])
    if revision < stored.revision:
        raise ImportConflictError(
            msg(
                lang,
                f"{label}: conflict: this computer holds assessment {short} at revision {stored.revision}, newer "
                f"than the bundle's revision {revision}; an older revision is not imported",
                f"{label}: Konflikt: dieser Rechner hat die Bewertung {short} in Revision {stored.revision}, neuer "
                f"als die Revision {revision} des Pakets; eine ältere Revision wird nicht importiert",
            )
        )
    incoming = tuple(str(e["hash"]) for e in record.audit)
    if revision == stored.revision and stored.audit_hashes[: len(incoming)] == incoming:
        return "unchanged"
    if incoming[: len(stored.audit_hashes)] == stored.audit_hashes and incoming != stored.audit_hashes:
        return "replace"
    common = 0
    for mine, theirs in zip(stored.audit_hashes, incoming, strict=False):
        if mine != theirs:
            break
        common += 1
    raise ImportConflictError(
        msg(
            lang,
            f"{label}: conflict: assessment {short} (revision {stored.revision} here, {revision} in the bundle) was "
            f"changed both on this computer and where the bundle comes from: the histories part after entry "
            f"{common}; the bundle was not imported",
            f"{label}: Konflikt: die Bewertung {short} (hier Revision {stored.revision}, im Paket {revision}) wurde "
            f"sowohl auf diesem Rechner als auch dort geändert, woher das Paket kommt: die Verläufe trennen sich "
            f"nach Eintrag {common}; das Paket wurde nicht importiert",
        )
    )


# --- assessment.json -> rows ----------------------------------------------------------------------


def _time_problem(value: Any, date_only: bool = False) -> bool:
    if value is None:
        return False
    try:
        if date_only:
            dt.date.fromisoformat(value)
        else:
            dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return True
    return False


def record_from_document(document: Mapping[str, Any], catalog: Catalog, where: str) -> AssessmentRecord:
    """The rows to store, from a document whose shape `read_bundle` has checked; `BundleError` naming
    the place when a value does not fit the catalog or the store."""

    def fail(path: str, message: str) -> BundleError:
        return BundleError(f"{where}: {path}: {message}")

    def check_time(path: str, value: Any, date_only: bool = False) -> Any:
        if _time_problem(value, date_only):
            raise fail(path, f"{value!r} is not an ISO 8601 {'date' if date_only else 'time'}")
        return value

    def unique(path: str, values: Sequence[Any]) -> None:
        seen: set[Any] = set()
        for index, value in enumerate(values):
            if value in seen:
                raise fail(f"{path}[{index}]", f"{value!r} appears twice")
            seen.add(value)

    d = document
    try:
        status = AssessmentStatus(d["status"])
    except ValueError:
        raise fail("status", f"{d['status']!r} is not a status") from None
    if status not in EXPORTABLE:
        raise fail("status", f"{status.value!r}: only finalised, submitted or approved assessments are imported")
    if d["scheme"] != catalog.scheme:
        raise fail("scheme", f"{d['scheme']!r} is not the scheme of {catalog.ref} ({catalog.scheme})")
    if d["revision"] < 1:
        raise fail("revision", "must be 1 or more")
    country = find_country(d["organisation"]["country"])
    if country is None or country.alpha2 != d["organisation"]["country"]:
        raise fail("organisation.country", f"{d['organisation']['country']!r} is not an ISO 3166 alpha-2 code")
    if d["interview"]["lang"] not in ("en", "de"):
        raise fail("interview.lang", f"{d['interview']['lang']!r} is not en or de")
    if d["current_indicator"] is not None and d["current_indicator"] not in catalog.indicator_by_id:
        raise fail("current_indicator", f"no indicator {d['current_indicator']!r} in {catalog.ref}")
    for key in ("start", "end"):
        check_time(f"interview.{key}", d["interview"][key], date_only=True)
    for key in ("created_at", "updated_at", "finalised_at"):
        check_time(key, d[key])

    answers = []
    unique("answers", [a["key"] for a in d["answers"]])
    for index, answer in enumerate(d["answers"]):
        # the value must be one the field could have been given (type, bounds, choices, lengths), written
        # exactly as the store writes it: a number of 400 digits would break scoring and reports later
        problem = answer_problem(catalog, answer["key"], answer["value"])
        if problem:
            part = "key" if answer["key"] not in catalog.field_by_key else "value"
            raise fail(f"answers[{index}].{part}", problem)
        answers.append(
            {
                "field_key": answer["key"],
                "value_json": canonical_json(answer["value"]),
                "answered_by": answer["answered_by"],
                "answered_at": check_time(f"answers[{index}].answered_at", answer["answered_at"]),
            }
        )

    states = []
    unique("indicators", [i["id"] for i in d["indicators"]])
    statuses = {s.value for s in ResultStatus}
    for index, item in enumerate(d["indicators"]):
        path = f"indicators[{index}]"
        if item["id"] not in catalog.indicator_by_id:
            raise fail(f"{path}.id", f"no indicator {item['id']!r} in {catalog.ref}")
        if item["result_status"] not in statuses:
            raise fail(f"{path}.result_status", f"{item['result_status']!r} is not a result status")
        override = item["override"]
        if override is not None and override["status"] not in statuses:
            raise fail(f"{path}.override.status", f"{override['status']!r} is not a result status")
        checked = item.get("evidence_checked", [])
        checklist = len(catalog.indicator_by_id[item["id"]].evidence)
        if len(set(checked)) != len(checked) or any(not 0 <= n < checklist for n in checked):
            raise fail(
                f"{path}.evidence_checked",
                f"not distinct positions in the evidence checklist of {item['id']} (0 to {checklist - 1})",
            )
        states.append(
            {
                "indicator_id": item["id"],
                "result_status": item["result_status"],
                "result_points": item["result_points"],
                "note": item["note"],
                "follow_up": item["follow_up"],
                "override_status": override["status"] if override else None,
                "override_points": override["points"] if override else None,
                "override_justification": override["justification"] if override else "",
                "override_by": override["by"] if override else "",
                "override_at": check_time(f"{path}.override.at", override["at"]) if override else None,
                "finding": item.get("finding", ""),
                "evidence_checked": canonical_json(sorted(checked)),
            }
        )

    evidence = []
    unique("evidence", [e["id"] for e in d["evidence"]])
    for index, item in enumerate(d["evidence"]):
        for indicator_id in item["indicators"]:
            if indicator_id not in catalog.indicator_by_id:
                raise fail(f"evidence[{index}].indicators", f"no indicator {indicator_id!r} in {catalog.ref}")
        check_time(f"evidence[{index}].added_at", item["added_at"])
        evidence.append(
            {
                **{
                    k: item[k]
                    for k in ("id", "file_name", "stored_name", "sha256", "size", "description", "added_by", "added_at")
                },
                "indicators": canonical_json(item["indicators"]),
            }
        )

    signatures = []
    for index, item in enumerate(d["drawn_signatures"]):
        try:
            image = base64.b64decode(item["image_png"], validate=True)
        except (binascii.Error, ValueError):
            raise fail(f"drawn_signatures[{index}].image_png", "not valid base64") from None
        if not image.startswith(b"\x89PNG"):
            raise fail(f"drawn_signatures[{index}].image_png", "not a PNG image")
        signatures.append(
            {
                "role": item["role"],
                "signer_name": item["signer_name"],
                "image_png": image,
                "signed_at": check_time(f"drawn_signatures[{index}].signed_at", item["signed_at"]),
            }
        )

    unique("revisions", [r["revision"] for r in d["revisions"]])
    snapshots = [
        {
            "revision": r["revision"],
            "finalised_at": check_time(f"revisions[{index}].finalised_at", r["finalised_at"]),
            "snapshot_json": canonical_json(r["snapshot"]),
        }
        for index, r in enumerate(d["revisions"])
    ]
    for index, entry in enumerate(d["audit"]["entries"]):
        check_time(f"audit.entries[{index}].at", entry["at"])

    comments = None
    if "review_comments" in d:  # bundles written before replies existed do not say
        unique("review_comments", [(c["revision"], c["indicator"]) for c in d["review_comments"]])
        comments = []
        for index, item in enumerate(d["review_comments"]):
            path = f"review_comments[{index}]"
            if item["indicator"] not in catalog.indicator_by_id:
                raise fail(f"{path}.indicator", f"no indicator {item['indicator']!r} in {catalog.ref}")
            if not 1 <= item["revision"] <= d["revision"]:
                raise fail(f"{path}.revision", f"{item['revision']} is not a revision of this assessment")
            comments.append(
                {
                    "revision": item["revision"],
                    "indicator_id": item["indicator"],
                    "comment": item["comment"],
                    "reviewer": item["reviewer"],
                    "at": check_time(f"{path}.at", item["at"]),
                    "reply": item["reply"],
                    "resolved": item["resolved"],
                    "replied_by": item["replied_by"],
                    "replied_at": check_time(f"{path}.replied_at", item["replied_at"]),
                }
            )

    visit = _visit_rows(d["visit"], catalog, fail, check_time, unique) if "visit" in d else None

    score = d["score"]
    return AssessmentRecord(
        assessment={
            "id": d["id"],
            "catalog_id": d["catalog"]["id"],
            "catalog_version": d["catalog"]["version"],
            "catalog_hash": d["catalog"]["hash"],
            "scheme": d["scheme"],
            "status": status.value,
            "revision": d["revision"],
            "assessors": canonical_json(d["assessors"]),
            "interview_start": d["interview"]["start"],
            "interview_end": d["interview"]["end"],
            "place": d["interview"]["place"],
            "interview_lang": d["interview"]["lang"],
            "current_indicator": d["current_indicator"],
            **{k: d["summary"][k] for k in ("strengths", "improvement_areas", "recommendations")},
            "created_at": d["created_at"],
            "updated_at": d["updated_at"],
            "finalised_at": d["finalised_at"],
            "progress_done": score["progress_done"],
            "progress_total": score["progress_total"],
            "score_points": score["points"],
            "score_max": score["max_points"],
            "outcome_passed": score["passed"],
            "audit_head": d["audit"]["head"],
            "audit_count": d["audit"]["count"],
        },
        organisation=dict(d["organisation"]),
        answers=answers,
        indicator_states=states,
        evidence=evidence,
        drawn_signatures=signatures,
        snapshots=snapshots,
        audit=[dict(e) for e in d["audit"]["entries"]],
        review_comments=comments,
        visit=visit,
    )


_CLOCK_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _visit_rows(
    visit: Mapping[str, Any],
    catalog: Catalog,
    fail: Callable[[str, str], BundleError],
    check_time: Callable[..., Any],
    unique: Callable[[str, Sequence[Any]], None],
) -> VisitRows:
    """The visit of an assessment.json (optional: bundles written before it existed lack it)."""
    areas = {area.id for area in catalog.areas}
    unique("visit.sessions", [s["id"] for s in visit["sessions"]])
    unique("visit.sessions[].attendees", [a["id"] for s in visit["sessions"] for a in s["attendees"]])
    sessions, attendees = [], []
    for index, item in enumerate(visit["sessions"]):
        path = f"visit.sessions[{index}]"
        check_time(f"{path}.date", item["date"], date_only=True)
        for key in ("start", "end"):
            if not _CLOCK_TIME.match(item[key]):
                raise fail(f"{path}.{key}", f"{item[key]!r} is not a time of day as HH:MM")
        for area in item["areas"]:
            if area not in areas:
                raise fail(f"{path}.areas", f"no area {area!r} in {catalog.ref}")
        sessions.append(
            {
                **{k: item[k] for k in ("id", "start", "end", "title")},
                "day": item["date"],
                "areas": canonical_json(item["areas"]),
            }
        )
        for person in item["attendees"]:
            for key in ("present_from", "present_to"):
                if person[key] and not _CLOCK_TIME.match(person[key]):
                    raise fail(f"{path}.attendees.{key}", f"{person[key]!r} is not a time of day as HH:MM")
            attendees.append(
                {**{k: person[k] for k in ATTENDEE_COLUMNS if k != "session_id"}, "session_id": item["id"]}
            )
    notes = [
        {"at": check_time(f"visit.quick_notes[{n}].at", note["at"]), "author": note["author"], "text": note["text"]}
        for n, note in enumerate(visit["quick_notes"])
    ]
    unique("visit.area_time", [t["area"] for t in visit["area_time"]])
    times = []
    for index, item in enumerate(visit["area_time"]):
        if item["area"] not in areas:
            raise fail(f"visit.area_time[{index}].area", f"no area {item['area']!r} in {catalog.ref}")
        if item["seconds"] < 0:
            raise fail(f"visit.area_time[{index}].seconds", "must not be negative")
        times.append({"area_id": item["area"], "seconds": float(item["seconds"])})
    return VisitRows(sessions, attendees, notes, times)
