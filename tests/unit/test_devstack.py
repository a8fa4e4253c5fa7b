"""The devstack plugin: valid bash, and the files it writes parse.

devstack itself cannot run here; its helpers (``iniset``,
``get_transport_url``...) are replaced by small stubs and the plugin's
configuration functions write into a temporary folder, starting from the
real ``glance-api-paste.ini`` that glance ships.
"""

import configparser
import pathlib
import shutil
import subprocess
import sys
import textwrap

import fixtures
from oslotest import base

from glance_sync.api import config as api_config
from tools.localcloud import snippets

TOP = pathlib.Path(__file__).resolve().parents[2]
PLUGIN = TOP / 'devstack' / 'plugin.sh'
SETTINGS = TOP / 'devstack' / 'settings'
GLANCE_PASTE = pathlib.Path(sys.prefix) / 'etc' / 'glance' / (
    'glance-api-paste.ini')

# devstack's helpers, reduced to what the plugin's writers call.
STUBS = textwrap.dedent('''\
    set -eu
    function iniset {
        "$PYTHON" - "$@" <<'PY'
    import configparser, sys
    path, section, option, value = sys.argv[1:5]
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(path)
    if section != 'DEFAULT' and not parser.has_section(section):
        parser.add_section(section)
    parser.set(section, option, value)
    with open(path, 'w') as out:
        parser.write(out)
    PY
    }
    function trueorfalse { local default=$1; echo "${!2:-$default}"; }
    function enable_service { :; }
    function is_service_enabled { return 1; }
    function get_transport_url { echo "rabbit://stackrabbit:pw@10.0.0.1:5672/"; }
    function database_connection_url { echo "mysql+pymysql://root:pw@10.0.0.1/$1"; }
    function configure_keystone_authtoken_middleware {
        iniset "$1" keystone_authtoken auth_type password
        iniset "$1" keystone_authtoken auth_url "$KEYSTONE_SERVICE_URI"
        iniset "$1" keystone_authtoken www_authenticate_uri "$KEYSTONE_SERVICE_URI"
        iniset "$1" keystone_authtoken username "$2"
        iniset "$1" keystone_authtoken password "$SERVICE_PASSWORD"
        iniset "$1" keystone_authtoken user_domain_name "$SERVICE_DOMAIN_NAME"
        iniset "$1" keystone_authtoken project_name "$SERVICE_PROJECT_NAME"
        iniset "$1" keystone_authtoken project_domain_name "$SERVICE_DOMAIN_NAME"
    }
    DEST=$TOP/opt; DATA_DIR=$TOP/data; SERVICE_HOST=192.0.2.10
    REGION_NAME=RegionOne; KEYSTONE_SERVICE_URI=http://192.0.2.10/identity
    SERVICE_PASSWORD=secret; SERVICE_PROJECT_NAME=service
    SERVICE_DOMAIN_NAME=Default; ENABLE_DEBUG_LOG_LEVEL=True
    GLANCE_SERVICE_PROTOCOL=http; GLANCE_SYNC_CONF_DIR=$TOP/etc/glance-sync
    GLANCE_API_CONF=$TOP/etc/glance/glance-api.conf
    GLANCE_API_PASTE_INI=$TOP/etc/glance/glance-api-paste.ini
    ''')


class DevstackPluginTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.top = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        (self.top / 'etc' / 'glance').mkdir(parents=True)
        shutil.copy(GLANCE_PASTE, self.top / 'etc/glance/glance-api-paste.ini')
        (self.top / 'etc/glance/glance-api.conf').write_text(
            '[DEFAULT]\nbind_port = 9292\n')

    def run_plugin(self, script, **env):
        """Source settings and plugin.sh with the stubs, then ``script``."""
        text = '%s\nsource %s\nsource %s\n%s\n' % (STUBS, SETTINGS, PLUGIN,
                                                   script)
        result = subprocess.run(
            ['bash', '-c', text], capture_output=True, text=True,
            env=dict(TOP=str(self.top), PYTHON=sys.executable,
                     PATH='/usr/bin:/bin', **env), check=False)
        self.assertEqual(0, result.returncode, result.stderr)
        return result

    def parse(self, relative):
        parser = configparser.ConfigParser(interpolation=None)
        self.assertEqual([str(self.top / relative)],
                         parser.read(self.top / relative))
        return parser

    def test_plugin_is_valid_bash(self):
        for script in (PLUGIN, SETTINGS):
            result = subprocess.run(['bash', '-n', str(script)],
                                    capture_output=True, text=True,
                                    check=False)
            self.assertEqual(0, result.returncode, result.stderr)

    def test_sourcing_without_a_phase_does_nothing(self):
        self.run_plugin('')
        self.assertFalse((self.top / 'etc' / 'glance-sync').exists())

    def test_paste_filter_after_context_once(self):
        configure = 'configure_glance_sync_paste "$GLANCE_API_PASTE_INI"'
        self.run_plugin(configure + '\n' + configure)
        paste = self.parse('etc/glance/glance-api-paste.ini')
        self.assertEqual('glance_sync.glance_plugin.filter:filter_factory',
                         paste['filter:glance_sync']['paste.filter_factory'])
        flavours = paste['composite:api']
        keystone = [k for k in flavours if k.startswith('keystone')]
        self.assertEqual(3, len(keystone))
        for flavour in keystone:
            names = flavours[flavour].split()
            self.assertEqual(1, names.count('glance_sync'), flavour)
            self.assertEqual('glance_sync',
                             names[names.index('context') + 1], flavour)
        for flavour in ('default', 'caching', 'cachemanagement'):
            self.assertNotIn('glance_sync', flavours[flavour].split())

    def ini_settings(self, text):
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(text)
        return {(section, key): value
                for section in parser.sections()
                for key, value in parser[section].items()
                if key not in parser.defaults()}

    def test_glance_api_conf_gets_the_documented_snippet(self):
        self.run_plugin('configure_glance_sync_glance "$GLANCE_API_CONF"')
        written = self.ini_settings(
            (self.top / 'etc/glance/glance-api.conf').read_text())
        documented = self.ini_settings(snippets.master_glance_conf(
            'rabbit://stackrabbit:pw@10.0.0.1:5672/'))
        self.assertEqual(documented, {k: v for k, v in written.items()
                                      if k[0] != 'DEFAULT'})
        # glance's own notifications stay off: the plugin needs none.
        self.assertNotIn(('oslo_messaging_notifications', 'driver'), written)

    def test_glance_sync_conf_has_the_documented_broker(self):
        self.run_plugin('write_glance_sync_conf')
        raw = self.parse('etc/glance-sync/glance-sync.conf')
        for section, options in snippets.daemon_sections(
                'rabbit://stackrabbit:pw@10.0.0.1:5672/').items():
            for key, value in options.items():
                self.assertEqual(value, raw[section][key], (section, key))

    def test_glance_sync_conf_loads(self):
        self.run_plugin('write_glance_sync_conf')
        path = self.top / 'etc/glance-sync/glance-sync.conf'
        conf, sync_config = api_config.load([str(path)])
        self.addCleanup(conf.reset)
        self.assertEqual('RegionOne', sync_config.settings.master_region)
        self.assertEqual(('master',), sync_config.targets)
        self.assertEqual('sqlite:///%s/data/glance-sync/journal.sqlite'
                         % self.top, conf.database.connection)
        self.assertEqual(9393, conf.api.bind_port)
        raw = self.parse('etc/glance-sync/glance-sync.conf')
        self.assertEqual('glance-sync', raw['keystone_authtoken']['username'])
        self.assertEqual('300', raw['daemon']['reconcile_interval'])
        self.assertEqual('rabbit://stackrabbit:pw@10.0.0.1:5672/',
                         raw['DEFAULT']['transport_url'])

    def test_journal_on_the_devstack_database(self):
        self.run_plugin('write_glance_sync_conf',
                        GLANCE_SYNC_JOURNAL_BACKEND='mysql')
        raw = self.parse('etc/glance-sync/glance-sync.conf')
        self.assertEqual('mysql+pymysql://root:pw@10.0.0.1/glance_sync',
                         raw['database']['connection'])

    def test_second_region_glance_without_the_filter(self):
        self.run_plugin('configure_glance_sync_paste "$GLANCE_API_PASTE_INI"'
                        '\nwrite_glance_sync_region2_conf')
        region2 = 'data/glance-sync/region2/etc/'
        conf = self.parse(region2 + 'glance-api.conf')
        self.assertEqual('http://192.0.2.10:9299',
                         conf['DEFAULT']['public_endpoint'])
        self.assertEqual('9292', conf['DEFAULT']['bind_port'])
        self.assertIn('region2/images',
                      conf['local']['filesystem_store_datadir'])
        self.assertTrue(conf['database']['connection'].startswith(
            'sqlite:///'))
        paste = self.parse(region2 + 'glance-api-paste.ini')
        for flavour, stages in paste['composite:api'].items():
            self.assertNotIn('glance_sync', stages.split(), flavour)
