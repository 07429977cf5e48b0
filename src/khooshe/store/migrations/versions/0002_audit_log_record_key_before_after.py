"""audit log: the changed record's key and its values before and after

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_key", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("before", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("after", sa.Text(), nullable=True))
        batch_op.create_index("ix_audit_log_record", ["kind", "record_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_record")
        batch_op.drop_column("after")
        batch_op.drop_column("before")
        batch_op.drop_column("record_key")
