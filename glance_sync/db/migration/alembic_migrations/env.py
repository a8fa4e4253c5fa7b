"""alembic environment: migrations run online, on our oslo.db engine.

:func:`glance_sync.db.migration.upgrade` passes its
:class:`~glance_sync.db.api.Database` in ``config.attributes['database']``;
the alembic command line uses ``sqlalchemy.url`` from ``alembic.ini``.
"""

from __future__ import annotations

from alembic import context

from glance_sync.db import api as db_api
from glance_sync.db import models

config = context.config


def _database() -> db_api.Database:
    database: db_api.Database | None = config.attributes.get('database')
    if database is None:
        url = config.get_main_option('sqlalchemy.url')
        if not url:
            raise SystemExit('alembic.ini sets no sqlalchemy.url')
        database = db_api.Database(url)
    return database


def run_migrations_online() -> None:
    """Run the migrations in one transaction on one connection."""
    with _database().engine.begin() as connection:
        context.configure(connection=connection,
                          target_metadata=models.Base.metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit('glance-sync migrations run online only')
run_migrations_online()
