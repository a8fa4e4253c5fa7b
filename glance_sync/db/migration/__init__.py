"""Schema migrations of the journal (alembic), and the ``db sync`` verb.

``glance-sync-manage db sync`` wraps :func:`upgrade`. The revisions live in
``alembic_migrations/versions``; to write a new one from a source tree::

    alembic -c glance_sync/db/migration/alembic.ini revision -m "what"

A revision may add; it must not make an older daemon fail while it still
runs (add nullable columns, or columns with a server default).
"""

from __future__ import annotations

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script

from glance_sync.db import api as db_api

__all__ = ['alembic_config_for', 'current_revision', 'head_revision',
           'upgrade', 'upgrade_database']

SCRIPT_LOCATION = 'glance_sync.db.migration:alembic_migrations'


def alembic_config_for(url_or_conf: db_api.UrlOrConf
                       ) -> alembic_config.Config:
    """An alembic configuration for the database of ``url_or_conf``.

    The migrations then run on one of our oslo.db engines, with the same
    connection settings as the daemon.
    """
    config = alembic_config.Config()
    config.set_main_option('script_location', SCRIPT_LOCATION)
    config.attributes['database'] = db_api.Database(url_or_conf)
    return config


def upgrade(url_or_conf: db_api.UrlOrConf, revision: str = 'head') -> None:
    """Bring the journal's schema to ``revision`` (the latest by default).

    Idempotent: an up-to-date schema is left alone; an empty database
    gets every table. Runs in one transaction where the backend has
    transactional DDL (PostgreSQL, SQLite).

    :param url_or_conf: a database URL, or a configuration with the
        ``[database]`` options registered.
    """
    database = db_api.Database(url_or_conf)
    try:
        upgrade_database(database, revision)
    finally:
        database.dispose()


def upgrade_database(database: db_api.Database,
                     revision: str = 'head') -> None:
    """:func:`upgrade` on an open database (e.g. a journal's own engine).

    This is how an in-memory SQLite journal (``sqlite://``, one
    connection) gets its tables; ``database`` stays open.
    """
    config = alembic_config.Config()
    config.set_main_option('script_location', SCRIPT_LOCATION)
    config.attributes['database'] = database
    command.upgrade(config, revision)


def current_revision(url_or_conf: db_api.UrlOrConf) -> str | None:
    """The revision the database is at; None before the first upgrade."""
    database = db_api.Database(url_or_conf)
    try:
        with database.engine.connect() as conn:
            context = alembic_migration.MigrationContext.configure(conn)
            return context.get_current_revision()
    finally:
        database.dispose()


def head_revision() -> str:
    """The latest revision shipped with this code."""
    config = alembic_config.Config()
    config.set_main_option('script_location', SCRIPT_LOCATION)
    scripts = alembic_script.ScriptDirectory.from_config(config)
    head = scripts.get_current_head()
    assert head is not None, 'no migration revision is shipped'
    return head
