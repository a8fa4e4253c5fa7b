"""The local glance-api under uWSGI is configured the way devstack does."""

import configparser
import os
import pathlib
import re
import unittest

from oslotest import base

from tools.localcloud import glance

TOP = pathlib.Path(__file__).resolve().parents[3]
APACHE = TOP.parent / 'shared' / 'devstack' / 'lib' / 'apache'
#: devstack settings the local cloud sets differently, and why.
DIFFERENT = {
    'module': 'glance.wsgi.api:application, wrapped for SQLite',
    'wsgi-file': 'the deprecated alternative to module',
    'http-socket': '127.0.0.1 and the cloud\'s port',
    'processes': 'one worker, like the cloud\'s gunicorn',
    'plugins': 'pip\'s uWSGI has http and python built in',
    'worker-reload-mercy': 'devstack\'s $WORKER_TIMEOUT variable',
    'socket-timeout': 'large uploads take minutes on this machine',
    'start-time': 'only shown in uWSGI\'s stats',
    'chmod-socket': 'no unix socket here',
}


def devstack_settings():
    """The ``iniset $conf uwsgi KEY VALUE`` lines of devstack's
    ``write_local_uwsgi_http_config``."""
    text = APACHE.read_text()
    body = text.split('function write_local_uwsgi_http_config', 1)[1]
    body = body.split('\n}\n', 1)[0]
    return {key: value.strip('"') for key, value in re.findall(
        r'^\s*iniset "\$conf" uwsgi (\S+) (.*)$', body, re.M)}


def local_settings():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(glance.uwsgi_ini(pathlib.Path('/srv/g'), 9292))
    return dict(parser['uwsgi'])


class UwsgiIniTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        if not APACHE.exists():
            if os.environ.get('CI', '').lower() == 'true':
                self.fail('devstack\'s lib/apache is not in %s' % APACHE)
            raise unittest.SkipTest('no devstack library at %s' % APACHE)

    def test_devstack_settings_are_kept(self):
        theirs, ours = devstack_settings(), local_settings()
        self.assertIn('enable-threads', theirs)
        for key, value in theirs.items():
            if key in DIFFERENT:
                continue
            self.assertEqual(value.lower(), ours.get(key, '').lower(), key)

    def test_threads_can_be_turned_off(self):
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(glance.uwsgi_ini(pathlib.Path('/srv/g'), 9292,
                                            enable_threads=False))
        self.assertEqual('false', parser['uwsgi']['enable-threads'])
