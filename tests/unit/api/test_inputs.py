"""Paths and queries that are not UTF-8, through the whole app stack."""

import logging

import fixtures
import webob
from oslotest import base

from tests.unit.api import fakes

BAD_PATHS = ['/regions/%FF%FE', '/regions/R1/tasks/%C3%28',
             '/%ED%A0%80', '/regions/caf%E9', '/%80']
BAD_QUERIES = ['image=%FF', 'image=ok&x=%C3', 'a%FE=1', 'image=%E2%82']


class RequestCheckTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(fakes.OfflineApi())

    def assertBadRequest(self, response, fragment):
        self.assertEqual(400, response.status_int, response.body)
        self.assertEqual('application/json', response.content_type)
        self.assertEqual(400, response.json['error']['code'])
        self.assertIn(fragment, response.json['error']['message'])

    def test_path_not_utf8_is_400(self):
        for path in BAD_PATHS:
            for method in ('GET', 'POST', 'DELETE', 'PUT'):
                for token in ('admin-token', None):
                    self.assertBadRequest(
                        self.api.request(method, path, token), 'path')

    def test_query_not_utf8_is_400(self):
        for query in BAD_QUERIES:
            self.assertBadRequest(
                self.api.request('GET', '/regions/R1?' + query), 'query')

    def test_raw_bytes_in_query_is_400(self):
        # Not percent-encoded: the server hands the bytes over as latin-1.
        for query in ('image=\xff\xfe', 'image=\xc3('):
            request = webob.Request.blank('/regions/R1',
                                          environ={'QUERY_STRING': query})
            request.headers['X-Auth-Token'] = 'admin-token'
            self.assertBadRequest(request.get_response(self.api.app),
                                  'query')

    def test_valid_utf8_still_works(self):
        # An image name with an accent: valid UTF-8, percent-encoded.
        response = self.api.request('GET', '/regions/R1?image=caf%C3%A9')
        self.assertEqual(200, response.status_int, response.body)
        response = self.api.request('GET', '/regions/caf%C3%A9')
        self.assertEqual(410, response.status_int, response.body)

    def test_logged_paths_are_escaped(self):
        logger = self.useFixture(fixtures.FakeLogger(level=logging.DEBUG))
        forged = '/regions/R9%0A2026-01-01 ERROR forged%0D%1B[31m'
        self.api.request('GET', forged)
        self.api.request('GET', forged, token=None)
        self.api.request('GET', '/%FF%0Aforged')
        for line in logger.output.splitlines():
            self.assertFalse(line.startswith('2026-01-01'), line)
            self.assertNotIn('\x1b', line)
            self.assertNotIn('\r', line)
        self.assertIn('%0A', logger.output)
