"""Drawn signatures record the digest of the content they sign.

A signature stored before this revision is given the digest of the current content only when the
audit trail shows no change to the content after it was drawn; otherwise it stays without one, which
never counts as valid (it was drawn under content that has changed since, e.g. an earlier revision).

Revision ID: 0004_signature_content
Revises: 0003_evidence_and_findings
"""

import json

import sqlalchemy as sa
from alembic import op

from esca_desktop.storage.signed_content import signable_content_hash

revision = "0004_signature_content"
down_revision = "0003_evidence_and_findings"
branch_labels = None
depends_on = None

# the audited edits that change what a signature signs (see AssessmentRepository)
_CONTENT_ACTIONS = ("answer", "load", "undo", "redo", "note", "follow_up", "override", "summary")


def _changed_after_signing(conn: sa.Connection, assessment_id: str, role: str) -> bool:
    entries = conn.execute(
        sa.text("SELECT action, target, old_json, new_json FROM audit_entry WHERE assessment_id = :a ORDER BY seq"),
        {"a": assessment_id},
    ).all()
    signed = [n for n, e in enumerate(entries) if e.action == "drawn_signature" and e.target == role]
    if not signed:
        return True  # no record of when it was drawn: not known to be valid
    for entry in entries[signed[-1] + 1 :]:
        if entry.action in _CONTENT_ACTIONS:
            return True
        if entry.action == "status" and (
            json.loads(entry.old_json).get("revision") != json.loads(entry.new_json).get("revision")
        ):
            return True
    return False


def upgrade() -> None:
    with op.batch_alter_table("drawn_signature", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, assessment_id, role FROM drawn_signature")).all()
    for row in rows:
        if _changed_after_signing(conn, row.assessment_id, row.role):
            continue
        conn.execute(
            sa.text("UPDATE drawn_signature SET content_hash = :h WHERE id = :i"),
            {"h": signable_content_hash(conn, row.assessment_id), "i": row.id},
        )


def downgrade() -> None:
    with op.batch_alter_table("drawn_signature", schema=None) as batch_op:
        batch_op.drop_column("content_hash")
