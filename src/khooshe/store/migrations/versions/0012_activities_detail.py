"""activities in detail: a course's hours and trainees, the members' co-finance, the country
and place; the members taking part in each activity; the checks of foreign partners

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 09:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _version() -> sa.Column:
    return sa.Column("version", sa.BigInteger(), server_default=sa.text("1"), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("cluster_activities") as batch:
        batch.add_column(sa.Column("hours", sa.Float(), nullable=True))
        batch.add_column(sa.Column("trainees", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("cofinance_rials", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("country", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("place", sa.Text(), nullable=True))
    op.create_table(
        "activity_participants",
        sa.Column("cluster_code", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("people", sa.BigInteger(), nullable=True),
        _version(),
        sa.PrimaryKeyConstraint("cluster_code", "activity_id", "member_id"),
    )
    op.create_table(
        "partner_verifications",
        sa.Column("cluster_code", sa.String(length=64), nullable=False),
        sa.Column("verification_id", sa.String(length=64), nullable=False),
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=64), nullable=False),
        sa.Column("verified", sa.Text(), nullable=False),
        sa.Column("verified_by", sa.Text(), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _version(),
        sa.PrimaryKeyConstraint("cluster_code", "verification_id"),
    )


def downgrade() -> None:
    op.drop_table("partner_verifications")
    op.drop_table("activity_participants")
    with op.batch_alter_table("cluster_activities") as batch:
        for name in ("place", "country", "cofinance_rials", "trainees", "hours"):
            batch.drop_column(name)
