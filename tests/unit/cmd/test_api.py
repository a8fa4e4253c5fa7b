import io
from unittest import mock

import fixtures
from oslotest import base

from glance_sync.cmd import api
from tests.unit.manage import data


class MainTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.stderr = self.useFixture(fixtures.MockPatch(
            'sys.stderr', io.StringIO())).mock
        self.useFixture(fixtures.EnvironmentVariable(
            'GLANCE_SYNC_CONFIG_FILE'))

    def test_missing_file_is_status_2_in_one_line(self):
        self.assertEqual(2, api.main(['--config-file', '/nonexistent.conf']))
        self.assertEqual(1, self.stderr.getvalue().count('\n'))
        self.assertIn('glance-sync-api: error: /nonexistent.conf',
                      self.stderr.getvalue())

    def test_serves_until_interrupted(self):
        folder = self.useFixture(fixtures.TempDir()).path
        _, native_path, _ = data.write_cloud(folder)
        with open(native_path, 'a') as conf_file:
            conf_file.write('\n[api]\nbind_host = 127.0.0.1\nbind_port = 0\n'
                            '[database]\nconnection = sqlite://\n')
        with mock.patch('glance_sync.api.server.make_server') as make:
            make.return_value.serve_forever.side_effect = KeyboardInterrupt
            self.assertEqual(0, api.main(['--config-file', native_path]))
        make.assert_called_once_with(mock.ANY, '127.0.0.1', 0)
        make.return_value.server_close.assert_called_once_with()
