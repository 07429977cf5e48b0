"""the cluster programme: each cluster's stages (approvals) and its documents (evidence);
today's single stage of each cluster becomes the first entry of its stage history

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 07:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _version() -> sa.Column:
    return sa.Column("version", sa.BigInteger(), server_default=sa.text("1"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "cluster_stages",
        sa.Column("cluster_code", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("approved_by", sa.Text(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _version(),
        sa.PrimaryKeyConstraint("cluster_code", "stage"),
    )
    op.create_table(
        "cluster_documents",
        sa.Column("cluster_code", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("dated", sa.Date(), nullable=True),
        sa.Column("reference", sa.Text(), nullable=True),
        _version(),
        sa.PrimaryKeyConstraint("cluster_code", "document_id"),
    )
    # the stage each cluster is at today: the first entry of its history, dated by its start
    op.execute(sa.text(
        "INSERT INTO cluster_stages (cluster_code, stage, approved_on, note) "
        "SELECT code, stage, start_date, 'stage recorded before the history was kept' "
        "FROM clusters"))


def downgrade() -> None:
    op.drop_table("cluster_documents")
    op.drop_table("cluster_stages")
