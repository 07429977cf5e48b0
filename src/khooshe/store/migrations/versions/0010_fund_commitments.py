"""commitments and disbursements of funds to clusters, units and park projects, with the jobs
expected and realised

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 09:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fund_commitments",
        sa.Column("commitment_id", sa.String(length=64), nullable=False),
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("year", sa.BigInteger(), nullable=False),
        sa.Column("region_code", sa.String(length=64), nullable=False),
        sa.Column("recipient_kind", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("committed_rials", sa.BigInteger(), nullable=False),
        sa.Column("committed_on", sa.Date(), nullable=True),
        sa.Column("disbursed_rials", sa.BigInteger(), nullable=True),
        sa.Column("disbursed_on", sa.Date(), nullable=True),
        sa.Column("jobs_expected", sa.BigInteger(), nullable=True),
        sa.Column("jobs_realised", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.BigInteger(), server_default=sa.text("1"), nullable=False),
        sa.PrimaryKeyConstraint("commitment_id"),
    )


def downgrade() -> None:
    op.drop_table("fund_commitments")
