"""The quick-start server over the real app stack, spoken to over HTTP."""

import http.client
import json
import logging
import socket
import threading

from oslotest import base

from glance_sync.api import server
from tests.unit.api import fakes


class ServerTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(fakes.OfflineApi())
        self.records = []
        handler = logging.Handler(logging.DEBUG)
        handler.emit = lambda record: self.records.append(
            record.getMessage())
        for name in ('glance_sync.api', 'glance_sync.api.server'):
            logger = logging.getLogger(name)
            logger.addHandler(handler)
            self.addCleanup(logger.removeHandler, handler)
        logging.getLogger('glance_sync.api').setLevel(logging.DEBUG)
        self.httpd = server.make_server(self.api.app, '127.0.0.1', 0)
        thread = threading.Thread(target=self.httpd.serve_forever,
                                  daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)
        self.addCleanup(self.httpd.server_close)
        self.addCleanup(self.httpd.shutdown)
        self.port = self.httpd.server_port

    def raw(self, request_line, token='admin-token'):
        """Send one request as bytes; returns (status, headers, body)."""
        with socket.create_connection(('127.0.0.1', self.port), 10) as sock:
            sock.sendall(request_line + b'\r\nHost: x\r\nX-Auth-Token: '
                         + token.encode() + b'\r\nConnection: close\r\n\r\n')
            response = http.client.HTTPResponse(sock)
            response.begin()
            return response.status, response.headers, response.read()

    def test_path_not_utf8_is_a_json_400(self):
        for path in (b'/regions/%FF%FE', b'/regions/\xff\xfe',
                     b'/%C3%28/tasks/x'):
            status, headers, body = self.raw(b'GET ' + path + b' HTTP/1.1')
            self.assertEqual(400, status, body)
            self.assertEqual('application/json', headers['Content-Type'])
            self.assertEqual(400, json.loads(body)['error']['code'])
            self.assertNotIn(b'Traceback', body)

    def test_query_not_utf8_is_a_json_400(self):
        status, headers, body = self.raw(
            b'GET /regions/R1?image=%FF HTTP/1.1')
        self.assertEqual(400, status, body)
        self.assertIn('query', json.loads(body)['error']['message'])

    def test_good_request_still_answers(self):
        status, _, body = self.raw(b'GET /regions/R1 HTTP/1.1')
        self.assertEqual(200, status, body)

    def test_log_lines_cannot_be_forged(self):
        self.raw(b'GET /regions/R9%0D%0AFORGED\x1b[31m HTTP/1.1')
        self.raw(b'GET /%FF%0AFORGED HTTP/1.1')
        self.assertTrue(self.records)
        for message in self.records:
            self.assertNotIn('\n', message)
            self.assertNotIn('\r', message)
            self.assertNotIn('\x1b', message)
