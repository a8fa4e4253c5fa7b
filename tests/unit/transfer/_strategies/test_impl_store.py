"""``store``: one read from the master's backend, else the API."""

import os

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslotest import base as test_base

from glance_sync.conf import transfer as transfer_conf
from glance_sync.transfer import TransferStats
from glance_sync.transfer import capabilities
from glance_sync.transfer._strategies import impl_store
from tests.unit.transfer import fakes


class StoreTest(fakes.StrategyTestCase, test_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.make_master()
        self.dir = self.useFixture(fixtures.TempDir()).path
        with open(os.path.join(self.dir, self.image.id), 'wb') as data:
            data.write(self.data)
        self.conf = self.useFixture(config_fixture.Config(cfg.ConfigOpts()))
        transfer_conf.register_opts(self.conf.conf)
        self.logger = self.useFixture(fixtures.FakeLogger())
        self.regions = [self.memory_region('A'), self.memory_region('B')]

    def transfer(self, **overrides):
        for option, value in overrides.items():
            self.conf.config(group='transfer_store', **{option: value})
        strategy = impl_store.StoreStrategy(self.conf.conf)
        stats = TransferStats()
        results = strategy.transfer(self.master, self.image,
                                    [(r, None) for r in self.regions],
                                    stats=stats)
        for region in self.regions:
            self.assert_copy(results[region.name], region)
        return stats

    def test_reads_the_file_store_not_the_api(self):
        stats = self.transfer(filesystem_store_datadir=self.dir)
        self.assertEqual([], self.master.calls_to('download'))
        self.assertEqual(self.SIZE, stats.source_bytes)
        self.assertEqual({}, stats.fallbacks)
        self.assertIn('Copied from the store image cirros', self.logger.output)

    def test_master_glance_api_conf_with_several_backends(self):
        conf_file = os.path.join(self.dir, 'glance-api.conf')
        with open(conf_file, 'w') as conf:
            conf.write('[DEFAULT]\nenabled_backends = local:file\n\n'
                       '[local]\nfilesystem_store_datadir = %s\n' % self.dir)
        uri = 'file://%s/%s' % (self.dir, self.image.id)
        self.useFixture(fixtures.MockPatchObject(
            capabilities, 'locations', return_value=[(uri, 'local')]))
        self.transfer(config_file=conf_file)
        self.assertEqual([], self.master.calls_to('download'))

    def test_falls_back_to_the_api_when_not_configured(self):
        stats = self.transfer()
        self.assertEqual(1, len(self.master.calls_to('download')))
        self.assertEqual({'A', 'B'}, set(stats.fallbacks))
        self.assertIn('cannot be read from the backend of region RegionOne '
                      '([transfer_store] is not set): streaming it through '
                      'the API instead', self.logger.output)

    def test_falls_back_when_the_file_is_missing(self):
        os.unlink(os.path.join(self.dir, self.image.id))
        stats = self.transfer(filesystem_store_datadir=self.dir)
        self.assertEqual(1, len(self.master.calls_to('download')))
        self.assertIn(self.image.id, stats.fallbacks['A'])

    def test_missing_directory_not_created(self):
        missing = os.path.join(self.dir, 'not-mounted')
        stats = self.transfer(filesystem_store_datadir=missing)
        self.assertIn('no directory %s on this host' % missing,
                      stats.fallbacks['A'])
        self.assertFalse(os.path.exists(missing))

    def test_corrupted_store_detected(self):
        with open(os.path.join(self.dir, self.image.id), 'r+b') as data:
            data.seek(1000)
            data.write(b'\0\0')
        self.conf.config(group='transfer_store',
                         filesystem_store_datadir=self.dir)
        strategy = impl_store.StoreStrategy(self.conf.conf)
        results = strategy.transfer(self.master, self.image,
                                    [(r, None) for r in self.regions])
        for region in self.regions:
            self.assertIn('md5 differs', str(results[region.name]))
            self.assertEqual([], region.list_images())

    def test_prepare_loads_the_driver_or_warns(self):
        self.conf.config(group='transfer_store',
                         filesystem_store_datadir=self.dir)
        strategy = impl_store.StoreStrategy(self.conf.conf)
        strategy.prepare()
        self.assertIn("Reading the master's images from its file backend",
                      self.logger.output)
        self.conf.config(group='transfer_store',
                         filesystem_store_datadir=self.dir + '/missing')
        impl_store.StoreStrategy(self.conf.conf).prepare()
        self.assertIn("the master's backend cannot be used (no directory",
                      self.logger.output)
        self.conf.config(group='transfer_store',
                         filesystem_store_datadir=None)
        impl_store.StoreStrategy(self.conf.conf).prepare()
        self.assertIn('[transfer_store] is not set', self.logger.output)
