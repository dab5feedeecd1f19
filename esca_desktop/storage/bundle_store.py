"""Reads one assessment whole, and writes one whole, for bundles (export and import).

Values are the raw column values: times, answers and audit entries keep their exact stored text, so
that the audit chain's hashes still hold in another store. Writing is one transaction that re-checks
what the caller decided on (the audit trail it saw), so that a concurrent edit cannot be overwritten.

The audit trail stays append-only here too: replacing an assessment with a newer state of it appends
the entries the store does not have yet; the caller has checked that the stored trail is a prefix of
the new one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from esca_desktop.errors import UserError
from esca_desktop.storage.signed_content import signable_content_hash
from esca_desktop.storage.tables import Base

_tables = Base.metadata.tables
_assessment = _tables["assessment"]
_org = _tables["organisation"]
_answer = _tables["answer"]
_state = _tables["indicator_state"]
_evidence = _tables["evidence"]
_signature = _tables["drawn_signature"]
_snapshot = _tables["revision_snapshot"]
_audit = _tables["audit_entry"]
_catalog = _tables["catalog_source"]
_comment = _tables["review_comment"]
_deleted = _tables["deleted_assessment"]
_visit_session = _tables["visit_session"]
_attendee = _tables["visit_attendee"]
_visit_note = _tables["visit_note"]
_area_time = _tables["area_time"]

# The columns a bundle carries, per table (the row's own id and the assessment id excepted).
ASSESSMENT_COLUMNS = (
    "id",
    "catalog_id",
    "catalog_version",
    "catalog_hash",
    "scheme",
    "status",
    "revision",
    "assessors",
    "interview_start",
    "interview_end",
    "place",
    "interview_lang",
    "current_indicator",
    "strengths",
    "improvement_areas",
    "recommendations",
    "created_at",
    "updated_at",
    "finalised_at",
    "progress_done",
    "progress_total",
    "score_points",
    "score_max",
    "outcome_passed",
    "audit_head",
    "audit_count",
)
ORGANISATION_COLUMNS = ("name", "country", "region", "legal_form", "sector", "website", "contact")
ANSWER_COLUMNS = ("field_key", "value_json", "answered_by", "answered_at")
STATE_COLUMNS = (
    "indicator_id",
    "result_status",
    "result_points",
    "note",
    "follow_up",
    "override_status",
    "override_points",
    "override_justification",
    "override_by",
    "override_at",
    "finding",
    "evidence_checked",
)
EVIDENCE_COLUMNS = (
    "id",
    "file_name",
    "stored_name",
    "sha256",
    "size",
    "description",
    "indicators",
    "added_by",
    "added_at",
)
SIGNATURE_COLUMNS = ("role", "signer_name", "image_png", "signed_at")
SNAPSHOT_COLUMNS = ("revision", "finalised_at", "snapshot_json")
COMMENT_COLUMNS = (
    "revision",
    "indicator_id",
    "comment",
    "reviewer",
    "at",
    "reply",
    "resolved",
    "replied_by",
    "replied_at",
)
VISIT_SESSION_COLUMNS = ("id", "day", "start", "end", "title", "areas")
ATTENDEE_COLUMNS = ("id", "session_id", "name", "role", "organisation", "present_from", "present_to")
QUICK_NOTE_COLUMNS = ("at", "author", "text")
AREA_TIME_COLUMNS = ("area_id", "seconds")
AUDIT_COLUMNS = ("at", "actor", "action", "target", "old_json", "new_json", "prev_hash", "hash")


class ImportRaceError(UserError):
    """The assessment changed in the store while a bundle was being imported."""


class RecordClashError(UserError):
    """The record's rows clash with rows of another assessment (e.g. an evidence id already used)."""


def canonical_json(value: Any) -> str:
    """JSON text as the store writes it (sorted keys, no spaces), so that a round trip is exact."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class VisitRows:
    """The visit's rows, as raw column values (see the VISIT_*, ATTENDEE_*, QUICK_NOTE_*, AREA_TIME_* columns)."""

    sessions: Sequence[Mapping[str, Any]] = ()
    attendees: Sequence[Mapping[str, Any]] = ()
    quick_notes: Sequence[Mapping[str, Any]] = ()  # in the order written
    area_times: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True, slots=True)
class AssessmentRecord:
    """One assessment with everything that belongs to it, as raw column values (see the *_COLUMNS)."""

    assessment: Mapping[str, Any]
    organisation: Mapping[str, Any]
    answers: Sequence[Mapping[str, Any]] = ()
    indicator_states: Sequence[Mapping[str, Any]] = ()
    evidence: Sequence[Mapping[str, Any]] = ()
    drawn_signatures: Sequence[Mapping[str, Any]] = ()  # image_png as bytes; those of the content as it is
    snapshots: Sequence[Mapping[str, Any]] = ()
    audit: Sequence[Mapping[str, Any]] = ()  # in chain order
    # reviewers' comments with the assessor's replies; None: not known (a bundle written before they were)
    review_comments: Sequence[Mapping[str, Any]] | None = None
    # the visit (agenda, attendance, quick notes, time per area); None: not known (an older bundle)
    visit: VisitRows | None = None

    @property
    def id(self) -> str:
        return str(self.assessment["id"])


@dataclass(frozen=True, slots=True)
class StoredState:
    """What the store holds of an assessment, to decide how a bundle of it is imported."""

    revision: int
    status: str
    audit_hashes: tuple[str, ...] = field(repr=False)  # in chain order


@dataclass(frozen=True, slots=True)
class CatalogSource:
    """A catalog's exact bytes, to store with an imported assessment when the store lacks them."""

    content_hash: str
    catalog_id: str
    version: str
    source_name: str
    content: bytes


def _pick(row: Any, columns: Sequence[str]) -> dict[str, Any]:
    mapping = row._mapping
    return {name: mapping[name] for name in columns}


def read_record(engine: Engine, assessment_id: str) -> AssessmentRecord | None:
    """The assessment and all its rows, read in one transaction; None when there is no such assessment."""
    with engine.connect() as conn:
        row = conn.execute(select(_assessment).where(_assessment.c.id == assessment_id)).first()
        if row is None:
            return None
        org = conn.execute(select(_org).where(_org.c.id == row.organisation_id)).one()

        def rows(table: Any, columns: Sequence[str], *order: Any, where: Any = None) -> list[dict[str, Any]]:
            query = select(table).where(table.c.assessment_id == assessment_id)
            result = conn.execute((query if where is None else query.where(where)).order_by(*order))
            return [_pick(r, columns) for r in result]

        # a signature of other content than this is no signature of it (see storage/signed_content.py)
        signed = _signature.c.content_hash == signable_content_hash(conn, assessment_id)

        return AssessmentRecord(
            assessment=_pick(row, ASSESSMENT_COLUMNS),
            organisation=_pick(org, ORGANISATION_COLUMNS),
            answers=rows(_answer, ANSWER_COLUMNS, _answer.c.field_key),
            indicator_states=rows(_state, STATE_COLUMNS, _state.c.indicator_id),
            evidence=rows(_evidence, EVIDENCE_COLUMNS, _evidence.c.added_at, _evidence.c.id),
            drawn_signatures=rows(_signature, SIGNATURE_COLUMNS, _signature.c.id, where=signed),
            snapshots=rows(_snapshot, SNAPSHOT_COLUMNS, _snapshot.c.revision),
            audit=rows(_audit, AUDIT_COLUMNS, _audit.c.seq),
            review_comments=rows(_comment, COMMENT_COLUMNS, _comment.c.revision, _comment.c.indicator_id),
            visit=VisitRows(
                sessions=rows(
                    _visit_session,
                    VISIT_SESSION_COLUMNS,
                    _visit_session.c.day,
                    _visit_session.c.start,
                    _visit_session.c.id,
                ),
                attendees=rows(_attendee, ATTENDEE_COLUMNS, _attendee.c.session_id, _attendee.c.name, _attendee.c.id),
                quick_notes=rows(_visit_note, QUICK_NOTE_COLUMNS, _visit_note.c.id),
                area_times=rows(_area_time, AREA_TIME_COLUMNS, _area_time.c.area_id),
            ),
        )


def _stored_state(conn: Connection, assessment_id: str) -> StoredState | None:
    row = conn.execute(
        select(_assessment.c.revision, _assessment.c.status).where(_assessment.c.id == assessment_id)
    ).first()
    if row is None:
        return None
    hashes = (
        conn.execute(select(_audit.c.hash).where(_audit.c.assessment_id == assessment_id).order_by(_audit.c.seq))
        .scalars()
        .all()
    )
    return StoredState(row.revision, row.status, tuple(hashes))


def stored_state(engine: Engine, assessment_id: str) -> StoredState | None:
    with engine.connect() as conn:
        return _stored_state(conn, assessment_id)


def has_catalog(engine: Engine, content_hash: str) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(select(_catalog.c.content_hash).where(_catalog.c.content_hash == content_hash)).first()
            is not None
        )


def write_record(
    engine: Engine, record: AssessmentRecord, expected: StoredState | None, catalog: CatalogSource | None, added_at: str
) -> None:
    """Insert the assessment (when `expected` is None) or bring the stored one to `record`, in one
    transaction. Refused with `ImportRaceError` when the store no longer matches `expected`."""
    try:
        _write_record(engine, record, expected, catalog, added_at)
    except IntegrityError as exc:
        raise RecordClashError(
            f"assessment {record.id[:8]} cannot be stored: its rows clash with data already in the store "
            f"({exc.orig}); nothing was written"
        ) from None


def _write_record(
    engine: Engine, record: AssessmentRecord, expected: StoredState | None, catalog: CatalogSource | None, added_at: str
) -> None:
    assessment_id = record.id
    with engine.begin() as conn:
        current = _stored_state(conn, assessment_id)
        if current != expected:
            raise ImportRaceError(
                f"assessment {assessment_id[:8]} changed while the bundle was being imported; import it again"
            )
        if current is None:
            deleted_at = conn.execute(
                select(_deleted.c.deleted_at).where(_deleted.c.assessment_id == assessment_id)
            ).scalar()
            if deleted_at is not None:  # its audit trail is still here: a second one would break both
                raise RecordClashError(
                    f"assessment {assessment_id[:8]} was deleted from this store on {deleted_at[:10]} and cannot be "
                    "imported into it again; its audit trail is kept (assessment audit)"
                )
        if catalog is not None:
            exists = conn.execute(
                select(_catalog.c.content_hash).where(_catalog.c.content_hash == catalog.content_hash)
            ).first()
            if exists is None:
                conn.execute(
                    insert(_catalog).values(
                        content_hash=catalog.content_hash,
                        catalog_id=catalog.catalog_id,
                        version=catalog.version,
                        source_name=catalog.source_name,
                        content=catalog.content,
                        added_at=added_at,
                    )
                )
        values = {k: record.assessment[k] for k in ASSESSMENT_COLUMNS if k != "id"}
        organisation = {k: record.organisation[k] for k in ORGANISATION_COLUMNS}
        if current is None:
            key = conn.execute(insert(_org).values(**organisation)).inserted_primary_key
            assert key is not None  # an INSERT of one row always has one
            org_id = key[0]
            conn.execute(insert(_assessment).values(id=assessment_id, organisation_id=org_id, **values))
            new_audit = record.audit
        else:
            org_id = conn.execute(
                select(_assessment.c.organisation_id).where(_assessment.c.id == assessment_id)
            ).scalar_one()
            conn.execute(update(_org).where(_org.c.id == org_id).values(**organisation))
            conn.execute(update(_assessment).where(_assessment.c.id == assessment_id).values(**values))
            for table in (_answer, _state, _evidence, _signature, _snapshot):
                conn.execute(delete(table).where(table.c.assessment_id == assessment_id))
            new_audit = record.audit[len(current.audit_hashes) :]
            if record.review_comments is not None:
                conn.execute(delete(_comment).where(_comment.c.assessment_id == assessment_id))
            if record.visit is not None:  # attendees first: they belong to the sessions
                for table in (_attendee, _visit_session, _visit_note, _area_time):
                    conn.execute(delete(table).where(table.c.assessment_id == assessment_id))
        visit = record.visit or VisitRows()
        for table, columns, items in (
            (_answer, ANSWER_COLUMNS, record.answers),
            (_state, STATE_COLUMNS, record.indicator_states),
            (_evidence, EVIDENCE_COLUMNS, record.evidence),
            (_signature, SIGNATURE_COLUMNS, record.drawn_signatures),
            (_snapshot, SNAPSHOT_COLUMNS, record.snapshots),
            (_audit, AUDIT_COLUMNS, new_audit),
            (_comment, COMMENT_COLUMNS, record.review_comments or ()),
            (_visit_session, VISIT_SESSION_COLUMNS, visit.sessions),
            (_attendee, ATTENDEE_COLUMNS, visit.attendees),
            (_visit_note, QUICK_NOTE_COLUMNS, visit.quick_notes),
            (_area_time, AREA_TIME_COLUMNS, visit.area_times),
        ):
            if items:
                conn.execute(
                    insert(table), [{"assessment_id": assessment_id, **{c: item[c] for c in columns}} for item in items]
                )
        if record.drawn_signatures:  # a record carries only the signatures of its content (`read_record`)
            conn.execute(
                update(_signature)
                .where(_signature.c.assessment_id == assessment_id)
                .values(content_hash=signable_content_hash(conn, assessment_id))
            )
