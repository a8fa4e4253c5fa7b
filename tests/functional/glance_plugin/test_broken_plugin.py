"""A plugin that cannot load, or cannot publish, never takes glance-api
down, and says why in glance-api's log.

Each test starts one more glance-api of its own, on the configuration and
database of RegionThree (it only reads them) with the glance-sync paste
filter in its pipelines, then shows that it serves images.
"""

import pathlib
import socket
import sys

import fixtures

from tests.functional import base
from tools.localcloud import glance
from tools.localcloud import procs

BLOCKER = pathlib.Path(__file__).resolve().parent / 'blocked'
REGION = 'RegionThree'
START_TIMEOUT = 120


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class BrokenPluginTest(base.FunctionalTestCase):

    def start_glance(self, server='gunicorn', env=None,
                     enable_threads=True):
        """An extra glance-api with the plugin; stopped at clean-up.

        :returns: its URL and its log file.
        """
        self.use_region(REGION)
        region = self.cloud.region(REGION)
        folder = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        (folder / 'etc').mkdir()
        source = pathlib.Path(region.conf_dir)
        paste = folder / 'etc' / 'glance-api-paste.ini'
        paste.write_text(glance.paste_ini(
            (source / 'glance-api-paste.ini').read_text(), folder, True))
        conf = (source / 'glance-api.conf').read_text().replace(
            str(source / 'glance-api-paste.ini'), str(paste))
        self.assertIn(str(paste), conf)
        (folder / 'etc' / 'glance-api.conf').write_text(conf)
        port = free_port()
        if server == 'uwsgi':
            ini = folder / 'etc' / glance.UWSGI_INI
            ini.write_text(glance.uwsgi_ini(folder, port, enable_threads))
            cmd = [str(pathlib.Path(sys.executable).parent / 'uwsgi'),
                   '--ini', str(ini)]
        else:
            cmd = procs.gunicorn_command(
                folder, port, glance.APP,
                extra=('--pythonpath', str(glance.REPO_ROOT)))
        proc = procs.spawn(folder, cmd, env=dict(
            env or {}, OS_GLANCE_CONFIG_DIR=str(folder / 'etc')))
        self.addCleanup(procs.stop, folder)
        url = 'http://127.0.0.1:%d' % port
        procs.wait_ready('extra glance', proc, folder, url + '/healthcheck',
                         START_TIMEOUT)
        return url, folder / procs.LOG_FILE

    def assert_serves_images(self, url):
        resp = self.session('master').get(url + '/v2/images?limit=1')
        self.assertEqual(200, resp.status_code)
        self.assertIn('images', resp.json())

    def test_missing_dependency_leaves_glance_api_serving(self):
        url, log = self.start_glance(env={
            'PYTHONPATH': str(BLOCKER),
            'GLANCE_SYNC_TEST_BLOCKED': 'glance_sync.glance_plugin.publisher',
        })
        self.assert_serves_images(url)
        text = log.read_text()
        self.assertEqual(1, text.count('glance-sync plugin NOT installed'),
                         text[-3000:])
        # The one error names the import that failed.
        self.assertIn("ImportError: cannot import name 'publisher'", text)
        self.assertNotIn('glance-sync plugin installed', text)

    def test_uwsgi_without_threads_says_which_setting(self):
        url, log = self.start_glance('uwsgi', enable_threads=False)
        self.assert_serves_images(url)
        text = log.read_text()
        self.assertIn('enable-threads = true', text, text[-3000:])
        self.assertIn('glance-sync plugin installed', text)

    def test_uwsgi_with_threads_says_nothing(self):
        url, log = self.start_glance('uwsgi')
        self.assert_serves_images(url)
        text = log.read_text()
        self.assertIn('glance-sync plugin installed', text, text[-3000:])
        self.assertNotIn('enable-threads', text)
