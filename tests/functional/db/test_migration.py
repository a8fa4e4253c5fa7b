"""Walk the journal's migrations on SQLite, MariaDB and PostgreSQL.

Like designate's ``test_migration``: every revision is applied in turn
(with a ``_check_<revision>`` hook when one is defined), then oslo.db's
``ModelsMigrationsSync`` checks that the migrated schema is exactly what
the models describe.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic import script as alembic_script
from oslo_db.sqlalchemy import test_migrations
from oslotest import base

from glance_sync.db import migration
from glance_sync.db import models
from tests.functional.db import fixtures as db_fixtures
from tests.unit.db import test_repositories as cases


class MigrationCases(test_migrations.ModelsMigrationsSync, cases.MixinBase):
    BACKEND = ''

    def setUp(self) -> None:
        super().setUp()
        self.url = db_fixtures.database_url(self, self.BACKEND)
        self.engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        self.addCleanup(self.engine.dispose)

    # ModelsMigrationsSync's hooks.
    def get_engine(self) -> sa.engine.Engine:
        return self.engine

    def get_metadata(self) -> sa.MetaData:
        return models.Base.metadata

    def db_sync(self, engine: sa.engine.Engine) -> None:
        migration.upgrade(self.url)

    def test_walk_versions(self):
        config = migration.alembic_config_for(self.url)
        config.attributes['database'].dispose()
        scripts = alembic_script.ScriptDirectory.from_config(config)
        revisions = [s.revision for s in scripts.walk_revisions()][::-1]
        self.assertIsNone(migration.current_revision(self.url))
        for revision in revisions:
            migration.upgrade(self.url, revision)
            self.assertEqual(revision, migration.current_revision(self.url))
            check = getattr(self, '_check_%s' % revision, None)
            if check:
                check()
        self.assertEqual(migration.head_revision(), revisions[-1])
        migration.upgrade(self.url)  # up to date: a no-op
        self.assertEqual(revisions[-1], migration.current_revision(self.url))

    def _check_0001_initial_journal(self) -> None:
        inspector = sa.inspect(self.engine)
        self.assertEqual({'alembic_version', 'processed_events', 'sync_tasks'},
                         set(inspector.get_table_names()))
        unique = inspector.get_unique_constraints('sync_tasks')
        self.assertEqual([['image_id', 'region']],
                         [u['column_names'] for u in unique])
        checks = inspector.get_check_constraints('sync_tasks')
        self.assertIn('ck_sync_tasks_state', [c['name'] for c in checks])
        self._assert_state_is_checked()

    def _check_0004_copy_rate(self) -> None:
        columns = {c['name']: c for c in
                   sa.inspect(self.engine).get_columns('sync_tasks')}
        for name in ('bytes', 'seconds', 'source'):
            self.assertTrue(columns[name]['nullable'], name)
        # A copy of 10 GiB needs more than a 32-bit integer.
        big = 10 * 1024 ** 3
        with self.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO sync_tasks (id, image_id, region, reason, "
                "state, attempts, recheck, created_at, updated_at, bytes, "
                "seconds, source) VALUES ('t4', 'i4', 'R', 'api', 'done', 1, "
                ":false, :now, :now, :bytes, 2.5, 'RegionOne')"),
                {'false': False, 'now': '2026-01-01 00:00:00',
                 'bytes': big})
            row = conn.execute(sa.text(
                "SELECT bytes, seconds, source FROM sync_tasks WHERE "
                "id = 't4'")).one()
            conn.execute(sa.text("DELETE FROM sync_tasks WHERE id = 't4'"))
        self.assertEqual((big, 2.5, 'RegionOne'), tuple(row))

    def test_copy_rate_downgrades_and_upgrades_again(self):
        migration.upgrade(self.url)
        columns = self._task_columns()
        config = migration.alembic_config_for(self.url)
        self.addCleanup(config.attributes['database'].dispose)
        command.downgrade(config, '0003_scale_indexes')
        self.assertEqual('0003_scale_indexes',
                         migration.current_revision(self.url))
        self.assertEqual(columns - {'bytes', 'seconds', 'source'},
                         self._task_columns())
        migration.upgrade(self.url)
        self.assertEqual(columns, self._task_columns())
        self._check_0004_copy_rate()

    def _task_columns(self) -> set[str]:
        return {c['name'] for c in
                sa.inspect(self.engine).get_columns('sync_tasks')}

    def _assert_state_is_checked(self) -> None:
        insert = sa.text(
            "INSERT INTO sync_tasks (id, image_id, region, reason, state, "
            "attempts, recheck, created_at, updated_at) VALUES ('t1', 'i1', "
            "'R', 'api', :state, 0, :false, :now, :now)")
        with self.engine.connect() as conn:
            params = {'false': False, 'now': '2026-01-01 00:00:00'}
            # MariaDB reports a failed CHECK as an OperationalError.
            self.assertRaises(sa.exc.DBAPIError, conn.execute, insert,
                              dict(params, state='sleeping'))
            conn.rollback()


class SQLiteMigrationTest(MigrationCases, base.BaseTestCase):
    BACKEND = 'sqlite'


class MySQLMigrationTest(MigrationCases, base.BaseTestCase):
    BACKEND = 'mysql'


class PostgreSQLMigrationTest(MigrationCases, base.BaseTestCase):
    BACKEND = 'postgresql'
