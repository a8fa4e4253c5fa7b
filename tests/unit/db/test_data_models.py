"""The journal's records and the ``[database]`` options."""

from __future__ import annotations

from oslo_config import cfg
from oslotest import base

from glance_sync.conf import database as database_conf
from glance_sync.db import data_models as dm
from glance_sync.db import exceptions


class StatesTest(base.BaseTestCase):

    def test_state_groups_cover_every_state_once(self):
        self.assertEqual(set(dm.TaskState),
                         dm.ACTIVE_STATES | dm.FINISHED_STATES)
        self.assertFalse(dm.ACTIVE_STATES & dm.FINISHED_STATES)

    def test_states_print_as_their_value(self):
        self.assertEqual('retrying', str(dm.TaskState.RETRYING))
        self.assertEqual('recheck', '%s' % dm.EnqueueOutcome.RECHECK)

    def test_conflict_names_the_task(self):
        error = exceptions.TaskStateConflict('t-1', 'img-1', 'other:R4',
                                             dm.TaskState.RUNNING, 'retry')
        self.assertEqual('cannot retry sync task t-1 (image img-1, region '
                         'other:R4): it is running', str(error))


class RateTest(base.BaseTestCase):

    def test_bytes_per_second(self):
        self.assertEqual(2500.0, dm.rate(10000, 4.0))
        self.assertEqual(0.0, dm.rate(0, 1.0))  # a zero-copy location
        self.assertEqual(250.0, dm.CopyRecord(1000, 4.0, 'RegionOne').rate)

    def test_unknown_without_a_copy_or_a_duration(self):
        self.assertIsNone(dm.rate(None, None))
        self.assertIsNone(dm.rate(1000, None))
        self.assertIsNone(dm.rate(1000, 0.0))


class DatabaseOptionsTest(base.BaseTestCase):

    def test_default_connection_is_sqlite(self):
        conf = cfg.ConfigOpts()
        database_conf.register_opts(conf)
        database_conf.register_opts(conf)
        conf([])
        self.assertTrue(conf.database.connection.startswith('sqlite:'))

    def test_list_opts_shows_the_default(self):
        [(group, opts)] = database_conf.list_opts()
        self.assertEqual('database', group)
        connection = next(o for o in opts if o.dest == 'connection')
        self.assertEqual(database_conf.DEFAULT_CONNECTION, connection.default)
        self.assertTrue(connection.secret)
