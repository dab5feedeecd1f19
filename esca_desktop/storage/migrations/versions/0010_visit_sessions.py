"""The visit: interview sessions with their attendees, quick notes, and the time spent per area.

Revision ID: 0010_visit_sessions
Revises: 0009_assessment_archive
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_visit_sessions"
down_revision = "0009_assessment_archive"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visit_session",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("start", sa.String(length=5), nullable=False),
        sa.Column("end", sa.String(length=5), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("areas", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_visit_session_assessment_id_assessment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_session")),
    )
    op.create_index(op.f("ix_visit_session_assessment_id"), "visit_session", ["assessment_id"])
    op.create_table(
        "visit_attendee",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.Column("present_from", sa.String(length=5), nullable=False),
        sa.Column("present_to", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["visit_session.id"], name=op.f("fk_visit_attendee_session_id_visit_session")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_visit_attendee_assessment_id_assessment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_attendee")),
    )
    op.create_index(op.f("ix_visit_attendee_session_id"), "visit_attendee", ["session_id"])
    op.create_index(op.f("ix_visit_attendee_assessment_id"), "visit_attendee", ["assessment_id"])
    op.create_table(
        "visit_note",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_visit_note_assessment_id_assessment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_note")),
    )
    op.create_index(op.f("ix_visit_note_assessment_id"), "visit_note", ["assessment_id"])
    op.create_table(
        "area_time",
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("area_id", sa.String(length=50), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_area_time_assessment_id_assessment")
        ),
        sa.PrimaryKeyConstraint("assessment_id", "area_id", name=op.f("pk_area_time")),
    )


def downgrade() -> None:
    op.drop_table("area_time")
    op.drop_index(op.f("ix_visit_note_assessment_id"), table_name="visit_note")
    op.drop_table("visit_note")
    op.drop_index(op.f("ix_visit_attendee_assessment_id"), table_name="visit_attendee")
    op.drop_index(op.f("ix_visit_attendee_session_id"), table_name="visit_attendee")
    op.drop_table("visit_attendee")
    op.drop_index(op.f("ix_visit_session_assessment_id"), table_name="visit_session")
    op.drop_table("visit_session")
