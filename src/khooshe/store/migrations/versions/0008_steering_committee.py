"""the provincial steering committee: its meetings (date, chair, attendees, clusters reviewed)
and its decisions (responsible organisation, due date, status)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 09:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _version() -> sa.Column:
    return sa.Column("version", sa.BigInteger(), server_default=sa.text("1"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "committee_meetings",
        sa.Column("meeting_id", sa.String(length=64), nullable=False),
        sa.Column("province_code", sa.String(length=64), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("chair", sa.Text(), nullable=True),
        sa.Column("attendees", sa.Text(), nullable=True),
        sa.Column("clusters", sa.Text(), nullable=True),
        sa.Column("agenda", sa.Text(), nullable=True),
        sa.Column("minutes_ref", sa.Text(), nullable=True),
        _version(),
        sa.PrimaryKeyConstraint("meeting_id"),
    )
    op.create_table(
        "committee_decisions",
        sa.Column("meeting_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("province_code", sa.String(length=64), nullable=False),
        sa.Column("cluster_code", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("responsible", sa.Text(), nullable=False),
        sa.Column("responsible_norm", sa.Text(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("follow_up", sa.Text(), nullable=True),
        _version(),
        sa.PrimaryKeyConstraint("meeting_id", "number"),
    )


def downgrade() -> None:
    op.drop_table("committee_decisions")
    op.drop_table("committee_meetings")
