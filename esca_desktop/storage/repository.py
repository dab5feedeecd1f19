"""Reads and writes assessments, returning domain values. Every edit is one durable transaction
that also appends a hash-chained audit entry and keeps the list summary current.

The head of an assessment's audit trail is its version: every audited write moves it. A copy held in
memory (the window's open interview) carries the `AssessmentVersion` it was read at, and its writes
are refused with `ChangedElsewhereError` when the stored head moved since, other than by this
program's own writes: the command line or a second program may write the same data folder."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, delete, event, func, insert, literal_column, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from esca_desktop.domain.model import (
    Assessment,
    AssessmentDetails,
    AssessmentStatus,
    AssessmentSummary,
    AssessorProfile,
    Attendee,
    AuditEntry,
    AuditVerification,
    CatalogBinding,
    Clock,
    DeletedAssessment,
    EvidenceItem,
    Organisation,
    QuickNote,
    ReviewComment,
    VisitSession,
    iso_utc,
)
from esca_desktop.errors import NotFoundError, ReadOnlyError, UserError
from esca_desktop.forms.results import IndicatorResult, IndicatorState, Override, ResultStatus
from esca_desktop.storage.failures import driver_transaction
from esca_desktop.storage.signed_content import signable_content_hash
from esca_desktop.storage.sync_store import mark_upload_sent, queue_upload
from esca_desktop.storage.tables import (
    AnswerDraftRow,
    AnswerRow,
    AreaTimeRow,
    AssessmentRow,
    AssessorRow,
    AuditRow,
    Base,
    CatalogSourceRow,
    DeletedAssessmentRow,
    EvidenceRow,
    IndicatorStateRow,
    OrganisationRow,
    OutboxRow,
    ReviewCommentRow,
    RevisionSnapshotRow,
    SignatureRow,
    VisitAttendeeRow,
    VisitNoteRow,
    VisitSessionRow,
)

_assessment = cast(Table, AssessmentRow.__table__)
_answer = cast(Table, AnswerRow.__table__)
_draft = cast(Table, AnswerDraftRow.__table__)
_state = cast(Table, IndicatorStateRow.__table__)
_audit = cast(Table, AuditRow.__table__)
_org = cast(Table, OrganisationRow.__table__)
_catalog = cast(Table, CatalogSourceRow.__table__)
_evidence = cast(Table, EvidenceRow.__table__)
_profile = cast(Table, AssessorRow.__table__)
_snapshot = cast(Table, RevisionSnapshotRow.__table__)
_signature = cast(Table, SignatureRow.__table__)
_review_comment = cast(Table, ReviewCommentRow.__table__)
_deleted = cast(Table, DeletedAssessmentRow.__table__)
_outbox = cast(Table, OutboxRow.__table__)
_visit_session = cast(Table, VisitSessionRow.__table__)
_attendee = cast(Table, VisitAttendeeRow.__table__)
_visit_note = cast(Table, VisitNoteRow.__table__)
_area_time = cast(Table, AreaTimeRow.__table__)

GENESIS_HASH = "0" * 64
_ORGANISATION_FIELDS = ("name", "country", "region", "legal_form", "sector", "website", "contact")
_LINKS = "esca_audit_links"  # conn.info: the (old head, new head) moves of the transaction


class ChangedElsewhereError(UserError):
    """The assessment was changed by another program since the copy making this write was read."""

    def __init__(self, assessment_id: str) -> None:
        super().__init__(
            f"assessment {assessment_id[:8]} was changed by another program since it was read here; nothing was stored"
        )
        self.assessment_id = assessment_id


@dataclass(slots=True)
class AssessmentVersion:
    """The stored state an in-memory copy of an assessment reflects: the head of its audit trail.
    A write made with it is refused if the stored head moved since (`ChangedElsewhereError`), and
    moves it on with the write."""

    head: str


@dataclass(frozen=True, slots=True)
class StoredAssessment:
    """An assessment with its answers, drafts and indicator states, read in one transaction."""

    assessment: Assessment
    answers_json: dict[str, Any]
    drafts: dict[str, str]
    indicator_states: dict[str, IndicatorState]
    version: AssessmentVersion


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """The figures the assessments list shows, refreshed with every edit."""

    progress_done: int
    progress_total: int
    score_points: float | None
    score_max: float | None
    outcome_passed: bool | None


@dataclass(frozen=True, slots=True)
class RemovedSignature:
    """A drawn signature that no longer counts, because what it signed changed after signing.

    `reason`: what changed, "answers", "note", "follow_up", "override", "summary" or "revision" (the
    assessment was reopened); "changed" when the content differs from the signed one in another way."""

    role: str
    signer_name: str
    reason: str


@dataclass(frozen=True, slots=True)
class AnswerWrite:
    key: str
    value_json: Any  # None deletes the answer
    old_json: Any
    draft: str | None = None  # invalid text kept for the field (the answer is then deleted)
    old_draft: str | None = None

    @property
    def audit_old(self) -> Any:
        return {"draft": self.old_draft} if self.old_draft is not None else self.old_json

    @property
    def audit_new(self) -> Any:
        return {"draft": self.draft} if self.draft is not None else self.value_json


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def audit_hash(
    prev_hash: str, assessment_id: str, at: str, actor: str, action: str, target: str, old_json: str, new_json: str
) -> str:
    """The chain link: covers the previous link and every column of the entry except its number."""
    payload = _json([prev_hash, assessment_id, at, actor, action, target, old_json, new_json])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _parse_date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def use_immediate_transactions(engine: Engine) -> None:
    """Make every transaction BEGIN IMMEDIATE, so that reading the audit head and appending to it
    cannot interleave with another process (the window and a command line at the same time)."""

    @event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class AssessmentRepository:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        # old head -> new head of each write this program made without a version (the visit, evidence,
        # sync): a copy read here follows them, they are no change behind its back
        self._own_moves: dict[str, str] = {}

    # --- catalogs -------------------------------------------------------------------------------

    def store_catalog_source(
        self, catalog_id: str, version: str, content_hash: str, source_name: str, content: bytes
    ) -> None:
        with self._writing() as conn:
            conn.execute(
                sqlite_insert(_catalog)
                .values(
                    content_hash=content_hash,
                    catalog_id=catalog_id,
                    version=version,
                    source_name=source_name,
                    content=content,
                    added_at=iso_utc(self.clock()),
                )
                .on_conflict_do_nothing()
            )

    def catalog_source(self, content_hash: str) -> tuple[str, bytes]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(_catalog.c.source_name, _catalog.c.content).where(_catalog.c.content_hash == content_hash)
            ).first()
        if row is None:
            raise NotFoundError(f"the catalog {content_hash} is not in the store")
        return row.source_name, row.content

    # --- profile --------------------------------------------------------------------------------

    def profile(self) -> AssessorProfile | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(_profile).order_by(_profile.c.id).limit(1)).first()
        return None if row is None else AssessorProfile(row.name, row.email, row.expert_id)

    def save_profile(self, profile: AssessorProfile) -> None:
        with self._writing() as conn:
            conn.execute(delete(_profile))
            conn.execute(
                insert(_profile).values(
                    id=1,
                    name=profile.name,
                    email=profile.email,
                    expert_id=profile.expert_id,
                    updated_at=iso_utc(self.clock()),
                )
            )

    # --- assessments ----------------------------------------------------------------------------

    def create(
        self,
        organisation: Organisation,
        binding: CatalogBinding,
        scheme: str,
        assessors: Sequence[str],
        interview_start: dt.date | None,
        interview_end: dt.date | None,
        place: str,
        interview_lang: str,
        actor: str,
        summary: ScoreSummary,
        first_indicator: str | None,
        assessment_id: str | None = None,
    ) -> str:
        new_id = assessment_id or str(uuid.uuid4())
        now = iso_utc(self.clock())
        with self._writing() as conn:
            inserted = conn.execute(
                insert(_org).values(
                    name=organisation.name,
                    country=organisation.country,
                    region=organisation.region,
                    legal_form=organisation.legal_form,
                    sector=organisation.sector,
                    website=organisation.website,
                    contact=organisation.contact,
                )
            ).inserted_primary_key
            assert inserted is not None
            org_id = inserted[0]
            conn.execute(
                insert(_assessment).values(
                    id=new_id,
                    organisation_id=org_id,
                    catalog_id=binding.catalog_id,
                    catalog_version=binding.version,
                    catalog_hash=binding.content_hash,
                    scheme=scheme,
                    status=AssessmentStatus.DRAFT.value,
                    revision=1,
                    assessors=_json(list(assessors)),
                    interview_start=interview_start.isoformat() if interview_start else None,
                    interview_end=interview_end.isoformat() if interview_end else None,
                    place=place,
                    interview_lang=interview_lang,
                    current_indicator=first_indicator,
                    created_at=now,
                    updated_at=now,
                    **_summary_values(summary),
                )
            )
            self._append_audit(
                conn,
                new_id,
                actor,
                "create",
                binding.ref,
                None,
                {
                    "organisation": organisation.name,
                    "country": organisation.country,
                    "catalog": binding.ref,
                    "catalog_hash": binding.content_hash,
                },
                now,
            )
        return new_id

    def resolve_id(self, id_or_prefix: str, deleted: bool = False) -> str:
        """A full assessment id from an id or a unique prefix of at least 4 characters; with `deleted`,
        the id of a deleted assessment too (its audit trail is kept)."""
        text = id_or_prefix.strip().lower()
        with self.engine.connect() as conn:
            for column in (_assessment.c.id, _deleted.c.assessment_id) if deleted else (_assessment.c.id,):
                if conn.execute(select(column).where(column == text)).first():
                    return text
                if len(text) >= 4:
                    rows = conn.execute(select(column).where(column.like(text.replace("%", "") + "%")).limit(2)).all()
                    if len(rows) == 1:
                        return str(rows[0][0])
                    if len(rows) > 1:
                        raise NotFoundError(f"assessment id {id_or_prefix!r} is ambiguous: give more characters")
            if not deleted and len(text) >= 4:
                gone = conn.execute(
                    select(_deleted.c.assessment_id, _deleted.c.organisation, _deleted.c.deleted_at).where(
                        _deleted.c.assessment_id.like(text.replace("%", "") + "%")
                    )
                ).first()
                if gone is not None:
                    raise NotFoundError(
                        f"assessment {gone.assessment_id[:8]} ({gone.organisation}) was deleted on "
                        f"{gone.deleted_at[:10]}; its audit trail is kept (assessment audit {gone.assessment_id[:8]})"
                    )
        raise NotFoundError(f"no assessment {id_or_prefix!r}")

    def get(self, assessment_id: str) -> Assessment:
        with self.engine.connect() as conn:
            return _read_assessment(conn, assessment_id)

    def load(self, assessment_id: str) -> StoredAssessment:
        """The assessment, its answers, drafts and states and its version, all as of one moment."""
        with self.engine.connect() as conn:
            assessment = _read_assessment(conn, assessment_id)
            head = conn.execute(select(_assessment.c.audit_head).where(_assessment.c.id == assessment_id)).scalar()
            return StoredAssessment(
                assessment,
                _read_answers(conn, assessment_id),
                _read_drafts(conn, assessment_id),
                _read_states(conn, assessment_id),
                AssessmentVersion(head or GENESIS_HASH),
            )

    def version(self, assessment_id: str) -> str:
        """The stored version (head of the audit trail), read without waiting for a writer: the
        window asks every few seconds whether the command line changed the assessment."""
        with self.engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:  # a plain read in autocommit mode: no BEGIN IMMEDIATE, so never blocked by a writer
                row = cursor.execute("SELECT audit_head FROM assessment WHERE id = ?", (assessment_id,)).fetchone()
            finally:
                cursor.close()
        if row is None:
            raise NotFoundError(f"no assessment {assessment_id!r}")
        return str(row[0] or GENESIS_HASH)

    def changed_elsewhere(self, assessment_id: str, version: AssessmentVersion) -> bool:
        """Whether the stored assessment moved on from `version` other than by this program's writes."""
        return self.moved_since(version, AssessmentVersion(self.version(assessment_id)))

    def moved_since(self, version: AssessmentVersion, later: AssessmentVersion) -> bool:
        """Whether `later` (read after `version`) differs from it by more than this program's own writes."""
        return later.head != self._follow(version.head)

    def _follow(self, head: str) -> str:
        """Where this program's own writes (those made without a version) took the head `head`."""
        while head in self._own_moves:
            head = self._own_moves[head]
        return head

    @contextlib.contextmanager
    def _writing(
        self, assessment_id: str | None = None, version: AssessmentVersion | None = None
    ) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE). With `version`, first checks that the stored head
        is the one the caller's copy was read at (refusing with `ChangedElsewhereError`), and moves
        `version` to the new head once committed; without one, the moves are remembered as this
        program's own, which copies held here follow."""
        links: list[tuple[str, str]] = []
        with driver_transaction(self.engine) as conn:  # its sqlite3 errors say "disk full" and the like
            conn.info[_LINKS] = links
            try:
                if version is not None:
                    assert assessment_id is not None
                    self._check_version(conn, assessment_id, version)
                yield conn
            finally:
                conn.info.pop(_LINKS, None)
            if version is None:
                # before the commit: a check on another thread (the window's) that reads the new head
                # knows it as ours; a move whose commit then fails names a head that never exists
                self._own_moves.update(links)
        if version is not None and links:
            version.head = links[-1][1]

    def _check_version(self, conn: Connection, assessment_id: str, version: AssessmentVersion) -> None:
        row = conn.exec_driver_sql("SELECT audit_head FROM assessment WHERE id = ?", (assessment_id,)).first()
        if row is None:
            raise NotFoundError(f"no assessment {assessment_id!r}")
        if (row[0] or GENESIS_HASH) != self._follow(version.head):
            raise ChangedElsewhereError(assessment_id)
        version.head = row[0] or GENESIS_HASH

    def list_summaries(self) -> list[AssessmentSummary]:
        columns = (
            _assessment.c.id,
            _org.c.name,
            _org.c.country,
            _assessment.c.scheme,
            _assessment.c.status,
            _assessment.c.revision,
            _assessment.c.progress_done,
            _assessment.c.progress_total,
            _assessment.c.score_points,
            _assessment.c.score_max,
            _assessment.c.outcome_passed,
            _assessment.c.updated_at,
            _assessment.c.archived_at,
        )
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(*columns)
                .join(_org, _org.c.id == _assessment.c.organisation_id)
                .order_by(_assessment.c.updated_at.desc())
            ).all()
        return [
            AssessmentSummary(
                r[0],
                r[1],
                r[2],
                r[3],
                AssessmentStatus(r[4]),
                r[5],
                r[6],
                r[7],
                r[8],
                r[9],
                r[10],
                _parse_time(r[11]),
                r[12] is not None,
            )
            for r in rows
        ]

    def answers_json(self, assessment_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return _read_answers(conn, assessment_id)

    def drafts(self, assessment_id: str) -> dict[str, str]:
        """Field key → the invalid text kept for it."""
        with self.engine.connect() as conn:
            return _read_drafts(conn, assessment_id)

    def indicator_states(self, assessment_id: str) -> dict[str, IndicatorState]:
        with self.engine.connect() as conn:
            return _read_states(conn, assessment_id)

    def stored_results(self, assessment_id: str) -> dict[str, tuple[str, float | None]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_state.c.indicator_id, _state.c.result_status, _state.c.result_points).where(
                    _state.c.assessment_id == assessment_id
                )
            ).all()
        return {r[0]: (r[1], r[2]) for r in rows}

    # --- edits ----------------------------------------------------------------------------------

    def _editable_status(self, conn: Connection, assessment_id: str) -> AssessmentStatus:
        row = conn.execute(
            select(_assessment.c.status, _assessment.c.archived_at).where(_assessment.c.id == assessment_id)
        ).first()
        if row is None:
            raise NotFoundError(f"no assessment {assessment_id!r}")
        current = AssessmentStatus(row.status)
        if not current.editable or row.archived_at is not None:
            raise _read_only(assessment_id, current, row.archived_at is not None)
        return current

    def save_answers(
        self,
        assessment_id: str,
        writes: Sequence[AnswerWrite],
        actor: str,
        results: Iterable[IndicatorResult],
        summary: ScoreSummary,
        action: str = "answer",
        version: AssessmentVersion | None = None,
    ) -> None:
        """Store answers (None deletes), changed results, audit entries and the summary: all or nothing.
        The audit trail's old values are the stored ones, read in the same transaction. With `version`,
        refused (`ChangedElsewhereError`) when the assessment changed since that version was read,
        because the results and the summary were computed from it.

        This is the hot path of the interview (one call per saved edit), so it speaks SQL to the
        driver directly: SQLAlchemy's statement building would cost more than the durable commit."""
        now = iso_utc(self.clock())
        with self._writing(assessment_id, version) as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            row = cursor.execute(_SQL_HEAD, (assessment_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no assessment {assessment_id!r}")
            status = AssessmentStatus(row[0])
            if not status.editable or row[3] is not None:
                raise _read_only(assessment_id, status, row[3] is not None)
            first_head = head = row[1] or GENESIS_HASH
            count = row[2]
            olds: list[Any] = []
            for write in writes:
                stored_value = cursor.execute(_SQL_ANSWER_OF, (assessment_id, write.key)).fetchone()
                stored_draft = cursor.execute(_SQL_DRAFT_OF, (assessment_id, write.key)).fetchone()
                if stored_draft is not None:
                    olds.append({"draft": stored_draft[0]})
                else:
                    olds.append(None if stored_value is None else json.loads(stored_value[0]))
                if write.value_json is None:
                    cursor.execute(_SQL_DELETE_ANSWER, (assessment_id, write.key))
                else:
                    cursor.execute(_SQL_UPSERT_ANSWER, (assessment_id, write.key, _json(write.value_json), actor, now))
                if write.draft is not None:
                    cursor.execute(_SQL_UPSERT_DRAFT, (assessment_id, write.key, write.draft, actor, now))
                elif stored_draft is not None:
                    cursor.execute(_SQL_DELETE_DRAFT, (assessment_id, write.key))
            for result in results:
                cursor.execute(
                    _SQL_UPSERT_RESULT, (assessment_id, result.indicator_id, result.status.value, result.points)
                )
            for write, old in zip(writes, olds, strict=True):
                old_json, new_json = _json(old), _json(write.audit_new)
                digest = audit_hash(head, assessment_id, now, actor, action, write.key, old_json, new_json)
                cursor.execute(
                    _SQL_INSERT_AUDIT, (assessment_id, now, actor, action, write.key, old_json, new_json, head, digest)
                )
                head = digest
                count += 1
            if writes:
                cleared = self._clear_drawn_signatures(conn, assessment_id, actor, "answers", now, head)
                if cleared is not None:
                    head, count = cleared, count + 1
            new_status = AssessmentStatus.IN_PROGRESS.value if status is AssessmentStatus.DRAFT else status.value
            cursor.execute(
                _SQL_UPDATE_SUMMARY,
                (
                    now,
                    head,
                    count,
                    new_status,
                    summary.progress_done,
                    summary.progress_total,
                    summary.score_points,
                    summary.score_max,
                    summary.outcome_passed,
                    assessment_id,
                ),
            )
            cursor.close()
            if head != first_head:
                _moved(conn, first_head, head)

    def save_indicator_state(
        self,
        assessment_id: str,
        indicator_id: str,
        state: IndicatorState,
        actor: str,
        action: str,
        old: Any,
        new: Any,
        results: Iterable[IndicatorResult],
        summary: ScoreSummary,
        version: AssessmentVersion | None = None,
    ) -> None:
        now = iso_utc(self.clock())
        override = state.override
        values = {
            "note": state.note,
            "follow_up": state.follow_up,
            "override_status": override.status.value if override else None,
            "override_points": override.points if override else None,
            "override_justification": override.justification if override else "",
            "override_by": override.by if override else "",
            "override_at": iso_utc(override.at) if override and override.at else None,
            "finding": state.finding,
            "evidence_checked": _json(sorted(state.evidence_checked)),
        }
        with self._writing(assessment_id, version) as conn:
            self._editable_status(conn, assessment_id)
            conn.execute(
                sqlite_insert(_state)
                .values(assessment_id=assessment_id, indicator_id=indicator_id, **values)
                .on_conflict_do_update(index_elements=[_state.c.assessment_id, _state.c.indicator_id], set_=values)
            )
            self._write_results(conn, assessment_id, results)
            self._append_audit(conn, assessment_id, actor, action, indicator_id, old, new, now)
            self._clear_drawn_signatures(conn, assessment_id, actor, action, now)
            conn.execute(
                update(_assessment)
                .where(_assessment.c.id == assessment_id)
                .values(updated_at=now, **_summary_values(summary))
            )

    def save_summary_texts(
        self, assessment_id: str, texts: Mapping[str, str], actor: str, version: AssessmentVersion | None = None
    ) -> None:
        """Strengths, improvement areas and recommendations of the final summary."""
        allowed = {"strengths", "improvement_areas", "recommendations"}
        now = iso_utc(self.clock())
        with self._writing(assessment_id, version) as conn:
            self._editable_status(conn, assessment_id)
            row = conn.execute(
                select(*(_assessment.c[k] for k in sorted(allowed))).where(_assessment.c.id == assessment_id)
            ).one()
            old = dict(zip(sorted(allowed), row, strict=True))
            changed = {k: v for k, v in texts.items() if k in allowed and old[k] != v}
            if not changed:
                return
            conn.execute(update(_assessment).where(_assessment.c.id == assessment_id).values(updated_at=now, **changed))
            for key, value in changed.items():
                self._append_audit(conn, assessment_id, actor, "summary", key, old[key], value, now)
            self._clear_drawn_signatures(conn, assessment_id, actor, "summary", now)

    def set_position(self, assessment_id: str, indicator_id: str) -> None:
        """Remember where the interview is, so that it reopens there (not an audited change)."""
        with self._writing() as conn:
            conn.execute(
                update(_assessment).where(_assessment.c.id == assessment_id).values(current_indicator=indicator_id)
            )

    def set_status(
        self,
        assessment_id: str,
        status: AssessmentStatus,
        actor: str,
        snapshot: Mapping[str, Any] | None = None,
        new_revision: bool = False,
        version: AssessmentVersion | None = None,
    ) -> None:
        """Change the status (finalised with the snapshot of what was finalised; `new_revision` reopens).
        With `version`: refused when the assessment changed since, as the snapshot was taken from it."""
        now = iso_utc(self.clock())
        with self._writing(assessment_id, version) as conn:
            row = conn.execute(
                select(_assessment.c.status, _assessment.c.revision).where(_assessment.c.id == assessment_id)
            ).first()
            if row is None:
                raise NotFoundError(f"no assessment {assessment_id!r}")
            values: dict[str, Any] = {"status": status.value, "updated_at": now}
            if status is AssessmentStatus.FINALISED:
                values["finalised_at"] = now
                conn.execute(
                    insert(_snapshot).values(
                        assessment_id=assessment_id,
                        revision=row.revision,
                        finalised_at=now,
                        snapshot_json=_json(snapshot or {}),
                    )
                )
                queue_upload(conn, assessment_id, row.revision, now)  # queued with the finalisation, atomically
            elif status is AssessmentStatus.SUBMITTED:
                mark_upload_sent(conn, assessment_id, row.revision, now)  # and recorded as sent with the submission
            revision = row.revision + 1 if new_revision else row.revision
            if new_revision:
                values["revision"] = revision
                values["finalised_at"] = None
            conn.execute(update(_assessment).where(_assessment.c.id == assessment_id).values(**values))
            self._append_audit(
                conn,
                assessment_id,
                actor,
                "status",
                "status",
                {"status": row.status, "revision": row.revision},
                {"status": status.value, "revision": revision},
                now,
            )
            if new_revision:  # a new revision is new content: what was signed is the finalised one
                self._clear_drawn_signatures(conn, assessment_id, actor, "revision", now)

    def update_details(
        self, assessment_id: str, details: AssessmentDetails, actor: str, version: AssessmentVersion | None = None
    ) -> list[str]:
        """Correct the organisation's particulars, interview dates, place and assessors, with one audit
        entry (old and new value) per changed item; they are signed content, so drawn signatures go.
        Returns the items changed ("organisation.name", "place", …), none when nothing differed."""
        now = iso_utc(self.clock())
        org = details.organisation
        new: dict[str, Any] = {
            **{f"organisation.{c}": getattr(org, c) for c in _ORGANISATION_FIELDS},
            "interview_start": details.interview_start.isoformat() if details.interview_start else None,
            "interview_end": details.interview_end.isoformat() if details.interview_end else None,
            "place": details.place,
            "assessors": list(details.assessors),
        }
        with self._writing(assessment_id, version) as conn:
            self._editable_status(conn, assessment_id)
            row = conn.execute(
                select(
                    _assessment.c.organisation_id,
                    _assessment.c.interview_start,
                    _assessment.c.interview_end,
                    _assessment.c.place,
                    _assessment.c.assessors,
                    *(_org.c[c].label(f"org_{c}") for c in _ORGANISATION_FIELDS),
                )
                .join(_org, _org.c.id == _assessment.c.organisation_id)
                .where(_assessment.c.id == assessment_id)
            ).one()
            old: dict[str, Any] = {
                **{f"organisation.{c}": row._mapping[f"org_{c}"] for c in _ORGANISATION_FIELDS},
                "interview_start": row.interview_start,
                "interview_end": row.interview_end,
                "place": row.place,
                "assessors": json.loads(row.assessors),
            }
            changed = [key for key in new if new[key] != old[key]]
            if not changed:
                return []
            conn.execute(
                update(_org)
                .where(_org.c.id == row.organisation_id)
                .values(**{c: getattr(org, c) for c in _ORGANISATION_FIELDS})
            )
            conn.execute(
                update(_assessment)
                .where(_assessment.c.id == assessment_id)
                .values(
                    interview_start=new["interview_start"],
                    interview_end=new["interview_end"],
                    place=new["place"],
                    assessors=_json(new["assessors"]),
                    updated_at=now,
                )
            )
            for key in changed:
                self._append_audit(conn, assessment_id, actor, "details", key, old[key], new[key], now)
            self._clear_drawn_signatures(conn, assessment_id, actor, "details", now)
        return changed

    def set_archived(self, assessment_id: str, archived: bool, actor: str) -> bool:
        """Archive (hide from the list, read-only) or unarchive; audited. False when it already was."""
        now = iso_utc(self.clock())
        with self._writing() as conn:
            row = conn.execute(select(_assessment.c.archived_at).where(_assessment.c.id == assessment_id)).first()
            if row is None:
                raise NotFoundError(f"no assessment {assessment_id!r}")
            if (row.archived_at is not None) == archived:
                return False
            conn.execute(
                update(_assessment)
                .where(_assessment.c.id == assessment_id)
                .values(archived_at=now if archived else None, updated_at=now)
            )
            self._append_audit(
                conn,
                assessment_id,
                actor,
                "archive" if archived else "unarchive",
                "archived",
                {"archived_at": row.archived_at},
                {"archived_at": now if archived else None},
                now,
            )
        return True

    def was_sent(self, assessment_id: str) -> bool:
        """Whether a revision of the assessment reached (or is on its way to) the secretariat."""
        with self.engine.connect() as conn:
            status = conn.execute(select(_assessment.c.status).where(_assessment.c.id == assessment_id)).scalar()
            if status is None:
                raise NotFoundError(f"no assessment {assessment_id!r}")
            return self._was_sent(conn, assessment_id, AssessmentStatus(status))

    def _was_sent(self, conn: Connection, assessment_id: str, status: AssessmentStatus) -> bool:
        if status in (AssessmentStatus.SUBMITTED, AssessmentStatus.RETURNED, AssessmentStatus.APPROVED):
            return True
        on_its_way = conn.execute(
            select(_outbox.c.revision).where(
                _outbox.c.assessment_id == assessment_id, _outbox.c.state.in_(("sending", "sent"))
            )
        ).first()
        reviewed = conn.execute(
            select(_review_comment.c.revision).where(_review_comment.c.assessment_id == assessment_id)
        ).first()
        sent_states = [f'%"status":"{s.value}"%' for s in (AssessmentStatus.SUBMITTED, AssessmentStatus.RETURNED)]
        in_trail = conn.execute(
            select(_audit.c.seq).where(
                _audit.c.assessment_id == assessment_id,
                _audit.c.action == "status",
                _audit.c.new_json.like(sent_states[0]) | _audit.c.new_json.like(sent_states[1]),
            )
        ).first()
        return on_its_way is not None or reviewed is not None or in_trail is not None

    def delete(self, assessment_id: str, actor: str) -> tuple[DeletedAssessment, list[EvidenceItem]]:
        """Remove an assessment that was never sent, with everything that belongs to it, but not its
        audit trail: a last entry records the deletion and a tombstone keeps the chain's head. Returns
        the tombstone and the evidence items whose stored files the caller deletes."""
        now = iso_utc(self.clock())
        with self._writing() as conn:
            row = conn.execute(
                select(_assessment, _org.c.name.label("org_name"), _org.c.country)
                .join(_org, _org.c.id == _assessment.c.organisation_id)
                .where(_assessment.c.id == assessment_id)
            ).first()
            if row is None:
                raise NotFoundError(f"no assessment {assessment_id!r}")
            status = AssessmentStatus(row.status)
            if self._was_sent(conn, assessment_id, status):
                raise ReadOnlyError(
                    f"assessment {assessment_id[:8]} ({row.org_name}) was sent to the secretariat and cannot be "
                    "deleted; archive it to hide it from the list"
                )
            evidence = [
                _evidence_item(r)
                for r in conn.execute(select(_evidence).where(_evidence.c.assessment_id == assessment_id)).all()
            ]
            catalog = f"{row.catalog_id}@{row.catalog_version}"
            head = self._append_audit(
                conn,
                assessment_id,
                actor,
                "deleted",
                "assessment",
                {
                    "organisation": row.org_name,
                    "country": row.country,
                    "catalog": catalog,
                    "status": row.status,
                    "revision": row.revision,
                    "evidence": [{"file": e.file_name, "sha256": e.sha256} for e in evidence],
                },
                None,
                now,
            )
            for table in _owned_tables():
                conn.execute(delete(table).where(table.c.assessment_id == assessment_id))
            conn.execute(delete(_assessment).where(_assessment.c.id == assessment_id))
            shared = conn.execute(
                select(_assessment.c.id).where(_assessment.c.organisation_id == row.organisation_id)
            ).first()
            if shared is None:
                conn.execute(delete(_org).where(_org.c.id == row.organisation_id))
            conn.execute(
                insert(_deleted).values(
                    assessment_id=assessment_id,
                    organisation=row.org_name,
                    country=row.country,
                    scheme=row.scheme,
                    catalog=catalog,
                    status=row.status,
                    revision=row.revision,
                    deleted_at=now,
                    deleted_by=actor,
                    audit_head=head,
                    audit_count=row.audit_count + 1,
                )
            )
        return self.deleted(assessment_id), evidence

    def deleted(self, assessment_id: str) -> DeletedAssessment:
        with self.engine.connect() as conn:
            row = conn.execute(select(_deleted).where(_deleted.c.assessment_id == assessment_id)).first()
        if row is None:
            raise NotFoundError(f"no deleted assessment {assessment_id!r}")
        return DeletedAssessment(
            row.assessment_id,
            row.organisation,
            row.country,
            row.scheme,
            row.catalog,
            AssessmentStatus(row.status),
            row.revision,
            _parse_time(row.deleted_at),
            row.deleted_by,
        )

    def snapshot(self, assessment_id: str, revision: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            text = conn.execute(
                select(_snapshot.c.snapshot_json).where(
                    _snapshot.c.assessment_id == assessment_id, _snapshot.c.revision == revision
                )
            ).scalar()
        return None if text is None else dict(json.loads(text))

    # --- evidence and drawn signatures ----------------------------------------------------------

    def add_evidence(self, item: EvidenceItem, actor: str) -> None:
        now = iso_utc(item.added_at)
        with self._writing() as conn:
            self._editable_status(conn, item.assessment_id)
            conn.execute(
                insert(_evidence).values(
                    id=item.id,
                    assessment_id=item.assessment_id,
                    file_name=item.file_name,
                    stored_name=item.stored_name,
                    sha256=item.sha256,
                    size=item.size,
                    description=item.description,
                    indicators=_json(list(item.indicators)),
                    added_by=item.added_by,
                    added_at=now,
                )
            )
            self._append_audit(
                conn,
                item.assessment_id,
                actor,
                "evidence",
                item.file_name,
                None,
                {
                    "sha256": item.sha256,
                    "size": item.size,
                    "indicators": list(item.indicators),
                    "description": item.description,
                },
                now,
            )

    def evidence(self, assessment_id: str) -> list[EvidenceItem]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_evidence).where(_evidence.c.assessment_id == assessment_id).order_by(_evidence.c.added_at)
            ).all()
        return [_evidence_item(r) for r in rows]

    def _evidence_row(self, conn: Connection, assessment_id: str, evidence_id: str) -> Any:
        row = conn.execute(
            select(_evidence).where(_evidence.c.assessment_id == assessment_id, _evidence.c.id == evidence_id)
        ).first()
        if row is None:
            raise NotFoundError(f"no evidence {evidence_id!r} in assessment {assessment_id[:8]}")
        return row

    def remove_evidence(self, assessment_id: str, evidence_id: str, actor: str) -> EvidenceItem:
        """Take an evidence item out of the assessment; the audit entry keeps its name, size and SHA-256.
        Returns the removed item (its stored file is the caller's to delete)."""
        now = iso_utc(self.clock())
        with self._writing() as conn:
            self._editable_status(conn, assessment_id)
            item = _evidence_item(self._evidence_row(conn, assessment_id, evidence_id))
            conn.execute(delete(_evidence).where(_evidence.c.id == evidence_id))
            _touch(conn, assessment_id, now)
            self._append_audit(
                conn,
                assessment_id,
                actor,
                "evidence_removed",
                item.file_name,
                {
                    "id": item.id,
                    "sha256": item.sha256,
                    "size": item.size,
                    "indicators": list(item.indicators),
                    "description": item.description,
                },
                None,
                now,
            )
        return item

    def update_evidence(
        self,
        assessment_id: str,
        evidence_id: str,
        actor: str,
        description: str | None = None,
        indicators: Sequence[str] | None = None,
    ) -> EvidenceItem:
        """Change an evidence item's description and/or the indicators it belongs to (one audit entry each)."""
        now = iso_utc(self.clock())
        with self._writing() as conn:
            self._editable_status(conn, assessment_id)
            item = _evidence_item(self._evidence_row(conn, assessment_id, evidence_id))
            values: dict[str, Any] = {}
            if description is not None and description != item.description:
                values["description"] = description
                self._append_audit(
                    conn, assessment_id, actor, "evidence_described", item.file_name, item.description, description, now
                )
            if indicators is not None and tuple(indicators) != item.indicators:
                values["indicators"] = _json(list(indicators))
                self._append_audit(
                    conn,
                    assessment_id,
                    actor,
                    "evidence_linked",
                    item.file_name,
                    list(item.indicators),
                    list(indicators),
                    now,
                )
            if values:
                conn.execute(update(_evidence).where(_evidence.c.id == evidence_id).values(**values))
                _touch(conn, assessment_id, now)
                item = _evidence_item(self._evidence_row(conn, assessment_id, evidence_id))
        return item

    def add_drawn_signature(
        self,
        assessment_id: str,
        role: str,
        signer_name: str,
        image_png: bytes,
        actor: str,
        version: AssessmentVersion | None = None,
    ) -> None:
        """Store a signature of the assessment's content as it is now (replacing the role's earlier one);
        with `version`, refused when the content changed since the signer was shown it."""
        now = iso_utc(self.clock())
        with self._writing(assessment_id, version) as conn:
            self._editable_status(conn, assessment_id)
            content = signable_content_hash(conn, assessment_id)
            conn.execute(
                delete(_signature).where(_signature.c.assessment_id == assessment_id, _signature.c.role == role)
            )
            conn.execute(
                insert(_signature).values(
                    assessment_id=assessment_id,
                    role=role,
                    signer_name=signer_name,
                    image_png=image_png,
                    signed_at=now,
                    content_hash=content,
                )
            )
            digest = hashlib.sha256(image_png).hexdigest()
            self._append_audit(
                conn,
                assessment_id,
                actor,
                "drawn_signature",
                role,
                None,
                {"signer": signer_name, "sha256": digest, "content": content},
                now,
            )

    def _clear_drawn_signatures(
        self, conn: Connection, assessment_id: str, actor: str, reason: str, at: str, head: str | None = None
    ) -> str | None:
        """Remove the drawn signatures, in the transaction of the change that made them stale, and
        record which were removed and why. Returns the new audit head, None when there were none.
        With `head`, chains onto it and leaves the assessment's head to the caller (`save_answers`)."""
        rows = conn.exec_driver_sql(_SQL_SIGNATURES, (assessment_id,)).all()
        if not rows:
            return None
        conn.exec_driver_sql(_SQL_DELETE_SIGNATURES, (assessment_id,))
        removed = [
            {"role": role, "signer": signer, "signed_at": signed_at, "content": content}
            for role, signer, signed_at, content in rows
        ]
        return self._append_audit(
            conn,
            assessment_id,
            actor,
            "drawn_signature_cleared",
            ", ".join(r["role"] for r in removed),
            removed,
            {"reason": reason},
            at,
            head,
        )

    def drawn_signatures(self, assessment_id: str) -> list[tuple[str, str, bytes, dt.datetime]]:
        """The signatures that sign the assessment's current content (role, signer, PNG, when)."""
        with self.engine.connect() as conn:
            current = signable_content_hash(conn, assessment_id)
            rows = conn.execute(
                select(_signature).where(_signature.c.assessment_id == assessment_id).order_by(_signature.c.id)
            ).all()
        return [
            (r.role, r.signer_name, r.image_png, _parse_time(r.signed_at))
            for r in rows
            if r.content_hash is not None and r.content_hash == current
        ]

    def removed_drawn_signatures(self, assessment_id: str) -> list[RemovedSignature]:
        """Signatures removed (or no longer valid) because the content changed after signing, and not
        drawn again since; forgotten once a revision is finalised without them."""
        with self.engine.connect() as conn:
            entries = conn.execute(
                select(_audit.c.action, _audit.c.target, _audit.c.old_json, _audit.c.new_json)
                .where(
                    _audit.c.assessment_id == assessment_id,
                    _audit.c.action.in_(("drawn_signature", "drawn_signature_cleared", "status")),
                )
                .order_by(_audit.c.seq)
            ).all()
            current = signable_content_hash(conn, assessment_id)
            stale = conn.execute(
                select(_signature.c.role, _signature.c.signer_name)
                .where(
                    _signature.c.assessment_id == assessment_id,
                    (_signature.c.content_hash.is_(None)) | (_signature.c.content_hash != current),
                )
                .order_by(_signature.c.id)
            ).all()
        pending: dict[str, RemovedSignature] = {}
        for action, target, old_json, new_json in entries:
            if action == "drawn_signature":
                pending.pop(target, None)
            elif action == "drawn_signature_cleared":
                reason = json.loads(new_json).get("reason", "changed")
                for item in json.loads(old_json):
                    pending[item["role"]] = RemovedSignature(item["role"], item["signer"], reason)
            elif json.loads(new_json).get("status") == AssessmentStatus.FINALISED.value:
                pending.clear()
        for role, signer in stale:
            pending[role] = RemovedSignature(role, signer, "changed")
        return list(pending.values())

    def review_comments(self, assessment_id: str) -> dict[str, str]:
        """Reviewer comments per indicator of the latest returned revision (filled in by sync)."""
        return {c.indicator_id: c.comment for c in self.review_threads(assessment_id)}

    def review_threads(self, assessment_id: str) -> list[ReviewComment]:
        """The reviewer's comments on the latest returned revision with the assessor's replies, by indicator."""
        with self.engine.connect() as conn:
            latest = conn.execute(
                select(func.max(_review_comment.c.revision)).where(_review_comment.c.assessment_id == assessment_id)
            ).scalar()
            if latest is None:
                return []
            rows = conn.execute(
                select(_review_comment)
                .where(_review_comment.c.assessment_id == assessment_id, _review_comment.c.revision == latest)
                .order_by(_review_comment.c.indicator_id)
            ).all()
        return [
            ReviewComment(
                r.revision,
                r.indicator_id,
                r.comment,
                r.reviewer,
                _parse_time(r.at),
                r.reply,
                bool(r.resolved),
                r.replied_by,
                _parse_time(r.replied_at) if r.replied_at else None,
            )
            for r in rows
        ]

    def save_review_reply(
        self,
        assessment_id: str,
        revision: int,
        indicator_id: str,
        reply: str,
        resolved: bool,
        actor: str,
        version: AssessmentVersion | None = None,
    ) -> None:
        """The assessor's reply to a reviewer's comment and whether it is resolved, with an audit entry;
        only while the assessment is editable, so that the reply is part of the next finalised revision."""
        now = iso_utc(self.clock())
        key = (
            _review_comment.c.assessment_id == assessment_id,
            _review_comment.c.revision == revision,
            _review_comment.c.indicator_id == indicator_id,
        )
        with self._writing(assessment_id, version) as conn:
            self._editable_status(conn, assessment_id)
            row = conn.execute(select(_review_comment.c.reply, _review_comment.c.resolved).where(*key)).first()
            if row is None:
                raise NotFoundError(f"no reviewer's comment on {indicator_id} of revision {revision}")
            old = {"revision": revision, "reply": row.reply, "resolved": bool(row.resolved)}
            new = {"revision": revision, "reply": reply, "resolved": resolved}
            if old == new:
                return
            conn.execute(
                update(_review_comment)
                .where(*key)
                .values(reply=reply, resolved=resolved, replied_by=actor, replied_at=now)
            )
            self._append_audit(conn, assessment_id, actor, "review_reply", indicator_id, old, new, now)
            _touch(conn, assessment_id, now)

    # --- the visit: sessions, attendance, quick notes, time per area ------------------------------

    def visit_sessions(self, assessment_id: str) -> list[VisitSession]:
        """The interview sessions in the order of the agenda (day, start), each with its attendees."""
        with self.engine.connect() as conn:
            sessions = conn.execute(
                select(_visit_session)
                .where(_visit_session.c.assessment_id == assessment_id)
                .order_by(_visit_session.c.day, _visit_session.c.start, _visit_session.c.title)
            ).all()
            people = conn.execute(
                select(_attendee)
                .where(_attendee.c.assessment_id == assessment_id)
                .order_by(literal_column("visit_attendee.rowid"))
            ).all()
        by_session: dict[str, list[Attendee]] = {}
        for p in people:
            by_session.setdefault(p.session_id, []).append(
                Attendee(p.id, p.session_id, p.name, p.role, p.organisation, p.present_from, p.present_to)
            )
        return [
            VisitSession(
                s.id,
                dt.date.fromisoformat(s.day),
                s.start,
                s.end,
                s.title,
                tuple(json.loads(s.areas)),
                tuple(by_session.get(s.id, ())),
            )
            for s in sessions
        ]

    def save_visit_session(self, assessment_id: str, session: VisitSession, actor: str) -> None:
        """Add a session to the agenda, or change one (its attendees stay)."""
        now = iso_utc(self.clock())
        values = {
            "day": session.day.isoformat(),
            "start": session.start,
            "end": session.end,
            "title": session.title,
            "areas": _json(list(session.areas)),
        }
        with self._writing() as conn:
            self._editable_status(conn, assessment_id)
            row = conn.execute(
                select(_visit_session).where(
                    _visit_session.c.assessment_id == assessment_id, _visit_session.c.id == session.id
                )
            ).first()
            audited = {**values, "areas": list(session.areas)}
            if row is None:
                conn.execute(insert(_visit_session).values(id=session.id, assessment_id=assessment_id, **values))
                self._append_audit(conn, assessment_id, actor, "visit_session", session.id, None, audited, now)
            else:
                old = {k: row._mapping[k] for k in values}
                if old == values:
                    return
                conn.execute(update(_visit_session).where(_visit_session.c.id == session.id).values(**values))
                old["areas"] = json.loads(old["areas"])
                self._append_audit(conn, assessment_id, actor, "visit_session", session.id, old, audited, now)
                if conn.execute(select(_attendee.c.id).where(_attendee.c.session_id == session.id)).first():
                    # the report prints the sessions each interviewee attended
                    self._clear_drawn_signatures(conn, assessment_id, actor, "visit_session", now)
            _touch(conn, assessment_id, now)

    def remove_visit_session(self, assessment_id: str, session_id: str, actor: str) -> None:
        """Take a session off the agenda, with its attendees (the audit entry keeps both)."""
        now = iso_utc(self.clock())
        with self._writing() as conn:
            self._editable_status(conn, assessment_id)
            row = conn.execute(
                select(_visit_session).where(
                    _visit_session.c.assessment_id == assessment_id, _visit_session.c.id == session_id
                )
            ).first()
            if row is None:
                raise NotFoundError(f"no interview session {session_id!r} in assessment {assessment_id[:8]}")
            people = conn.execute(select(_attendee.c.name).where(_attendee.c.session_id == session_id)).scalars().all()
            conn.execute(delete(_attendee).where(_attendee.c.session_id == session_id))
            conn.execute(delete(_visit_session).where(_visit_session.c.id == session_id))
            old = {"day": row.day, "start": row.start, "end": row.end, "title": row.title, "attendees": list(people)}
            self._append_audit(conn, assessment_id, actor, "visit_session_removed", session_id, old, None, now)
            if people:
                self._clear_drawn_signatures(conn, assessment_id, actor, "attendance", now)
            _touch(conn, assessment_id, now)

    def save_attendee(self, assessment_id: str, attendee: Attendee, actor: str) -> None:
        """Record a person present at a session, or change what is recorded of them."""
        now = iso_utc(self.clock())
        values = {
            "name": attendee.name,
            "role": attendee.role,
            "organisation": attendee.organisation,
            "present_from": attendee.present_from,
            "present_to": attendee.present_to,
        }
        with self._writing() as conn:
            self._editable_status(conn, assessment_id)
            known = conn.execute(
                select(_visit_session.c.id).where(
                    _visit_session.c.assessment_id == assessment_id, _visit_session.c.id == attendee.session_id
                )
            ).first()
            if known is None:
                raise NotFoundError(f"no interview session {attendee.session_id!r} in assessment {assessment_id[:8]}")
            row = conn.execute(
                select(_attendee).where(_attendee.c.assessment_id == assessment_id, _attendee.c.id == attendee.id)
            ).first()
            target = f"{attendee.session_id}/{attendee.id}"
            if row is None:
                conn.execute(
                    insert(_attendee).values(
                        id=attendee.id, session_id=attendee.session_id, assessment_id=assessment_id, **values
                    )
                )
                self._append_audit(conn, assessment_id, actor, "attendance", target, None, values, now)
            else:
                old = {k: row._mapping[k] for k in values}
                if old == values:
                    return
                conn.execute(update(_attendee).where(_attendee.c.id == attendee.id).values(**values))
                self._append_audit(conn, assessment_id, actor, "attendance", target, old, values, now)
            self._clear_drawn_signatures(conn, assessment_id, actor, "attendance", now)
            _touch(conn, assessment_id, now)

    def remove_attendee(self, assessment_id: str, attendee_id: str, actor: str) -> None:
        now = iso_utc(self.clock())
        with self._writing() as conn:
            self._editable_status(conn, assessment_id)
            row = conn.execute(
                select(_attendee).where(_attendee.c.assessment_id == assessment_id, _attendee.c.id == attendee_id)
            ).first()
            if row is None:
                raise NotFoundError(f"no attendee {attendee_id!r} in assessment {assessment_id[:8]}")
            conn.execute(delete(_attendee).where(_attendee.c.id == attendee_id))
            old = {"name": row.name, "role": row.role, "organisation": row.organisation}
            self._append_audit(
                conn, assessment_id, actor, "attendance_removed", f"{row.session_id}/{attendee_id}", old, None, now
            )
            self._clear_drawn_signatures(conn, assessment_id, actor, "attendance", now)
            _touch(conn, assessment_id, now)

    def quick_notes(self, assessment_id: str) -> list[QuickNote]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_visit_note).where(_visit_note.c.assessment_id == assessment_id).order_by(_visit_note.c.id)
            ).all()
        return [QuickNote(r.id, _parse_time(r.at), r.author, r.text) for r in rows]

    def add_quick_note(self, assessment_id: str, text: str, actor: str) -> QuickNote:
        """A quick note for the whole visit, stamped now (internal: not part of what is signed)."""
        now = iso_utc(self.clock())
        with self._writing() as conn:
            self._editable_status(conn, assessment_id)
            key = conn.execute(
                insert(_visit_note).values(assessment_id=assessment_id, at=now, author=actor, text=text)
            ).inserted_primary_key
            assert key is not None  # an INSERT of one row always has one
            note_id = key[0]
            self._append_audit(conn, assessment_id, actor, "quick_note", str(note_id), None, text, now)
            _touch(conn, assessment_id, now)
        return QuickNote(int(note_id), _parse_time(now), actor, text)

    def remove_quick_note(self, assessment_id: str, note_id: int, actor: str) -> None:
        now = iso_utc(self.clock())
        with self._writing() as conn:
            self._editable_status(conn, assessment_id)
            row = conn.execute(
                select(_visit_note).where(_visit_note.c.assessment_id == assessment_id, _visit_note.c.id == note_id)
            ).first()
            if row is None:
                raise NotFoundError(f"no quick note {note_id} in assessment {assessment_id[:8]}")
            conn.execute(delete(_visit_note).where(_visit_note.c.id == note_id))
            self._append_audit(conn, assessment_id, actor, "quick_note_removed", str(note_id), row.text, None, now)

    def area_times(self, assessment_id: str) -> dict[str, float]:
        """Seconds of interview time counted per area."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_area_time.c.area_id, _area_time.c.seconds).where(_area_time.c.assessment_id == assessment_id)
            ).all()
        return {area: float(seconds) for area, seconds in rows}

    def add_area_time(self, assessment_id: str, area_id: str, seconds: float, actor: str) -> float:
        """Add interview time to an area (one audit entry); returns the area's new total."""
        now = iso_utc(self.clock())
        with self._writing() as conn:
            self._editable_status(conn, assessment_id)
            old = conn.execute(
                select(_area_time.c.seconds).where(
                    _area_time.c.assessment_id == assessment_id, _area_time.c.area_id == area_id
                )
            ).scalar()
            total = float(old or 0.0) + seconds
            conn.execute(
                sqlite_insert(_area_time)
                .values(assessment_id=assessment_id, area_id=area_id, seconds=total)
                .on_conflict_do_update(
                    index_elements=[_area_time.c.assessment_id, _area_time.c.area_id], set_={"seconds": total}
                )
            )
            self._append_audit(
                conn, assessment_id, actor, "area_time", area_id, round(float(old or 0.0), 1), round(total, 1), now
            )
        return total

    # --- audit trail ----------------------------------------------------------------------------

    def _write_results(self, conn: Connection, assessment_id: str, results: Iterable[IndicatorResult]) -> None:
        for result in results:
            values = {"result_status": result.status.value, "result_points": result.points}
            conn.execute(
                sqlite_insert(_state)
                .values(assessment_id=assessment_id, indicator_id=result.indicator_id, **values)
                .on_conflict_do_update(index_elements=[_state.c.assessment_id, _state.c.indicator_id], set_=values)
            )

    def _audit_head(self, conn: Connection, assessment_id: str) -> tuple[str, int]:
        row = conn.execute(
            select(_assessment.c.audit_head, _assessment.c.audit_count).where(_assessment.c.id == assessment_id)
        ).first()
        if row is None or not row.audit_head:
            return GENESIS_HASH, 0 if row is None else row.audit_count
        return row.audit_head, row.audit_count

    def _append_audit(
        self,
        conn: Connection,
        assessment_id: str,
        actor: str,
        action: str,
        target: str,
        old: Any,
        new: Any,
        at: str,
        head: str | None = None,
    ) -> str:
        """Append one entry; when `head` is None, read it and update the assessment's head too."""
        own_head = head is None
        count = 0
        if head is None:
            head, count = self._audit_head(conn, assessment_id)
        old_json, new_json = _json(old), _json(new)
        digest = audit_hash(head, assessment_id, at, actor, action, target, old_json, new_json)
        conn.execute(
            insert(_audit).values(
                assessment_id=assessment_id,
                at=at,
                actor=actor,
                action=action,
                target=target,
                old_json=old_json,
                new_json=new_json,
                prev_hash=head,
                hash=digest,
            )
        )
        if own_head:
            conn.execute(
                update(_assessment)
                .where(_assessment.c.id == assessment_id)
                .values(audit_head=digest, audit_count=count + 1)
            )
            _moved(conn, head, digest)
        return digest

    def audit_entries(self, assessment_id: str) -> list[AuditEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_audit).where(_audit.c.assessment_id == assessment_id).order_by(_audit.c.seq)
            ).all()
        return [
            AuditEntry(
                r.seq,
                r.assessment_id,
                _parse_time(r.at),
                r.actor,
                r.action,
                r.target,
                json.loads(r.old_json),
                json.loads(r.new_json),
                r.prev_hash,
                r.hash,
            )
            for r in rows
        ]

    def verify_audit(self, assessment_id: str) -> AuditVerification:
        """Recompute the chain; an edited, inserted or deleted entry breaks it."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_audit).where(_audit.c.assessment_id == assessment_id).order_by(_audit.c.seq)
            ).all()
            head = conn.execute(
                select(_assessment.c.audit_head, _assessment.c.audit_count).where(_assessment.c.id == assessment_id)
            ).first()
            if head is None:  # a deleted assessment: its tombstone keeps the chain's head
                head = conn.execute(
                    select(_deleted.c.audit_head, _deleted.c.audit_count).where(
                        _deleted.c.assessment_id == assessment_id
                    )
                ).first()
        if head is None:
            raise NotFoundError(f"no assessment {assessment_id!r}")
        return verify_chain(
            [
                (r.seq, r.assessment_id, r.at, r.actor, r.action, r.target, r.old_json, r.new_json, r.prev_hash, r.hash)
                for r in rows
            ],
            head.audit_head,
            head.audit_count,
        )


def verify_exported_chain(
    assessment_id: str, entries: Sequence[Mapping[str, Any]], expected_head: str, expected_count: int
) -> AuditVerification:
    """`verify_chain` for a trail as written to assessment.json: entries with at, actor, action,
    target, old_json, new_json, prev_hash and hash, oldest first."""
    rows = [
        (
            seq,
            assessment_id,
            e["at"],
            e["actor"],
            e["action"],
            e["target"],
            e["old_json"],
            e["new_json"],
            e["prev_hash"],
            e["hash"],
        )
        for seq, e in enumerate(entries, start=1)
    ]
    return verify_chain(rows, expected_head, expected_count)


def verify_chain(
    rows: Sequence[tuple[int, str, str, str, str, str, str, str, str, str]], expected_head: str, expected_count: int
) -> AuditVerification:
    previous = GENESIS_HASH
    for seq, assessment_id, at, actor, action, target, old_json, new_json, prev_hash, digest in rows:
        if prev_hash != previous:
            return AuditVerification(
                False,
                len(rows),
                f"entry {seq}: the link to the previous entry is broken (an entry was removed or inserted)",
                seq,
            )
        if audit_hash(prev_hash, assessment_id, at, actor, action, target, old_json, new_json) != digest:
            return AuditVerification(
                False, len(rows), f"entry {seq}: its content does not match its hash (the entry was edited)", seq
            )
        previous = digest
    if len(rows) != expected_count or previous != (expected_head or GENESIS_HASH):
        return AuditVerification(
            False,
            len(rows),
            f"the trail has {len(rows)} entries but {expected_count} were recorded: the newest entries were removed",
        )
    return AuditVerification(True, len(rows), f"{len(rows)} entries, chain intact")


def _read_assessment(conn: Connection, assessment_id: str) -> Assessment:
    row = conn.execute(
        select(
            _assessment,
            _org.c.name.label("org_name"),
            _org.c.country,
            _org.c.region,
            _org.c.legal_form,
            _org.c.sector,
            _org.c.website,
            _org.c.contact,
        )
        .join(_org, _org.c.id == _assessment.c.organisation_id)
        .where(_assessment.c.id == assessment_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no assessment {assessment_id!r}")
    return Assessment(
        id=row.id,
        organisation=Organisation(
            row.org_name, row.country, row.region, row.legal_form, row.sector, row.website, row.contact
        ),
        catalog=CatalogBinding(row.catalog_id, row.catalog_version, row.catalog_hash),
        scheme=row.scheme,
        status=AssessmentStatus(row.status),
        revision=row.revision,
        assessors=tuple(json.loads(row.assessors)),
        interview_start=_parse_date(row.interview_start),
        interview_end=_parse_date(row.interview_end),
        place=row.place,
        interview_lang=row.interview_lang,
        current_indicator=row.current_indicator,
        created_at=_parse_time(row.created_at),
        updated_at=_parse_time(row.updated_at),
        finalised_at=_parse_time(row.finalised_at) if row.finalised_at else None,
        strengths=row.strengths,
        improvement_areas=row.improvement_areas,
        recommendations=row.recommendations,
        archived_at=_parse_time(row.archived_at) if row.archived_at else None,
    )


def _read_answers(conn: Connection, assessment_id: str) -> dict[str, Any]:
    rows = conn.execute(
        select(_answer.c.field_key, _answer.c.value_json).where(_answer.c.assessment_id == assessment_id)
    ).all()
    return {key: json.loads(value) for key, value in rows}


def _read_drafts(conn: Connection, assessment_id: str) -> dict[str, str]:
    rows = conn.execute(select(_draft.c.field_key, _draft.c.text).where(_draft.c.assessment_id == assessment_id)).all()
    return {key: text for key, text in rows}


def _read_states(conn: Connection, assessment_id: str) -> dict[str, IndicatorState]:
    rows = conn.execute(select(_state).where(_state.c.assessment_id == assessment_id)).all()
    states = {}
    for row in rows:
        override = None
        if row.override_status:
            override = Override(
                ResultStatus(row.override_status),
                row.override_points,
                row.override_justification,
                row.override_by,
                _parse_time(row.override_at) if row.override_at else None,
            )
        states[row.indicator_id] = IndicatorState(
            row.note,
            bool(row.follow_up),
            override,
            row.finding or "",
            tuple(sorted(int(n) for n in json.loads(row.evidence_checked or "[]"))),
        )
    return states


def _owned_tables() -> list[Table]:
    """The tables whose rows belong to one assessment (by a foreign key), children before parents; the
    audit trail is not among them: it outlives a deleted assessment."""
    tables = []
    for table in reversed(Base.metadata.sorted_tables):
        if "assessment_id" in table.c and any(
            fk.column.table is _assessment for fk in table.c.assessment_id.foreign_keys
        ):
            tables.append(table)
    return tables


def _evidence_item(r: Any) -> EvidenceItem:
    return EvidenceItem(
        r.id,
        r.assessment_id,
        r.file_name,
        r.stored_name,
        r.sha256,
        r.size,
        r.description,
        tuple(json.loads(r.indicators)),
        r.added_by,
        _parse_time(r.added_at),
    )


def _read_only(assessment_id: str, status: AssessmentStatus, archived: bool = False) -> ReadOnlyError:
    if archived:
        return ReadOnlyError(f"assessment {assessment_id[:8]} is archived and read-only; unarchive it to change it")
    return ReadOnlyError(
        f"assessment {assessment_id[:8]} is {status.label()} and read-only; reopen it as a new revision to change it"
    )


_SQL_HEAD = "SELECT status, audit_head, audit_count, archived_at FROM assessment WHERE id = ?"
_SQL_SIGNATURES = (
    "SELECT role, signer_name, signed_at, content_hash FROM drawn_signature WHERE assessment_id = ? ORDER BY id"
)
_SQL_DELETE_SIGNATURES = "DELETE FROM drawn_signature WHERE assessment_id = ?"
_SQL_DELETE_ANSWER = "DELETE FROM answer WHERE assessment_id = ? AND field_key = ?"
_SQL_ANSWER_OF = "SELECT value_json FROM answer WHERE assessment_id = ? AND field_key = ?"
_SQL_DRAFT_OF = "SELECT text FROM answer_draft WHERE assessment_id = ? AND field_key = ?"
_SQL_UPSERT_ANSWER = (
    "INSERT INTO answer (assessment_id, field_key, value_json, answered_by, answered_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (assessment_id, field_key) DO UPDATE SET value_json = excluded.value_json, "
    "answered_by = excluded.answered_by, answered_at = excluded.answered_at"
)
_SQL_UPSERT_DRAFT = (
    "INSERT INTO answer_draft (assessment_id, field_key, text, typed_by, typed_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (assessment_id, field_key) DO UPDATE SET text = excluded.text, "
    "typed_by = excluded.typed_by, typed_at = excluded.typed_at"
)
_SQL_DELETE_DRAFT = "DELETE FROM answer_draft WHERE assessment_id = ? AND field_key = ?"
_SQL_UPSERT_RESULT = (
    "INSERT INTO indicator_state (assessment_id, indicator_id, result_status, result_points, note, follow_up, "
    "override_justification, override_by) VALUES (?, ?, ?, ?, '', 0, '', '') "
    "ON CONFLICT (assessment_id, indicator_id) DO UPDATE SET result_status = excluded.result_status, "
    "result_points = excluded.result_points"
)
_SQL_INSERT_AUDIT = (
    "INSERT INTO audit_entry (assessment_id, at, actor, action, target, old_json, new_json, prev_hash, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SQL_UPDATE_SUMMARY = (
    "UPDATE assessment SET updated_at = ?, audit_head = ?, audit_count = ?, status = ?, progress_done = ?, "
    "progress_total = ?, score_points = ?, score_max = ?, outcome_passed = ? WHERE id = ?"
)


def _moved(conn: Connection, old_head: str, new_head: str) -> None:
    """Note that the transaction moved an assessment's head (see `AssessmentRepository._writing`)."""
    links = conn.info.get(_LINKS)
    if links is not None:
        links.append((old_head, new_head))


def _touch(conn: Connection, assessment_id: str, now: str) -> None:
    """Mark the assessment changed now (the list sorts by it), inside the edit's own transaction."""
    conn.execute(update(_assessment).where(_assessment.c.id == assessment_id).values(updated_at=now))


def _summary_values(summary: ScoreSummary) -> dict[str, Any]:
    return {
        "progress_done": summary.progress_done,
        "progress_total": summary.progress_total,
        "score_points": summary.score_points,
        "score_max": summary.score_max,
        "outcome_passed": summary.outcome_passed,
    }
