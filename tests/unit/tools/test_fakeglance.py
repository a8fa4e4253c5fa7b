"""The benchmark's fake Glance, called as a WSGI application.

Its agreement with the real glance-api is checked by
``tests/functional/bench/test_fakeglance.py``; these check the parts the
benchmark relies on: pagination, filters, counters, uploads.
"""

import hashlib
import json

import webob
from oslotest import base

from tools.bench_scale import fakeglance


class FakeGlanceTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.app = fakeglance.FakeGlance('proj')

    def call(self, method, path, body=None, status=200, raw=None,
             ctype='application/json'):
        request = webob.Request.blank(path, method=method)
        if body is not None:
            request.body = json.dumps(body).encode()
            request.content_type = ctype
        if raw is not None:
            request.body = raw
        response = request.get_response(self.app)
        self.assertEqual(status, response.status_int, response.body)
        return response.json if response.content_type.endswith(
            'json') else response.body

    def load(self, region, count, prefix='img', **spec):
        self.call('POST', '/_bench/load', {'region': region, 'images': [
            dict({'name': '%s%02d' % (prefix, n)}, **spec)
            for n in range(count)]})

    def names(self, path):
        names, url = [], path
        while url:
            body = self.call('GET', url)
            names += [image['name'] for image in body['images']]
            url = body.get('next') and '/R1' + body['next']
        return names

    def test_pages_newest_first_and_follow_next(self):
        self.load('R1', 7)
        self.assertEqual(['img%02d' % n for n in range(6, -1, -1)],
                         self.names('/R1/v2/images?limit=3'))
        self.assertEqual({'R1': {'GET list': 3}},
                         self.call('GET', '/_bench/stats'))

    def test_filters(self):
        self.load('R1', 3, properties={'src': 'a'})
        self.load('R1', 2, prefix='priv', visibility='private')
        self.assertEqual(['img01'], self.names('/R1/v2/images?name=img01'))
        self.assertEqual(['img02', 'img00'], self.names(
            '/R1/v2/images?src=a&name=in:img00,"img02"'))
        self.assertEqual(['priv01', 'priv00'], self.names(
            '/R1/v2/images?visibility=private'))
        self.assertEqual([], self.names('/R1/v2/images?owner=other'))

    def test_regions_are_apart(self):
        self.load('R1', 2)
        self.assertEqual([], self.call('GET', '/R2/v2/images')['images'])

    def test_create_upload_patch_delete(self):
        image = self.call('POST', '/R1/v2/images', {
            'name': 'new', 'disk_format': 'raw', 'container_format': 'bare',
            'visibility': 'public', 'k': 'v'}, status=201)
        self.assertEqual(('queued', 'proj', 'v'),
                         (image['status'], image['owner'], image['k']))
        self.call('PUT', '/R1/v2/images/%s/file' % image['id'],
                  raw=b'abc' * 1000, status=204)
        self.call('PATCH', '/R1/v2/images/%s' % image['id'], [
            {'op': 'replace', 'path': '/name', 'value': 'renamed'},
            {'op': 'remove', 'path': '/k'}],
            ctype='application/openstack-images-v2.1-json-patch')
        shown = self.call('GET', '/R1/v2/images/%s' % image['id'])
        self.assertEqual(('active', 3000, 'renamed'),
                         (shown['status'], shown['size'], shown['name']))
        self.assertEqual(hashlib.md5(b'abc' * 1000).hexdigest(),
                         shown['checksum'])
        self.assertNotIn('k', shown)
        self.call('DELETE', '/R1/v2/images/%s' % image['id'], status=204)
        self.call('GET', '/R1/v2/images/%s' % image['id'], status=404)

    def test_loaded_data_matches_its_hashes(self):
        self.load('R1', 1, size=5000)
        [image] = self.call('GET', '/R1/v2/images')['images']
        data = self.call('GET', '/R1/v2/images/%s/file' % image['id'])
        self.assertEqual((5000, image['checksum']),
                         (len(data), hashlib.md5(data).hexdigest()))

    def test_copies_carry_their_source(self):
        self.load('M', 2)
        self.call('POST', '/_bench/copy', {
            'source': 'M', 'regions': ['R1', 'R2'],
            'properties': {'glance_sync_source': '{source_id}'}})
        masters = {i['id'] for i in self.call('GET', '/M/v2/images')[
            'images']}
        copies = self.call('GET', '/R2/v2/images')['images']
        self.assertEqual(masters, {c['glance_sync_source'] for c in copies})
        self.assertFalse(masters & {c['id'] for c in copies})
