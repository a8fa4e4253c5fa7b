"""Engines and transactions of the journal, built with oslo.db.

Each :class:`~glance_sync.db.repositories.Journal` owns one oslo.db
transaction context manager (so tests and tools can open several journals
on different databases in one process), configured from the ``[database]``
options or from a bare URL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from oslo_config import cfg
from oslo_db import options as db_options
from oslo_db.sqlalchemy import enginefacade
from sqlalchemy import orm

__all__ = ['Database', 'UrlOrConf']

#: What the journal's constructors accept: a database URL, or a
#: configuration with the ``[database]`` options registered.
UrlOrConf = str | cfg.ConfigOpts

#: The ``[database]`` options that are oslo.db's.
_OSLO_DB_OPTIONS = frozenset(opt.dest for opt in db_options.database_opts)

#: Milliseconds a SQLite writer waits for another one before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30000


class _Context:
    """A fresh oslo.db context per call: every call is its own transaction."""


def _settings(url_or_conf: UrlOrConf) -> dict[str, Any]:
    if isinstance(url_or_conf, str):
        return {'connection': url_or_conf}
    # Only oslo.db's own options: ``[database]`` also holds ours
    # (retention_days), which oslo.db would warn about.
    return {key: value for key, value in url_or_conf.database.items()
            if key in _OSLO_DB_OPTIONS}


def _sqlite_write_locking(engine: sa.engine.Engine) -> None:
    """Make every SQLite transaction take the write lock when it begins.

    With a deferred ``BEGIN`` (what oslo.db emits on SQLite), a
    transaction that reads and then writes fails at once with "database is
    locked" when another connection wrote meanwhile: SQLite cannot wait
    without risking a deadlock. ``BEGIN IMMEDIATE`` makes writers queue,
    up to the busy timeout, instead. Readers queue too, which costs little
    with the short transactions of the journal.
    """
    if engine.dialect.name != 'sqlite':
        return

    @sa.event.listens_for(engine, 'connect')
    def _busy_timeout(dbapi_con: Any, record: Any) -> None:
        dbapi_con.execute('PRAGMA busy_timeout = %d' % SQLITE_BUSY_TIMEOUT_MS)

    @sa.event.listens_for(engine, 'before_cursor_execute', retval=True)
    def _begin_immediate(conn: Any, cursor: Any, statement: str,
                         parameters: Any, context: Any,
                         executemany: bool) -> tuple[str, Any]:
        if statement == 'BEGIN':
            statement = 'BEGIN IMMEDIATE'
        return statement, parameters


class Database:
    """The journal's database: one oslo.db transaction context manager.

    Thread-safe: the engine and its pool are shared, every
    :meth:`writer`/:meth:`reader` block gets its own session and
    transaction.
    """

    def __init__(self, url_or_conf: UrlOrConf) -> None:
        self._manager = enginefacade.transaction_context()
        self._manager.configure(**_settings(url_or_conf))
        self._manager.append_on_engine_create(_sqlite_write_locking)

    @contextlib.contextmanager
    def writer(self) -> Iterator[orm.Session]:
        """A session in a read-write transaction, committed on success."""
        with self._manager.writer.using(_Context()) as session:
            yield session

    @contextlib.contextmanager
    def reader(self) -> Iterator[orm.Session]:
        """A session in a read-only transaction."""
        with self._manager.reader.using(_Context()) as session:
            yield session

    @property
    def engine(self) -> sa.engine.Engine:
        """The writer engine (created on first use)."""
        engine: sa.engine.Engine = self._manager.writer.get_engine()
        return engine

    def dispose(self) -> None:
        """Close the pooled connections; the object stays usable."""
        if self._manager.is_started:
            self._manager.dispose_pool()
