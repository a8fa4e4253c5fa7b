import argparse
import logging

import fixtures
from oslotest import base

from glance_sync.conf import errors, legacy, native
from glance_sync.manage import config
from tests.unit.manage import data


def args(**kwargs):
    values = {'config_file': None, 'glancesync_config': None, 'config': None,
              'debug': False}
    values.update(kwargs)
    return argparse.Namespace(**values)


class ChooseTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.found = []
        self.useFixture(fixtures.MonkeyPatch(
            'oslo_config.cfg.find_config_files',
            lambda project=None, **kw: list(self.found)))
        self.useFixture(fixtures.MonkeyPatch(
            'glance_sync.manage.config.LEGACY_DEFAULT', '/nonexistent'))

    def choose(self, env=None, **kwargs):
        return config._choose(args(**kwargs), env or {})

    def test_native_flag(self):
        self.assertEqual((['a', 'b'], None),
                         self.choose(config_file=['a', 'b'],
                                     env={'GLANCESYNC_CONFIG': 'x'}))

    def test_legacy_flag_then_environment(self):
        self.assertEqual(([], 'g'), self.choose(
            glancesync_config='g', env={'GLANCESYNC_CONFIG': 'x'}))
        self.assertEqual(([], 'x'),
                         self.choose(env={'GLANCESYNC_CONFIG': 'x'}))

    def test_default_native_file(self):
        self.found = ['/etc/glance-sync/glance-sync.conf']
        self.assertEqual((self.found, None), self.choose())

    def test_nothing_at_all(self):
        self.assertEqual(([], None), self.choose())

    def test_both(self):
        self.assertRaises(errors.ConfigError, self.choose,
                          config_file=['a'], glancesync_config='b')


class LoadTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        self.legacy, self.native, _ = data.write_cloud(folder)
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level

        def restore():
            for handler in list(root.handlers):
                root.removeHandler(handler)
            for handler in handlers:
                root.addHandler(handler)
            root.setLevel(level)
        self.addCleanup(restore)

    def test_legacy_with_overrides(self):
        conf, loaded = config.load(args(glancesync_config=self.legacy,
                                        config=['main.master_region=X']), {})
        self.assertIsInstance(loaded, legacy.LegacyConfig)
        self.assertEqual('X', loaded.settings.master_region)
        self.assertTrue(conf.use_stderr)

    def test_native_logging_options_apply(self):
        conf, loaded = config.load(args(config_file=[self.native],
                                        config=['debug=true'], debug=False),
                                   {})
        self.assertIsInstance(loaded, native.NativeConfig)
        self.assertTrue(conf.debug)
        self.assertEqual(logging.DEBUG, logging.getLogger().level)

    def test_environment_only(self):
        env = {'OS_USERNAME': 'u', 'OS_PASSWORD': 'p', 'OS_AUTH_URL': 'http://k',
               'OS_TENANT_NAME': 't', 'OS_REGION_NAME': 'R'}
        self.useFixture(fixtures.MonkeyPatch(
            'oslo_config.cfg.find_config_files', lambda **kw: []))
        self.useFixture(fixtures.MonkeyPatch(
            'glance_sync.manage.config.LEGACY_DEFAULT', '/nonexistent'))
        _, loaded = config.load(args(debug=True), env)
        self.assertEqual('R', loaded.settings.master_region)
        self.assertIsNone(loaded.source)
