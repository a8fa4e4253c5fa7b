"""Loading strategies by name, and each target's configured one."""

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslotest import base as test_base
from stevedore import exception as stevedore_exc

from glance_sync.conf import targets as targets_conf
from glance_sync.conf import transfer as transfer_conf
from glance_sync.transfer import base, loader
from glance_sync.transfer._strategies import (impl_fake,
                                              impl_glance_download,
                                              impl_sequential, impl_store,
                                              impl_stream)


class GetStrategyTest(test_base.BaseTestCase):

    def test_every_installed_strategy(self):
        expected = {'stream': impl_stream.StreamStrategy,
                    'store': impl_store.StoreStrategy,
                    'glance-download':
                        impl_glance_download.GlanceDownloadStrategy,
                    'sequential': impl_sequential.SequentialStrategy,
                    'fake': impl_fake.FakeStrategy}
        self.assertEqual(sorted(expected), loader.strategy_names())
        for name, cls in expected.items():
            strategy = loader.get_strategy(name)
            self.assertIsInstance(strategy, cls)
            self.assertEqual(name, strategy.name)

    def test_options_read_from_the_conf(self):
        conf = cfg.ConfigOpts()
        transfer_conf.register_opts(conf)
        conf.set_override('queue_chunks', 3, group='transfer')
        self.assertEqual(3, loader.get_strategy('stream', conf)
                         .options.queue_chunks)

    def test_unknown_names_namespace_and_strategy(self):
        exc = self.assertRaises(loader.StrategyNotFound, loader.get_strategy,
                                'rsync')
        self.assertEqual(('rsync', base.NAMESPACE), (exc.name, exc.namespace))
        self.assertIn("Transfer strategy 'rsync' "
                      "(glance_sync.transfer.strategies): no such strategy "
                      "(installed: fake, glance-download", str(exc))

    def test_load_failure_keeps_the_cause(self):
        cause = ImportError('No module named rados')

        def manager(namespace, name, on_load_failure_callback, **kwargs):
            on_load_failure_callback(None, None, cause)
            raise stevedore_exc.NoMatches('no %s' % name)
        self.useFixture(fixtures.MockPatchObject(
            loader.driver, 'DriverManager', manager))
        exc = self.assertRaises(loader.StrategyLoadFailed,
                                loader.get_strategy, 'store')
        self.assertIs(cause, exc.__cause__)
        self.assertIn("'store' (glance_sync.transfer.strategies): cannot be "
                      "loaded: ImportError: No module named rados", str(exc))


class SelectorTest(test_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(cfg.ConfigOpts()))
        transfer_conf.register_opts(self.conf.conf)
        for target in ('master', 'other'):
            self.conf.conf.register_opts(
                transfer_conf.target_opts(),
                group=targets_conf.group_name(target))
        self.selector = loader.StrategySelector(self.conf.conf)

    def test_default_is_stream(self):
        self.assertEqual('stream', self.selector.name_for('master'))
        self.assertEqual('stream', loader.StrategySelector().name_for('x'))

    def test_target_then_sync_then_default(self):
        self.conf.config(transfer_strategy='sequential')
        self.assertEqual('sequential', self.selector.name_for('other'))
        self.conf.config(group='sync', transfer_strategy='store')
        self.assertEqual('store', self.selector.name_for('other'))
        self.conf.config(group='target:master',
                         transfer_strategy='glance-download')
        self.assertEqual('glance-download', self.selector.name_for('master'))
        self.assertEqual('store', self.selector.name_for('other'))
        # A target without a group of its own takes the defaults.
        self.assertEqual('store', self.selector.name_for('unknown'))

    def test_from_a_loaded_configuration(self):
        class Native:
            conf = self.conf.conf

        self.conf.config(group='target:other', transfer_strategy='store')
        selector = loader.StrategySelector.from_config(Native())
        self.assertEqual('store', selector.name_for('other'))
        legacy = loader.StrategySelector.from_config(object())
        self.assertEqual('stream', legacy.name_for('other'))

    def test_strategies_built_once(self):
        self.assertIs(self.selector.for_target('master'),
                      self.selector.for_target('other'))

    def test_check_reports_a_bad_name(self):
        self.conf.config(group='target:other', transfer_strategy='rsync')
        self.selector.check(['master'])
        exc = self.assertRaises(loader.StrategyNotFound, self.selector.check,
                                ['master', 'other'])
        self.assertIn('rsync', str(exc))
