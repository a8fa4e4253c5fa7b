from unittest import mock

from keystoneauth1 import exceptions as ks_exceptions
from oslotest import base

from glance_sync.conf.errors import ConfigError
from glance_sync.regions import base as regions_base
from glance_sync.sync import projects

PROJECTS = {'a1': 'admin', 'd1': 'demo', 'x1': 'dup', 'x2': 'dup'}


class FakeResponse:

    def __init__(self, status, body=None):
        self.status_code = status
        self._body = body

    def json(self):
        return self._body


def keystone(path, params=None, **kwargs):
    """GET /projects/<id> and GET /projects?name= of a small Keystone."""
    if path.startswith('/projects/'):
        project = path.rsplit('/', 1)[1]
        if project not in PROJECTS:
            return FakeResponse(404)
        return FakeResponse(200, {'project': {'id': project,
                                              'name': PROJECTS[project]}})
    found = [{'id': i, 'name': n} for i, n in PROJECTS.items()
             if n == params['name']]
    return FakeResponse(200, {'projects': found})


class ResolveTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.session = mock.Mock(get=mock.Mock(side_effect=keystone))

    def test_names_and_ids_in_order_each_once(self):
        self.assertEqual(['d1', 'a1'], projects.resolve(
            self.session, ('demo', 'a1', 'admin'), 'f.conf'))

    def test_unknown_project_names_option_and_value(self):
        exc = self.assertRaises(ConfigError, projects.resolve, self.session,
                                ('admin', 'nobody'), '/etc/g.conf')
        self.assertEqual(
            "/etc/g.conf: [target:master] master_projects: unknown project "
            "'nobody': no project of that name or id in the master Keystone "
            "(or the master credentials may not see it)", str(exc))

    def test_a_name_in_two_domains_needs_the_id(self):
        exc = self.assertRaises(ConfigError, projects.resolve, self.session,
                                ('dup',), None)
        self.assertIn("'dup': 2 projects of that name", str(exc))
        self.assertEqual(['x2'], projects.resolve(self.session, ('x2',),
                                                  None))

    def test_keystone_down_is_not_a_configuration_error(self):
        self.session.get.side_effect = ks_exceptions.ConnectFailure('no')
        self.assertRaises(regions_base.RegionUnavailable, projects.resolve,
                          self.session, ('admin',), None)

    def test_keystone_error_is_not_a_configuration_error(self):
        self.session.get.side_effect = lambda *a, **k: FakeResponse(500)
        self.assertRaises(regions_base.RegionUnavailable, projects.resolve,
                          self.session, ('admin',), None)
