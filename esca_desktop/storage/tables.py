"""The database schema as SQLAlchemy ORM rows. Migrations in `migrations/versions` create it."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class AssessorRow(Base):
    __tablename__ = "assessor_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    expert_id: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[str] = mapped_column(String(40))


class OrganisationRow(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(200), default="")
    legal_form: Mapped[str] = mapped_column(String(200), default="")
    sector: Mapped[str] = mapped_column(String(100), default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    contact: Mapped[str] = mapped_column(String(500), default="")


class CatalogSourceRow(Base):
    """The exact bytes of every catalog an assessment was started under."""

    __tablename__ = "catalog_source"

    content_hash: Mapped[str] = mapped_column(String(80), primary_key=True)
    catalog_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(100))
    source_name: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[str] = mapped_column(String(40))


class AssessmentRow(Base):
    __tablename__ = "assessment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    catalog_id: Mapped[str] = mapped_column(String(100))
    catalog_version: Mapped[str] = mapped_column(String(100))
    catalog_hash: Mapped[str] = mapped_column(ForeignKey("catalog_source.content_hash"))
    scheme: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    assessors: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of names
    interview_start: Mapped[str | None] = mapped_column(String(10), nullable=True)
    interview_end: Mapped[str | None] = mapped_column(String(10), nullable=True)
    place: Mapped[str] = mapped_column(String(300), default="")
    interview_lang: Mapped[str] = mapped_column(String(5), default="en")
    current_indicator: Mapped[str | None] = mapped_column(String(50), nullable=True)
    strengths: Mapped[str] = mapped_column(Text, default="")
    improvement_areas: Mapped[str] = mapped_column(Text, default="")
    recommendations: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[str] = mapped_column(String(40), index=True)
    finalised_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # Summary kept current with every edit, so that the list needs no catalog.
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    score_points: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_max: Mapped[float | None] = mapped_column(Float, nullable=True)
    outcome_passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Head of the audit chain: deleting the newest entry is detected too.
    audit_head: Mapped[str] = mapped_column(String(64), default="")
    audit_count: Mapped[int] = mapped_column(Integer, default=0)
    # migration 0009: set while archived (hidden from the list, read-only until unarchived)
    archived_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class DeletedAssessmentRow(Base):
    """What a deleted assessment was, and the head of its audit chain (its entries stay in audit_entry)."""

    __tablename__ = "deleted_assessment"

    assessment_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))
    scheme: Mapped[str] = mapped_column(String(20))
    catalog: Mapped[str] = mapped_column(String(200))  # id@version
    status: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer)
    deleted_at: Mapped[str] = mapped_column(String(40))
    deleted_by: Mapped[str] = mapped_column(String(200))
    audit_head: Mapped[str] = mapped_column(String(64))
    audit_count: Mapped[int] = mapped_column(Integer)


class AnswerRow(Base):
    __tablename__ = "answer"

    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"), primary_key=True)
    field_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value_json: Mapped[str] = mapped_column(Text)
    answered_by: Mapped[str] = mapped_column(String(200))
    answered_at: Mapped[str] = mapped_column(String(40))


class AnswerDraftRow(Base):
    """Text typed into a field that is not (yet) a valid answer: kept, shown and counted as a problem."""

    __tablename__ = "answer_draft"

    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"), primary_key=True)
    field_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    typed_by: Mapped[str] = mapped_column(String(200))
    typed_at: Mapped[str] = mapped_column(String(40))


class IndicatorStateRow(Base):
    """Per indicator: the current result, the assessor's internal note, follow-up flag and override,
    the finding written for the report, and the evidence checklist items ticked as seen."""

    __tablename__ = "indicator_state"

    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"), primary_key=True)
    indicator_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    result_status: Mapped[str] = mapped_column(String(20), default="open")
    result_points: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    override_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    override_points: Mapped[float | None] = mapped_column(Float, nullable=True)
    override_justification: Mapped[str] = mapped_column(Text, default="")
    override_by: Mapped[str] = mapped_column(String(200), default="")
    override_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # migration 0003; server defaults, because the answers' hot path inserts rows in plain SQL
    finding: Mapped[str] = mapped_column(Text, default="", server_default="")
    evidence_checked: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")  # JSON list of positions


class EvidenceRow(Base):
    __tablename__ = "evidence"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(300))
    stored_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    indicators: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of indicator ids
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[str] = mapped_column(String(40))


class SignatureRow(Base):
    """A signature drawn by hand at finalisation (PNG), by role: assessor or interviewee, of one content."""

    __tablename__ = "drawn_signature"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    signer_name: Mapped[str] = mapped_column(String(200))
    image_png: Mapped[bytes] = mapped_column(LargeBinary)
    signed_at: Mapped[str] = mapped_column(String(40))
    # the digest of what was signed (storage/signed_content.py); the signature is valid only while the
    # assessment's content has this digest. None: not known to be valid (signed before 0004, then changed)
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class RevisionSnapshotRow(Base):
    """A finalised revision, frozen as JSON, kept when the assessment is reopened."""

    __tablename__ = "revision_snapshot"

    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    finalised_at: Mapped[str] = mapped_column(String(40))
    snapshot_json: Mapped[str] = mapped_column(Text)


class AuditRow(Base):
    """Append-only, hash-chained history; triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assessment_id: Mapped[str] = mapped_column(String(36), index=True)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200))
    old_json: Mapped[str] = mapped_column(Text)
    new_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# --- sync (migration 0002) ------------------------------------------------------------------------


class OutboxRow(Base):
    """A finalised revision waiting to be sent to the review service (queued with the finalisation)."""

    __tablename__ = "outbox"

    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(20), index=True)  # queued | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    fatal: Mapped[bool] = mapped_column(Boolean, default=False)  # failed for a reason retrying cannot fix
    queued_at: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class ReviewCommentRow(Base):
    """A central reviewer's comment on one indicator of a returned revision."""

    __tablename__ = "review_comment"

    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    comment: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(200))
    at: Mapped[str] = mapped_column(String(40))
    # The assessor's answer (migration 0005): carried to the review service in the next revision's bundle.
    reply: Mapped[str] = mapped_column(Text, default="")
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    replied_by: Mapped[str] = mapped_column(String(200), default="")
    replied_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class BenchmarkStatRow(Base):
    """Quartiles of one numeric field in one comparison group, as published by the review service."""

    __tablename__ = "benchmark_stat"

    field_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    group_key: Mapped[str] = mapped_column(String(120), primary_key=True)  # sector:<id> | country:<CC>
    count: Mapped[int] = mapped_column(Integer)
    minimum: Mapped[float] = mapped_column(Float)
    q1: Mapped[float] = mapped_column(Float)
    median: Mapped[float] = mapped_column(Float)
    q3: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float] = mapped_column(Float)
    fetched_at: Mapped[str] = mapped_column(String(40))


class SyncStateRow(Base):
    """The review service this desktop syncs with (one row); the token itself is in the OS keyring."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    server_url: Mapped[str] = mapped_column(String(500), default="")
    account: Mapped[str] = mapped_column(String(200), default="")  # "" when signed out
    review_cursor: Mapped[int] = mapped_column(Integer, default=0)
    last_sync_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


# --- the visit (migration 0010) -------------------------------------------------------------------


class VisitSessionRow(Base):
    """A planned interview session: day, time slot, topic and the areas planned (JSON list of area ids)."""

    __tablename__ = "visit_session"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"), index=True)
    day: Mapped[str] = mapped_column(String(10))
    start: Mapped[str] = mapped_column(String(5))
    end: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(Text, default="")
    areas: Mapped[str] = mapped_column(Text, default="[]")


class VisitAttendeeRow(Base):
    """A person present at one session (the report's list of interviewees)."""

    __tablename__ = "visit_attendee"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("visit_session.id"), index=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(300), default="")
    present_from: Mapped[str] = mapped_column(String(5), default="")
    present_to: Mapped[str] = mapped_column(String(5), default="")


class VisitNoteRow(Base):
    """A quick note for the whole visit (internal: never printed in the report)."""

    __tablename__ = "visit_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"), index=True)
    at: Mapped[str] = mapped_column(String(40))
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)


class AreaTimeRow(Base):
    """Interview time spent per area (seconds), kept across restarts."""

    __tablename__ = "area_time"

    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"), primary_key=True)
    area_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
