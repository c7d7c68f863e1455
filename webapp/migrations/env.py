"""Alembic's environment: the schema is the models' metadata; the connection is handed in
by webapp.schema (which runs the migrations from the app and from the commands)."""

from alembic import context
from sqlmodel import SQLModel

from webapp import models  # noqa: F401  (registers the tables)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
