"""Alembic environment: runs on the connection khooshe hands over (see store.workspace)."""

from alembic import context

from khooshe.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
