"""Translation of client library errors into region errors."""

import requests
from glanceclient import exc as glance_exc
from keystoneauth1 import exceptions as ksa_exc
from oslotest import base as test_base

from glance_sync.regions import base
from glance_sync.regions.drivers import glance_errors

REGION = 'Burgos'


class TranslateTest(test_base.BaseTestCase):

    def translate(self, exc, image='img-1'):
        return glance_errors.translate(exc, REGION, 'updating', image)

    def check(self, exc, expected_class, *words, image='img-1'):
        mapped = self.translate(exc, image)
        self.assertIsInstance(mapped, expected_class)
        self.assertIn(REGION, str(mapped))
        for word in words:
            self.assertIn(word, str(mapped))
        return mapped

    def test_glance_answers(self):
        cases = [
            (glance_exc.HTTPNotFound('x'), base.ImageNotFound, 'img-1'),
            (glance_exc.HTTPConflict('taken'), base.Conflict, 'img-1',
             'HTTP 409: taken'),
            (glance_exc.HTTPUnauthorized('bad token'), base.AuthFailed,
             'img-1', 'HTTP 401'),
            (glance_exc.HTTPForbidden('policy'), base.Refused,
             'updating image img-1', 'HTTP 403: policy'),
            (glance_exc.HTTPBadRequest('bad value'), base.Refused,
             'HTTP 400'),
            (glance_exc.HTTPOverLimit('quota'), base.Refused, 'HTTP 413'),
            (glance_exc.HTTPInternalServerError('boom'),
             base.RegionUnavailable, 'HTTP 500', 'img-1'),
            (glance_exc.HTTPBadGateway('proxy'), base.RegionUnavailable,
             'HTTP 502'),
            (glance_exc.HTTPServiceUnavailable('later'),
             base.RegionUnavailable, 'HTTP 503'),
        ]
        for exc, expected, *words in cases:
            with self.subTest(exc=type(exc).__name__):
                self.check(exc, expected, *words)

    def test_unknown_status(self):
        # glanceclient has no class for 504: a bare HTTPException, code N/A.
        self.check(glance_exc.HTTPException('Gateway Timeout'),
                   base.RegionUnavailable, 'Gateway Timeout')
        self.check(glance_exc.HTTPException('504 Gateway Time-out: slow'),
                   base.RegionUnavailable, 'HTTP 504 Gateway Time-out')

    def test_unmapped_status_read_from_the_error_page(self):
        # What glance 33 answers when the data is not in the disk_format.
        mapped = self.check(glance_exc.HTTPException(
            '415 Unsupported Media Type: The request media type '
            'application/octet-stream is not supported by this server.: '
            'Image disk_format qcow2 does not match stream data raw'),
            base.Refused, 'updating image img-1',
            'HTTP 415 Unsupported Media Type', 'does not match')
        self.assertNotIn('N/A', str(mapped))

    def test_404_without_an_image_is_a_wrong_endpoint(self):
        self.check(glance_exc.HTTPNotFound('no such path'),
                   base.RegionUnavailable, 'no such path', image=None)

    def test_unreachable(self):
        cases = [
            glance_exc.CommunicationError('refused'),
            glance_exc.InvalidEndpoint('timed out'),
            ksa_exc.ConnectFailure('refused'),
            ksa_exc.ConnectTimeout('timed out'),
            ksa_exc.DiscoveryFailure('no versions'),
            requests.exceptions.ChunkedEncodingError('reset'),
            requests.exceptions.ReadTimeout('read timed out'),
        ]
        for exc in cases:
            with self.subTest(exc=type(exc).__name__):
                self.check(exc, base.RegionUnavailable, str(exc),
                           'while updating image img-1')

    def test_keystone(self):
        self.check(ksa_exc.Unauthorized('requires authentication'),
                   base.AuthFailed, 'Keystone refused the credentials',
                   'requires authentication')
        self.check(ksa_exc.AuthorizationFailure('no'), base.AuthFailed)
        self.check(ksa_exc.InternalServerError('db down'),
                   base.RegionUnavailable, 'Keystone failed')
        self.check(ksa_exc.EndpointNotFound('RegionX not found'),
                   base.RegionUnavailable, 'catalog', 'RegionX not found')

    def test_not_a_client_error(self):
        self.assertIsNone(self.translate(KeyError('bug')))
        self.assertIsNone(self.translate(
            base.RegionUnavailable('other', reason='x')))

    def test_long_errors_are_cut_in_the_middle(self):
        mapped = self.translate(glance_exc.HTTPBadGateway(
            'start ' + 'x' * 5000 + ' Connection refused'))
        self.assertLess(len(str(mapped)), 500)
        self.assertIn('start', str(mapped))
        self.assertIn('Connection refused', str(mapped))


class TranslatedTest(test_base.BaseTestCase):

    def test_chains_the_cause(self):
        cause = glance_exc.HTTPNotFound('x')
        with self.assertRaises(base.ImageNotFound) as ctx:
            with glance_errors.translated(REGION, 'reading', 'img-1'):
                raise cause
        self.assertIs(cause, ctx.exception.__cause__)

    def test_other_errors_unchanged(self):
        error = base.Conflict('Soria', image='i', reason='r')
        with self.assertRaises(base.Conflict) as ctx:
            with glance_errors.translated(REGION, 'reading', 'img-1'):
                raise error
        self.assertIs(error, ctx.exception)
