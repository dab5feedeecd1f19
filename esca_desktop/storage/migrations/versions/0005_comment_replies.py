"""Replies to reviewers' comments: the assessor's answer and whether the comment is resolved.

Revision ID: 0005_comment_replies
Revises: 0004_signature_content
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_comment_replies"
down_revision = "0004_signature_content"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN (with a constant default): SQLite keeps the table and its rows as they are.
    op.add_column("review_comment", sa.Column("reply", sa.Text(), nullable=False, server_default=""))
    op.add_column("review_comment", sa.Column("resolved", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("review_comment", sa.Column("replied_by", sa.String(length=200), nullable=False, server_default=""))
    op.add_column("review_comment", sa.Column("replied_at", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_comment", schema=None) as batch_op:
        batch_op.drop_column("replied_at")
        batch_op.drop_column("replied_by")
        batch_op.drop_column("resolved")
        batch_op.drop_column("reply")
