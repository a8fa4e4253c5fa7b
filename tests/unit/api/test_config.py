import os

import fixtures
from oslotest import base

from glance_sync.api import config
from glance_sync.conf.errors import ConfigError
from tests.unit.manage import data


class ConfigFilesTest(base.BaseTestCase):

    def test_environment_first(self):
        self.assertEqual(['/a', '/b'], config.config_files(
            ['/c'], {config.ENV_VARIABLE: '/a,/b'}))

    def test_then_arguments(self):
        self.assertEqual(['/c'], config.config_files(['/c'], {}))

    def test_none_found_names_the_variable(self):
        self.useFixture(fixtures.MockPatch(
            'oslo_config.cfg.find_config_files', return_value=[]))
        exc = self.assertRaises(ConfigError, config.config_files, [], {})
        self.assertIn(config.ENV_VARIABLE, str(exc))


class LoadTest(base.BaseTestCase):

    def test_api_options_and_sync_settings(self):
        folder = self.useFixture(fixtures.TempDir()).path
        _, native_path, _ = data.write_cloud(folder)
        with open(native_path, 'a') as conf_file:
            conf_file.write('\n[api]\nbind_port = 9999\n')
        conf, sync_config = config.load([native_path])
        self.assertEqual(9999, conf.api.bind_port)
        self.assertEqual('keystone', conf.api.auth_strategy)
        self.assertEqual('Master', sync_config.settings.master_region)
        self.assertTrue(conf.database.connection.startswith('sqlite'))

    def test_missing_file(self):
        exc = self.assertRaises(ConfigError, config.load,
                                [os.path.join(self.useFixture(
                                    fixtures.TempDir()).path, 'no.conf')])
        self.assertIn('no.conf', str(exc))
