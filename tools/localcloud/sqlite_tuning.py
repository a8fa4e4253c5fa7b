"""Make SQLite safe for a multi-threaded Keystone or glance-api.

oslo.db opens one SQLite connection per session and starts transactions
with a plain (deferred) ``BEGIN``. Two threads that both read, then write
(keystone records ``last_active_at`` on every password authentication,
glance reads an image before saving it) deadlock on the lock upgrade, and
SQLite answers the loser at once with "database is locked" instead of
waiting. Starting every transaction with ``BEGIN IMMEDIATE`` takes the
write lock up front, so threads queue on SQLite's busy timeout instead.
Transactions are short; a test cloud loses nothing measurable.

Call :func:`install` before the service creates its engine.
"""

from typing import Any

import sqlalchemy
from sqlalchemy import engine as sa_engine

BUSY_TIMEOUT_MS = 60000


def _on_connect(dbapi_con: Any, _record: Any) -> None:
    if type(dbapi_con).__module__.startswith('sqlite3'):
        dbapi_con.execute('PRAGMA busy_timeout = %d' % BUSY_TIMEOUT_MS)


def _on_begin(conn: Any) -> None:
    # oslo.db's own listener emits ``BEGIN`` unless this marker is set;
    # class-level listeners run before the engine's own.
    if conn.dialect.name == 'sqlite' and 'in_transaction' not in conn.info:
        conn.exec_driver_sql('BEGIN IMMEDIATE')
        conn.info['in_transaction'] = True


def install() -> None:
    """Register the listeners on every SQLAlchemy engine of this process."""
    if not sqlalchemy.event.contains(sa_engine.Engine, 'begin', _on_begin):
        sqlalchemy.event.listen(sa_engine.Engine, 'connect', _on_connect)
        sqlalchemy.event.listen(sa_engine.Engine, 'begin', _on_begin)
