"""clusters: the products (HS6) a cluster makes, so markets link to them rather than to every
product of its activities

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("products", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.drop_column("products")
