"""Answer drafts: text typed into a field that is not yet a valid answer, kept so nothing is lost.

Revision ID: 0008_answer_drafts
Revises: 0005_comment_replies
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_answer_drafts"
down_revision = "0005_comment_replies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_draft",
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("field_key", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("typed_by", sa.String(length=200), nullable=False),
        sa.Column("typed_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_answer_draft_assessment_id_assessment")
        ),
        sa.PrimaryKeyConstraint("assessment_id", "field_key", name=op.f("pk_answer_draft")),
    )


def downgrade() -> None:
    op.drop_table("answer_draft")
