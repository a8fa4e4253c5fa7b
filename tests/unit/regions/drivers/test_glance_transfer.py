"""The Glance driver's optional capabilities, glanceclient mocked.

The real requests are exercised by tests/functional/transfer.
"""

from unittest import mock

from glanceclient import exc as glance_exc
from keystoneauth1 import adapter as ksa_adapter
from oslotest import base as test_base

from glance_sync.regions import base
from glance_sync.regions.drivers import glance
from tests.unit.regions.drivers.test_glance import raw_image


class GlanceTestCase(test_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        patcher = mock.patch.object(glance.glance_client, 'Client')
        self.client = patcher.start().return_value
        self.addCleanup(patcher.stop)
        self.region = glance.GlanceRegion('RegionTwo', mock.Mock())
        request = mock.patch.object(ksa_adapter.Adapter, 'request')
        self.request = request.start()
        self.addCleanup(request.stop)


class UploadTest(GlanceTestCase):

    def test_sends_a_length_and_the_chunks_as_they_are(self):
        sent = []

        def request(adapter, url, method, data, headers, **kwargs):
            self.assertEqual(6, len(data))
            sent.extend(iter(data))
            return mock.Mock(status_code=204)
        self.request.side_effect = request
        self.client.images.get.return_value = raw_image()
        chunks = [b'abc', b'def']
        image = self.region.upload_sized('id1', chunks, 6)
        self.assertEqual([id(c) for c in chunks], [id(c) for c in sent])
        (args, kwargs), = self.request.call_args_list
        self.assertEqual(('/v2/images/id1/file', 'PUT'), args[1:])
        self.assertEqual({'Content-Type': 'application/octet-stream'},
                         kwargs['headers'])
        self.assertIs(self.client.http_client, args[0])
        self.assertEqual('cirros', image.name)

    def test_glance_errors_translated(self):
        self.request.return_value = mock.Mock(
            status_code=409, content=b'not queued',
            headers={'content-type': 'text/plain'})
        exc = self.assertRaises(base.Conflict, self.region.upload_sized,
                                'id1', [b'x'], 1)
        self.assertIn('RegionTwo', str(exc))
        self.assertIsInstance(exc.__cause__, glance_exc.HTTPConflict)


class InfoTest(GlanceTestCase):

    def test_locations_all_or_direct_url(self):
        self.client.images.get.return_value = raw_image(locations=[
            {'url': 'file:///a/1', 'metadata': {'store': 'local'}},
            {'url': 'rbd://x/1', 'metadata': {}}])
        self.assertEqual([('file:///a/1', 'local'), ('rbd://x/1', None)],
                         self.region.locations('id1'))
        self.client.images.get.return_value = raw_image(
            direct_url='file:///a/1', stores='local,other')
        self.assertEqual([('file:///a/1', 'local')],
                         self.region.locations('id1'))
        self.client.images.get.return_value = raw_image()
        self.assertEqual([], self.region.locations('id1'))

    def test_import_methods(self):
        self.client.images.get_import_info.return_value = {
            'import-methods': {'value': ['glance-direct', 'glance-download']}}
        self.assertEqual(['glance-direct', 'glance-download'],
                         self.region.import_methods())

    def test_import_methods_of_an_unavailable_region(self):
        self.client.images.get_import_info.side_effect = (
            glance_exc.CommunicationError('refused'))
        self.assertRaises(base.RegionUnavailable,
                          self.region.import_methods)

    def test_start_download_names_the_master(self):
        master = glance.GlanceRegion('RegionOne', mock.Mock(),
                                     interface='internal')
        self.region.start_download('copy', master, 'master-id')
        self.client.images.image_import.assert_called_once_with(
            'copy', method='glance-download', remote_region='RegionOne',
            remote_image_id='master-id', remote_service_interface='internal')

    def test_latest_task(self):
        self.client.http_client.get.return_value = (None, {'tasks': [
            {'status': 'failure', 'created_at': '2026-01-01T00:00:00Z'},
            {'status': 'processing', 'created_at': '2026-01-02T00:00:00Z'}]})
        self.assertEqual('processing',
                         self.region.latest_task('id1')['status'])
        self.client.http_client.get.assert_called_with(
            '/v2/images/id1/tasks')
        self.client.http_client.get.return_value = (None, {'tasks': []})
        self.assertIsNone(self.region.latest_task('id1'))
