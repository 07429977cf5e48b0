"""targets of clusters' indicators (baseline, target, source per indicator and period)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 09:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cluster_targets",
        sa.Column("cluster_code", sa.String(length=64), nullable=False),
        sa.Column("indicator", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=64), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("baseline_period", sa.String(length=64), nullable=True),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("version", sa.BigInteger(), server_default=sa.text("1"), nullable=False),
        sa.PrimaryKeyConstraint("cluster_code", "indicator", "period"),
    )


def downgrade() -> None:
    op.drop_table("cluster_targets")
