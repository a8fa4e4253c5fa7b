"""``upgrade()`` and friends on a SQLite file, from a URL or a config."""

from __future__ import annotations

import fixtures
import sqlalchemy as sa
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
