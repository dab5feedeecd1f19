"""What a drawn signature signs: one digest of an assessment's signable content, read from the store.

A signature drawn by hand belongs to the exact content it was drawn under. The store records this
digest with each signature (`drawn_signature.content_hash`) and counts a signature as valid only while
the digest of the current content is the same; the edits of `AssessmentRepository` also remove the
signatures in the same transaction as any change, so that a stale one is never shown or printed.

The content: the revision and catalog, the organisation and interview details, every answer, every
indicator's note, follow-up flag, override, finding and ticked evidence, the closing texts, and the
attendance printed as the list of interviewees (only when someone is recorded, so that the digest of an
assessment without attendance is what it was before attendance existed). Computed results are left out:
they follow from the answers and the catalog. Status is left out too, so finalising keeps signatures.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Connection, inspect, select

from esca_desktop.storage.tables import Base

# Part of the digest: changing what is covered must change this, never silently re-define a digest.
CONTENT_VERSION = 1

_tables = Base.metadata.tables
_assessment = _tables["assessment"]
_org = _tables["organisation"]
_answer = _tables["answer"]
_state = _tables["indicator_state"]
_visit_session = _tables["visit_session"]
_attendee = _tables["visit_attendee"]

_ASSESSMENT_COLUMNS = (
    "revision",
    "catalog_hash",
    "assessors",
    "interview_start",
    "interview_end",
    "place",
    "strengths",
    "improvement_areas",
    "recommendations",
)
_ORGANISATION_COLUMNS = ("name", "country", "region", "legal_form", "sector", "website", "contact")
_STATE_COLUMNS = (
    "note",
    "follow_up",
    "override_status",
    "override_points",
    "override_justification",
    "finding",
    "evidence_checked",
)


def signable_content_hash(conn: Connection, assessment_id: str) -> str | None:
    """The SHA-256 (hex) of the assessment's signable content; None when there is no such assessment."""
    row = conn.execute(
        select(
            *(_assessment.c[c] for c in _ASSESSMENT_COLUMNS),
            *(_org.c[c].label(f"org_{c}") for c in _ORGANISATION_COLUMNS),
        )
        .join(_org, _org.c.id == _assessment.c.organisation_id)
        .where(_assessment.c.id == assessment_id)
    ).first()
    if row is None:
        return None
    details = {c: row._mapping[c] for c in _ASSESSMENT_COLUMNS}
    organisation = {c: row._mapping[f"org_{c}"] for c in _ORGANISATION_COLUMNS}
    answers = dict(
        conn.execute(
            select(_answer.c.field_key, _answer.c.value_json).where(_answer.c.assessment_id == assessment_id)
        ).all()
    )
    states: dict[str, Any] = {}
    for state in conn.execute(
        select(_state.c.indicator_id, *(_state.c[c] for c in _STATE_COLUMNS)).where(
            _state.c.assessment_id == assessment_id
        )
    ):
        note, follow_up, status, points, justification, finding, checked = state[1:]
        checked = "" if checked in (None, "", "[]") else checked
        # a row that only holds a computed result says nothing the answers do not say already
        if note or follow_up or status or finding or checked:
            states[state[0]] = [
                note or "",
                bool(follow_up),
                status,
                points,
                justification or "",
                finding or "",
                checked,
            ]
    content: dict[str, Any] = {
        "version": CONTENT_VERSION,
        "assessment": details,
        "organisation": organisation,
        "answers": answers,  # the stored JSON text of each value
        "indicators": states,
    }
    # (migration 0004 computes digests before the attendance table exists)
    has_attendance = inspect(conn).has_table(_attendee.name)
    attendance = (
        []
        if not has_attendance
        else conn.execute(
            select(
                _visit_session.c.day,
                _visit_session.c.start,
                _visit_session.c.title,
                _attendee.c.name,
                _attendee.c.role,
                _attendee.c.organisation,
            )
            .join(_visit_session, _visit_session.c.id == _attendee.c.session_id)
            .where(_attendee.c.assessment_id == assessment_id)
        ).all()
    )
    if attendance:
        content["attendance"] = sorted([list(row) for row in attendance])
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
