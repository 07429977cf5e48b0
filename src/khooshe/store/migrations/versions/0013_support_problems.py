"""the problems organisations report in supporting clusters (seed R18): who reported what,
the support needed and from whom, and whether the steering committee took it up or it was
resolved

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 13:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _version() -> sa.Column:
    return sa.Column("version", sa.BigInteger(), server_default=sa.text("1"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "support_problems",
        sa.Column("problem_id", sa.String(length=64), nullable=False),
        sa.Column("province_code", sa.String(length=64), nullable=False),
        sa.Column("organisation", sa.Text(), nullable=False),
        sa.Column("organisation_norm", sa.Text(), nullable=True),
        sa.Column("cluster_code", sa.String(length=64), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("support_needed", sa.Text(), nullable=True),
        sa.Column("asked_of", sa.Text(), nullable=True),
        sa.Column("asked_of_norm", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("meeting_id", sa.String(length=64), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _version(),
        sa.PrimaryKeyConstraint("problem_id"),
    )


def downgrade() -> None:
    op.drop_table("support_problems")
