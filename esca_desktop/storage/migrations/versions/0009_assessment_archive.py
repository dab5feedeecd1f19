"""Archived assessments (hidden from the list, read-only until unarchived) and the record of deleted ones.

A deleted assessment's rows are removed, but its audit trail stays (the table is append-only): the
tombstone keeps what it was and the head of its chain, so that the trail can still be verified.

Revision ID: 0009_assessment_archive
Revises: 0008_answer_drafts
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_assessment_archive"
down_revision = "0008_answer_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assessment", sa.Column("archived_at", sa.String(length=40), nullable=True))
    op.create_table(
        "deleted_assessment",
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("scheme", sa.String(length=20), nullable=False),
        sa.Column("catalog", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.String(length=40), nullable=False),
        sa.Column("deleted_by", sa.String(length=200), nullable=False),
        sa.Column("audit_head", sa.String(length=64), nullable=False),
        sa.Column("audit_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_deleted_assessment")),
    )


def downgrade() -> None:
    op.drop_table("deleted_assessment")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
