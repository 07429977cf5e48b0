"""the stored trade flows summed over importers by (year, exporter, hs6), kept by the store so
the market analysis reads a BACI year back without summing ten million flows (issue 15)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trade_totals",
        sa.Column("year", sa.BigInteger(), nullable=False),
        sa.Column("exporter", sa.String(length=64), nullable=False),
        sa.Column("hs6", sa.String(length=64), nullable=False),
        sa.Column("value_usd", sa.Float(), nullable=False),
        sa.Column("quantity_t", sa.Float(), nullable=False),
        sa.Column("value_q_usd", sa.Float(), nullable=False),
        sa.Column("flows", sa.BigInteger(), nullable=False),
        sa.Column("with_quantity", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("year", "exporter", "hs6"),
    )
    # The sums of the flows already stored, as the store keeps them from now on. Written
    # here in SQL rather than by khooshe.store.trade, so that this revision stays what it is
    # when that module changes.
    op.execute(
        "INSERT INTO trade_totals (year, exporter, hs6, value_usd, quantity_t, value_q_usd, "
        "flows, with_quantity) "
        "SELECT year, exporter, hs6, sum(value_usd), sum(coalesce(quantity_t, 0.0)), "
        "sum(CASE WHEN quantity_t IS NOT NULL THEN value_usd ELSE 0.0 END), count(*), "
        "count(quantity_t) FROM trade_flows GROUP BY year, exporter, hs6"
    )


def downgrade() -> None:
    op.drop_table("trade_totals")
