"""``/healthcheck`` through the whole application, keystonemiddleware
included: it answers without a token, the API behind still asks one."""

import os

import fixtures
import webob
from oslotest import base

from glance_sync.api import app, health
from tests.unit.api import fakes


class HealthcheckTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        self.disable = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'disabled')
        self.api = self.useFixture(fakes.OfflineApi(
            '[keystone_authtoken]\n'
            'www_authenticate_uri = http://127.0.0.1:9/v3\n'
            'auth_url = http://127.0.0.1:9/v3\n'
            '[healthcheck]\n'
            'backends = disable_by_file\n'
            'disable_by_file_path = %s\n' % self.disable))
        # The real stack: auth_token from [keystone_authtoken], not a fake.
        self.app = app.build_app(self.api.conf, self.api.cloud.config,
                                 cloud=self.api.cloud)

    def get(self, path, method='GET', **headers):
        request = webob.Request.blank(path, method=method, headers=headers)
        return request.get_response(self.app)

    def test_healthy_without_a_token(self):
        self.assertEqual(200, self.get(health.PATH).status_int)
        self.assertEqual(204, self.get(health.PATH, 'HEAD').status_int)
        answer = self.get(health.PATH, Accept='application/json')
        self.assertEqual({'detailed': False, 'reasons': ['OK']}, answer.json)

    def test_the_api_still_needs_a_token(self):
        answer = self.get('/regions/R1')
        self.assertEqual(401, answer.status_int)
        self.assertEqual(401, answer.json['error']['code'])

    def test_disabled_by_file(self):
        with open(self.disable, 'w'):
            pass
        answer = self.get(health.PATH)
        self.assertEqual(503, answer.status_int)
        self.assertIn(b'DISABLED BY FILE', answer.body)

    def test_other_methods_are_405_like_the_api(self):
        answer = self.get(health.PATH, 'POST')
        self.assertEqual(405, answer.status_int)
        self.assertEqual('GET', answer.headers['Allow'])
        self.assertEqual(405, answer.json['error']['code'])

    def test_only_its_own_path(self):
        self.assertEqual(404, self.get('/healthcheck/more').status_int)
