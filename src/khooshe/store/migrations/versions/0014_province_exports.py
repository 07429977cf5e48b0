"""the province's exports by year, by value and weight, with the part made in the province
(seed R16)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 14:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _version() -> sa.Column:
    return sa.Column("version", sa.BigInteger(), server_default=sa.text("1"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "province_exports",
        sa.Column("province_code", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=64), nullable=False),
        sa.Column("exports_usd", sa.Float(), nullable=False),
        sa.Column("exports_t", sa.Float(), nullable=True),
        sa.Column("in_province_usd", sa.Float(), nullable=True),
        sa.Column("in_province_t", sa.Float(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        _version(),
        sa.PrimaryKeyConstraint("province_code", "period"),
    )


def downgrade() -> None:
    op.drop_table("province_exports")
