"""``upgrade()`` and friends on a SQLite file, from a URL or a config."""

from __future__ import annotations

import fixtures
import sqlalchemy as sa
from alembic import command
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslotest import base

from glance_sync.conf import database as database_conf
from glance_sync.db import migration
from glance_sync.db import repositories


class UpgradeTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        self.url = 'sqlite:///%s/journal.sqlite' % tmp

    def test_upgrade_creates_the_tables_once(self):
        self.assertIsNone(migration.current_revision(self.url))
        migration.upgrade(self.url)
        migration.upgrade(self.url)
        self.assertEqual(migration.head_revision(),
                         migration.current_revision(self.url))
        engine = sa.create_engine(self.url)
        self.addCleanup(engine.dispose)
        self.assertEqual({'alembic_version', 'processed_events', 'sync_tasks'},
                         set(sa.inspect(engine).get_table_names()))

    def test_in_memory_journal_upgrades_itself(self):
        journal = repositories.Journal('sqlite://')
        self.addCleanup(journal.dispose)
        journal.upgrade_schema()
        journal.upgrade_schema()
        journal.enqueue('img-1', 'RegionTwo', 'api')
        self.assertEqual(1, len(journal.claim('w1')))

    def test_upgrade_reads_the_database_options(self):
        conf = self.useFixture(config_fixture.Config(cfg.ConfigOpts())).conf
        database_conf.register_opts(conf)
        conf.set_override('connection', self.url, group='database')
        migration.upgrade(conf)
        journal = repositories.Journal(conf)
        self.addCleanup(journal.dispose)
        journal.enqueue('img-1', 'RegionTwo', 'api')
        self.assertEqual(1, len(journal.list_tasks()))


class CopyRateRevisionTest(base.BaseTestCase):
    """0004: the tasks' last copy, added and dropped on SQLite."""

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        self.url = 'sqlite:///%s/journal.sqlite' % tmp
        self.engine = sa.create_engine(self.url)
        self.addCleanup(self.engine.dispose)

    def columns(self):
        return {c['name']: c for c in
                sa.inspect(self.engine).get_columns('sync_tasks')}

    def test_upgrade_keeps_tasks_and_adds_empty_columns(self):
        migration.upgrade(self.url, '0003_scale_indexes')
        journal = repositories.Journal(self.url)
        self.addCleanup(journal.dispose)
        with self.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO sync_tasks (id, image_id, region, reason, "
                "state, attempts, recheck, created_at, updated_at) VALUES "
                "('t1', 'i1', 'R', 'api', 'done', 1, 0, '2026-01-01', "
                "'2026-01-01')"))
        migration.upgrade(self.url)
        columns = self.columns()
        for name in ('bytes', 'seconds', 'source'):
            self.assertTrue(columns[name]['nullable'], name)
        task = journal.get('t1')
        self.assertEqual((None, None, None, None),
                         (task.bytes, task.seconds, task.source, task.rate))

    def test_downgrade_drops_only_the_new_columns(self):
        migration.upgrade(self.url)
        before = set(self.columns())
        config = migration.alembic_config_for(self.url)
        self.addCleanup(config.attributes['database'].dispose)
        command.downgrade(config, '0003_scale_indexes')
        self.assertEqual(before - {'bytes', 'seconds', 'source'},
                         set(self.columns()))
        self.assertEqual('0003_scale_indexes',
                         migration.current_revision(self.url))
        migration.upgrade(self.url)
        self.assertEqual(before, set(self.columns()))
