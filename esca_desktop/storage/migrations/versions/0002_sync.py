"""Sync: the outbox of finalised revisions, reviewers' comments, benchmark statistics, sync state.

Revision ID: 0002_sync
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_sync"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.String(length=40), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("fatal", sa.Boolean(), nullable=False),
        sa.Column("queued_at", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], name=op.f("fk_outbox_assessment_id_assessment")),
        sa.PrimaryKeyConstraint("assessment_id", "revision", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_state"), ["state"], unique=False)

    op.create_table(
        "review_comment",
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.String(length=50), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_review_comment_assessment_id_assessment")
        ),
        sa.PrimaryKeyConstraint("assessment_id", "revision", "indicator_id", name=op.f("pk_review_comment")),
    )
    op.create_table(
        "benchmark_stat",
        sa.Column("field_key", sa.String(length=200), nullable=False),
        sa.Column("group_key", sa.String(length=120), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("minimum", sa.Float(), nullable=False),
        sa.Column("q1", sa.Float(), nullable=False),
        sa.Column("median", sa.Float(), nullable=False),
        sa.Column("q3", sa.Float(), nullable=False),
        sa.Column("maximum", sa.Float(), nullable=False),
        sa.Column("fetched_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("field_key", "group_key", name=op.f("pk_benchmark_stat")),
    )
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("server_url", sa.String(length=500), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("review_cursor", sa.Integer(), nullable=False),
        sa.Column("last_sync_at", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )


def downgrade() -> None:
    op.drop_table("sync_state")
    op.drop_table("benchmark_stat")
    op.drop_table("review_comment")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_state"))

    op.drop_table("outbox")
