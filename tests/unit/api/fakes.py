"""An offline API for the unit tests: real rules, routes, policy and
journal; in-memory regions from backup files; tokens checked by a fake
``auth_token``.

Tokens: ``admin-token`` (role admin), ``member-token`` (role member);
any other token is invalid, as keystonemiddleware marks it.
"""

import os

import fixtures
import webob

from glance_sync.api import app
from glance_sync.api import config as api_config
from glance_sync.db import migration
from glance_sync.db.repositories import Journal
from glance_sync.sync.cloud import OfflineCloud
from tests.unit.manage import data

TOKENS = {'admin-token': 'admin,reader', 'member-token': 'member,reader'}


class FakeAuthToken:
    """Sets the identity headers keystonemiddleware would set."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        for key in list(environ):
            if key.startswith('HTTP_X_IDENTITY') or key == 'HTTP_X_ROLES':
                del environ[key]  # as auth_token strips them
        roles = TOKENS.get(environ.get('HTTP_X_AUTH_TOKEN'))
        environ['HTTP_X_IDENTITY_STATUS'] = 'Confirmed' if roles else 'Invalid'
        if roles:
            environ.update(HTTP_X_ROLES=roles, HTTP_X_PROJECT_ID='p1',
                           HTTP_X_USER_ID='u1')
        return self.application(environ, start_response)


class OfflineApi(fixtures.Fixture):
    """The API over :mod:`tests.unit.manage.data`'s offline cloud.

    ``self.journal`` is the API's journal (a SQLite file); ``self.conf``
    its options; ``request(method, path, token)`` calls the app.
    """

    def __init__(self, extra_conf='', auth_wrapper=FakeAuthToken):
        super().__init__()
        self.extra_conf = extra_conf
        self.auth_wrapper = auth_wrapper

    def _setUp(self):
        folder = self.useFixture(fixtures.TempDir()).path
        _, native_path, backups = data.write_cloud(folder)
        self.db_url = 'sqlite:///%s' % os.path.join(folder, 'journal.sqlite')
        with open(native_path, 'a') as conf_file:
            conf_file.write('\n[database]\nconnection = %s\n%s\n'
                            % (self.db_url, self.extra_conf))
        migration.upgrade(self.db_url)
        self.conf, config = api_config.load([native_path])
        self.addCleanup(self.conf.reset)
        self.config = config
        self.cloud = OfflineCloud(config, backups)
        self.app = app.build_app(self.conf, config, cloud=self.cloud,
                                 auth_wrapper=self.auth_wrapper)
        self.journal = Journal(self.db_url)
        self.addCleanup(self.journal.dispose)
        self.folder = folder

    def request(self, method, path, token='admin-token', **kwargs):
        """:returns: the WebOb response."""
        request = webob.Request.blank(path, method=method, **kwargs)
        if token:
            request.headers['X-Auth-Token'] = token
        return request.get_response(self.app)

