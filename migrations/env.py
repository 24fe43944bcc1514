"""Alembic environment: the tracker's metadata, batch mode on SQLite, the URL from the tracker's settings."""

from __future__ import annotations

from alembic import context

import tracker.models  # noqa: F401  (registers every table on Base.metadata)
from tracker.config import load_settings
from tracker.db import Base, make_engine

config = context.config
url = config.attributes.get("database_url") or load_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url, foreign_keys=False)  # see make_engine: batch mode must not cascade
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
