"""web app: users, API tokens and a version on every record (optimistic locking)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KINDS = ("regions", "parks", "establishments", "countries", "products", "trade_flows",
         "resources", "io_sectors", "io_flows", "purchases", "clusters", "cluster_members",
         "cluster_activities", "cluster_indicators", "funds", "fund_allocations")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("province_code", sa.String(length=64), nullable=True),
        sa.Column("county_code", sa.String(length=64), nullable=True),
        sa.Column("clusters", sa.Text(), nullable=True),
        sa.Column("active", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_hash"),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_api_tokens_user", ["user_id"], unique=False)
    for kind in KINDS:
        with op.batch_alter_table(kind, schema=None) as batch_op:
            batch_op.add_column(sa.Column("version", sa.BigInteger(),
                                          server_default=sa.text("1"), nullable=False))


def downgrade() -> None:
    for kind in KINDS:
        with op.batch_alter_table(kind, schema=None) as batch_op:
            batch_op.drop_column("version")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_api_tokens_user")
    op.drop_table("api_tokens")
    op.drop_table("users")
