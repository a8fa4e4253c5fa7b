"""``/healthcheck`` of the API under gunicorn, with real Keystone auth."""

from __future__ import annotations

from tests.functional.api.test_api import REGION, ApiTestCase


class HealthcheckTest(ApiTestCase):

    def test_healthcheck_needs_no_token(self):
        response = self.call('GET', '/healthcheck', 200, token=None)
        self.assertTrue(response.headers['Content-Type'].startswith(
            'text/plain'), response.headers)
        # The API behind still checks tokens.
        self.assertError(self.call('GET', '/regions/%s' % REGION, 401,
                                   token=None), 401)
