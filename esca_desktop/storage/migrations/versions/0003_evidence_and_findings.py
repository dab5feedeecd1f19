"""Per indicator: the finding written for the report (apart from the internal note) and the items of
the evidence checklist ticked as seen.

Revision ID: 0003_evidence_and_findings
Revises: 0002_sync
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_evidence_and_findings"
down_revision = "0002_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicator_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("finding", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("evidence_checked", sa.Text(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("indicator_state", schema=None) as batch_op:
        batch_op.drop_column("evidence_checked")
        batch_op.drop_column("finding")
