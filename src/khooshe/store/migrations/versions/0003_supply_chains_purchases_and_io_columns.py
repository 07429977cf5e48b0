"""supply chains: purchases of large buyers; io_sectors compensation, household consumption,
imports, scope and year

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "purchases",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("buyer_id", sa.String(length=64), nullable=False),
        sa.Column("input_isic", sa.String(length=64), nullable=False),
        sa.Column("input_hs6", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("value_rials", sa.BigInteger(), nullable=False),
        sa.Column("weight_t", sa.Float(), nullable=True),
        sa.Column("year", sa.BigInteger(), nullable=True),
        sa.Column("supplier_region", sa.String(length=64), nullable=True),
        sa.Column("supplier_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("io_sectors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("compensation_rials", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("household_consumption_rials", sa.BigInteger(),
                                      nullable=True))
        batch_op.add_column(sa.Column("imports_rials", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("scope", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("year", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("io_sectors", schema=None) as batch_op:
        for col in ("year", "scope", "imports_rials", "household_consumption_rials",
                    "compensation_rials"):
            batch_op.drop_column(col)
    op.drop_table("purchases")
