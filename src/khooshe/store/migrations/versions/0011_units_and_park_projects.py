"""progress reports of half-finished units being completed, and the civil projects of
industrial parks (contractor, planned dates, progress)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 09:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _version() -> sa.Column:
    return sa.Column("version", sa.BigInteger(), server_default=sa.text("1"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "unit_progress",
        sa.Column("establishment_id", sa.String(length=64), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("progress", sa.Float(), nullable=True),
        sa.Column("jobs_realised", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _version(),
        sa.PrimaryKeyConstraint("establishment_id", "reported_on"),
    )
    op.create_table(
        "park_projects",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("park_code", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("contractor", sa.Text(), nullable=True),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_end", sa.Date(), nullable=True),
        sa.Column("actual_progress", sa.Float(), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _version(),
        sa.PrimaryKeyConstraint("project_id"),
    )


def downgrade() -> None:
    op.drop_table("park_projects")
    op.drop_table("unit_progress")
