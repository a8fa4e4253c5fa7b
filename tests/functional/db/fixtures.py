"""Throw-away databases on the machine's real servers.

:func:`database_url` gives a test a uniquely named database (``gs_test_…``,
made by :class:`DatabaseFixture`) dropped at cleanup, even when the test
fails. The servers are found
through these variables (defaults in brackets)::

    GLANCE_SYNC_TEST_MYSQL_URL
        [mysql+pymysql://root@127.0.0.1:3306/]
    GLANCE_SYNC_TEST_POSTGRESQL_URL
        [postgresql+psycopg2://postgres@127.0.0.1:5432/postgres]

An unreachable server skips the test with the reason, except under
``CI=true``, where it fails it.
"""

from __future__ import annotations

import os
import uuid

import fixtures
import sqlalchemy as sa
import testtools

__all__ = ['BACKENDS', 'DatabaseFixture', 'ci', 'database_url']

BACKENDS = ('sqlite', 'mysql', 'postgresql')

_ADMIN_URLS = {
    'mysql': ('GLANCE_SYNC_TEST_MYSQL_URL',
              'mysql+pymysql://root@127.0.0.1:3306/'),
    'postgresql': ('GLANCE_SYNC_TEST_POSTGRESQL_URL',
                   'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres'),
}


def ci() -> bool:
    """True when running in CI, where a missing service is a failure."""
    return os.environ.get('CI', '').lower() == 'true'


def admin_url(backend: str) -> sa.engine.URL:
    """The URL of ``backend``'s server, for creating databases."""
    variable, default = _ADMIN_URLS[backend]
    return sa.engine.make_url(os.environ.get(variable) or default)


def _admin_engine(backend: str) -> sa.engine.Engine:
    return sa.create_engine(admin_url(backend), isolation_level='AUTOCOMMIT',
                            poolclass=sa.pool.NullPool)


def unreachable(backend: str) -> str | None:
    """Why ``backend``'s server cannot be used, or None when it can."""
    if backend == 'sqlite':
        return None
    try:
        with _admin_engine(backend).connect():
            return None
    except sa.exc.OperationalError as exc:
        return '%s server at %s is not reachable: %s' % (
            backend, admin_url(backend).render_as_string(hide_password=True),
            exc.orig)


def database_url(test: testtools.TestCase, backend: str) -> str:
    """A fresh database on ``backend`` for ``test``, dropped afterwards.

    Skips ``test`` when the server does not answer; fails it under CI.
    """
    problem = unreachable(backend)
    if problem and ci():
        test.fail(problem + ' (CI=true: this is a failure)')
    if problem:
        test.skipTest(problem)
    return test.useFixture(DatabaseFixture(backend)).url


class DatabaseFixture(fixtures.Fixture):
    """A fresh, empty database on ``backend``; ``self.url`` reaches it.

    SQLite databases are files in a temporary directory, so that several
    engines (several "daemons") can share one.
    """

    def __init__(self, backend: str) -> None:
        super().__init__()
        self.backend = backend
        self.name = 'gs_test_%s' % uuid.uuid4().hex[:16]
        self.url = ''

    def _setUp(self) -> None:
        if self.backend == 'sqlite':
            tmp = self.useFixture(fixtures.TempDir()).path
            self.url = 'sqlite:///%s/%s.sqlite' % (tmp, self.name)
            return
        with _admin_engine(self.backend).connect() as conn:
            conn.exec_driver_sql(self._create_sql())
        self.addCleanup(self._drop)
        url = admin_url(self.backend).set(database=self.name)
        if self.backend == 'mysql':
            url = url.update_query_dict({'charset': 'utf8mb4'})
        self.url = url.render_as_string(hide_password=False)

    def _create_sql(self) -> str:
        if self.backend == 'mysql':
            return 'CREATE DATABASE %s CHARACTER SET utf8mb4' % self.name
        return 'CREATE DATABASE %s' % self.name

    def _drop(self) -> None:
        force = ' WITH (FORCE)' if self.backend == 'postgresql' else ''
        with _admin_engine(self.backend).connect() as conn:
            conn.exec_driver_sql('DROP DATABASE IF EXISTS %s%s'
                                 % (self.name, force))
