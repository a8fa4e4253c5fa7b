"""Unit tests of the Glance v2 driver, with glanceclient mocked out.

The real client, against a real Glance, is exercised by
``tests/functional/regions``; here we check what the driver asks the client
for, how it converts the answers and how it translates every kind of error.
"""

import http.client
import json
from unittest import mock

import requests
import urllib3
from glanceclient import client as glance_client
from glanceclient import exc as glance_exc
from keystoneauth1 import exceptions as ksa_exc
from oslotest import base as test_base

from glance_sync.regions import base
from glance_sync.regions import catalog
from glance_sync.regions.drivers import glance
from glance_sync.regions.drivers import glance_patch

REGION = 'other:RegionFour'
IMAGE_ID = 'c0ffee00-0000-4000-8000-000000000001'


def raw_image(**changes):
    raw = {
        'id': IMAGE_ID, 'name': 'cirros', 'status': 'active',
        'visibility': 'private', 'owner': 'p1', 'size': 3,
        'checksum': 'md5', 'os_hash_algo': 'sha512', 'os_hash_value': 'sha',
        'disk_format': 'qcow2', 'container_format': 'bare', 'min_disk': 1,
        'min_ram': 64, 'protected': False, 'os_hidden': False, 'tags': [],
        'created_at': 'x', 'updated_at': 'y', 'virtual_size': None,
        'file': '/v2/images/x/file', 'schema': '/v2/schemas/image',
        'stores': 'local', 'type': 'fiware:data',
        'os_glance_importing_to_stores': '',
    }
    raw.update(changes)
    return raw


class FakeResponse:
    """Enough of ``requests.Response`` for downloads."""

    def __init__(self, chunks, status_code=200, fail_after=None):
        self.status_code = status_code
        self._chunks = chunks
        self._fail_after = fail_after
        self.closed = False
        self.chunk_size = None

    def iter_content(self, chunk_size):
        self.chunk_size = chunk_size
        for number, chunk in enumerate(self._chunks):
            if number == self._fail_after:
                raise requests.exceptions.ChunkedEncodingError('reset')
            yield chunk

    def close(self):
        self.closed = True


class GlanceRegionTestCase(test_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        patcher = mock.patch.object(glance.glance_client, 'Client')
        self.client_class = patcher.start()
        self.addCleanup(patcher.stop)
        self.client = self.client_class.return_value
        self.images = self.client.images
        patcher = mock.patch.object(glance.glance_listing, 'pages')
        self.listing = patcher.start()
        self.addCleanup(patcher.stop)
        self.session = mock.Mock()
        self.session.get_project_id.return_value = 'p1'
        self.region = glance.GlanceRegion(REGION, self.session)

    def assert_names(self, exc, *words):
        for word in (REGION,) + words:
            self.assertIn(word, str(exc))


class ConstructionTest(GlanceRegionTestCase):

    def test_endpoint_from_the_qualified_name(self):
        self.client_class.assert_called_once_with(
            '2', session=self.session, region_name='RegionFour',
            interface='public', endpoint_override=None)
        self.assertEqual('RegionFour', self.region.region_name)

    def test_explicit_catalog_region_and_interface(self):
        glance.GlanceRegion('Burgos', self.session, region_name='RegionOne',
                            interface='internal',
                            endpoint_override='http://g:9292')
        self.client_class.assert_called_with(
            '2', session=self.session, region_name='RegionOne',
            interface='internal', endpoint_override='http://g:9292')

    def test_nothing_requested_before_the_first_call(self):
        self.session.get_project_id.assert_not_called()
        self.listing.assert_not_called()


class ListTest(GlanceRegionTestCase):

    def test_own_images_with_every_visibility(self):
        self.listing.return_value = iter([raw_image()])
        images = self.region.list_images()
        self.listing.assert_called_once_with(
            self.client.http_client,
            filters={'owner': 'p1', 'visibility': 'all'},
            page_size=glance.DEFAULT_PAGE_SIZE)
        self.assertEqual([IMAGE_ID], [i.id for i in images])
        self.assertEqual(REGION, images[0].region)

    def test_public_images_of_others_once(self):
        own = raw_image(visibility='public')
        other = raw_image(id='other', owner='p2', visibility='public')
        self.listing.side_effect = [iter([own]), iter([own, other])]
        images = self.region.list_images(include_public=True)
        self.assertEqual([IMAGE_ID, 'other'], [i.id for i in images])
        self.listing.assert_called_with(
            self.client.http_client,
            filters={'visibility': 'public'},
            page_size=glance.DEFAULT_PAGE_SIZE)

    def test_listing_slower_than_list_timeout_gives_up(self):
        region = glance.GlanceRegion(REGION, self.session, list_timeout=5)
        self.listing.return_value = iter(
            [raw_image(), raw_image(id='second')])
        clock = iter([100.0, 101.0, 106.0])
        with mock.patch.object(glance.time, 'monotonic',
                               side_effect=lambda: next(clock)):
            exc = self.assertRaises(base.RegionUnavailable,
                                    region.list_images)
        self.assert_names(exc, 'longer than 5 s', 'list_images_timeout')

    def test_listing_within_list_timeout(self):
        region = glance.GlanceRegion(REGION, self.session, list_timeout=5)
        self.listing.return_value = iter(
            [raw_image(), raw_image(id='second')])
        self.assertEqual(2, len(region.list_images()))

    def test_project_from_the_constructor(self):
        region = glance.GlanceRegion(REGION, self.session, project_id='p9',
                                     page_size=5)
        self.listing.return_value = iter([])
        region.list_images()
        self.session.get_project_id.assert_not_called()
        self.listing.assert_called_once_with(
            self.client.http_client,
            filters={'owner': 'p9', 'visibility': 'all'}, page_size=5)

    def test_every_owner_given(self):
        # Several master projects, or copies that keep their owner.
        region = glance.GlanceRegion(REGION, self.session,
                                     owners=lambda: ['p1', 'p2'])
        self.listing.side_effect = [
            iter([raw_image()]), iter([raw_image(id='x', owner='p2')])]
        self.assertEqual([IMAGE_ID, 'x'],
                         [i.id for i in region.list_images()])
        self.assertEqual(
            [mock.call(self.client.http_client,
                       filters={'owner': owner, 'visibility': 'all'},
                       page_size=glance.DEFAULT_PAGE_SIZE)
             for owner in ('p1', 'p2')], self.listing.call_args_list)
        self.session.get_project_id.assert_not_called()

    def test_targeted_read_of_every_owner(self):
        region = glance.GlanceRegion(REGION, self.session,
                                     owners=lambda: ['p1', 'p2'])
        self.listing.side_effect = [
            iter([raw_image(created_at='1')]),
            iter([raw_image(id='x', owner='p2', created_at='2')])]
        found = region.find_images(base.ImageQuery(names=frozenset(
            ['cirros'])))
        self.assertEqual([IMAGE_ID, 'x'], [i.id for i in found])
        self.assertEqual(
            [mock.call(self.client.http_client,
                       filters={'name': 'in:"cirros"', 'owner': owner,
                                'visibility': 'all'},
                       page_size=glance.DEFAULT_PAGE_SIZE)
             for owner in ('p1', 'p2')], self.listing.call_args_list)

    def test_owners_read_once(self):
        owners = mock.Mock(return_value=('p1',))
        region = glance.GlanceRegion(REGION, self.session, owners=owners)
        self.listing.side_effect = lambda *args, **kw: iter([])
        region.list_images()
        region.list_images()
        owners.assert_called_once_with()

    def test_keystone_refusal(self):
        self.session.get_project_id.side_effect = ksa_exc.Unauthorized(
            'The request you have made requires authentication.')
        exc = self.assertRaises(base.AuthFailed, self.region.list_images)
        self.assert_names(exc, 'Keystone refused the credentials',
                          'requires authentication')
        self.assertIsInstance(exc.__cause__, ksa_exc.Unauthorized)

    def test_unscoped_token(self):
        self.session.get_project_id.return_value = None
        exc = self.assertRaises(base.AuthFailed, self.region.list_images)
        self.assert_names(exc, 'not scoped to a project')

    def test_error_on_a_later_page(self):
        def pages(*args, **kwargs):
            yield raw_image()
            raise glance_exc.HTTPInternalServerError('boom')
        self.listing.side_effect = pages
        exc = self.assertRaises(base.RegionUnavailable,
                                self.region.list_images)
        self.assert_names(exc, 'HTTP 500', 'boom', 'listing images')

    def test_missing_image_endpoint(self):
        self.listing.side_effect = ksa_exc.EndpointNotFound(
            'public endpoint for image service in RegionFour not found')
        exc = self.assertRaises(base.RegionUnavailable,
                                self.region.list_images)
        self.assert_names(exc, 'catalog', 'RegionFour not found')


def dropped(cause):
    """glanceclient's error for a request whose connection failed with
    ``cause``, chained as requests and keystoneauth chain it."""
    try:
        try:
            raise requests.exceptions.ConnectionError(
                urllib3.exceptions.ProtocolError('Connection aborted.',
                                                 cause))
        except requests.exceptions.ConnectionError as exc:
            raise ksa_exc.ConnectFailure('Unable to establish connection: '
                                         '%s' % exc) from exc
    except ksa_exc.ConnectFailure as exc:
        error = glance_exc.CommunicationError('Error finding address: %s'
                                              % exc)
        error.__context__ = exc
        return error


class DroppedConnectionTest(GlanceRegionTestCase):
    """A read whose kept-alive connection the server had just closed is
    made again; other failures are not."""

    def test_listing_read_again(self):
        pages = iter([dropped(http.client.RemoteDisconnected(
            'Remote end closed connection without response')),
            iter([raw_image()])])

        def listing(*args, **kwargs):
            page = next(pages)
            if isinstance(page, Exception):
                raise page
            return page
        self.listing.side_effect = listing
        self.assertEqual([IMAGE_ID],
                         [i.id for i in self.region.list_images()])
        self.assertEqual(2, self.listing.call_count)

    def test_get_read_again_after_a_reset(self):
        self.images.get.side_effect = [
            dropped(ConnectionResetError(104, 'Connection reset by peer')),
            raw_image()]
        self.assertEqual(IMAGE_ID, self.region.get_image(IMAGE_ID).id)

    def test_refused_is_not_read_again(self):
        self.images.get.side_effect = dropped(
            ConnectionRefusedError(111, 'Connection refused'))
        self.assertRaises(base.RegionUnavailable, self.region.get_image,
                          IMAGE_ID)
        self.assertEqual(1, self.images.get.call_count)

    def test_gives_up_after_the_last_attempt(self):
        self.images.get.side_effect = [
            dropped(ConnectionResetError(104, 'reset'))
            for _ in range(glance.READ_ATTEMPTS)]
        self.assertRaises(base.RegionUnavailable, self.region.get_image,
                          IMAGE_ID)
        self.assertEqual(glance.READ_ATTEMPTS, self.images.get.call_count)


class GetTest(GlanceRegionTestCase):

    def test_converted(self):
        self.images.get.return_value = raw_image()
        image = self.region.get_image(IMAGE_ID)
        self.images.get.assert_called_once_with(IMAGE_ID)
        self.assertEqual({'type': 'fiware:data'}, image.user_properties)
        self.assertEqual((1, 64), (image.min_disk, image.min_ram))

    def test_not_found(self):
        self.images.get.side_effect = glance_exc.HTTPNotFound('no image')
        exc = self.assertRaises(base.ImageNotFound, self.region.get_image,
                                IMAGE_ID)
        self.assertEqual('Image %s not found in region %s'
                         % (IMAGE_ID, REGION), str(exc))
        self.assertEqual(IMAGE_ID, exc.image)

    def test_connection_refused(self):
        self.images.get.side_effect = glance_exc.CommunicationError(
            'Error finding address for http://127.0.0.1:9292: refused')
        exc = self.assertRaises(base.RegionUnavailable,
                                self.region.get_image, IMAGE_ID)
        self.assert_names(exc, IMAGE_ID, 'refused')

    def test_timeout(self):
        # glanceclient reports keystoneauth's ConnectTimeout (read timeouts
        # included) as InvalidEndpoint.
        self.images.get.side_effect = glance_exc.InvalidEndpoint(
            'Error communicating with http://x: Request timed out')
        exc = self.assertRaises(base.RegionUnavailable,
                                self.region.get_image, IMAGE_ID)
        self.assert_names(exc, IMAGE_ID, 'timed out')

    def test_token_rejected_by_glance(self):
        self.images.get.side_effect = glance_exc.HTTPUnauthorized('nope')
        exc = self.assertRaises(base.AuthFailed, self.region.get_image,
                                IMAGE_ID)
        self.assert_names(exc, IMAGE_ID, 'HTTP 401')


class CreateTest(GlanceRegionTestCase):

    def test_fields(self):
        self.images.create.return_value = raw_image(status='queued')
        image = self.region.create_image(
            'cirros', visibility='public', properties={'type': 'x'},
            disk_format='qcow2', container_format='bare', min_disk=1,
            min_ram=64, image_id=IMAGE_ID)
        self.images.create.assert_called_once_with(
            name='cirros', visibility='public', type='x',
            disk_format='qcow2', container_format='bare', min_disk=1,
            min_ram=64, id=IMAGE_ID)
        self.assertEqual('queued', image.status)

    def test_owner_asked_for(self):
        self.images.create.return_value = raw_image(status='queued',
                                                    owner='demo')
        image = self.region.create_image('cirros', visibility='shared',
                                         properties={}, owner='demo')
        self.images.create.assert_called_once_with(
            name='cirros', visibility='shared', min_disk=0, min_ram=0,
            owner='demo')
        self.assertEqual('demo', image.owner)

    def test_unknown_formats_and_id_left_to_glance(self):
        self.images.create.return_value = raw_image(status='queued')
        self.region.create_image('cirros', visibility='private',
                                 properties={})
        self.images.create.assert_called_once_with(
            name='cirros', visibility='private', min_disk=0, min_ram=0)

    def test_core_attribute_as_property(self):
        exc = self.assertRaises(ValueError, self.region.create_image,
                                'cirros', visibility='private',
                                properties={'size': '3'})
        self.assert_names(exc, "'size'", 'cirros', 'core attribute')
        self.images.create.assert_not_called()

    def test_property_not_a_string(self):
        exc = self.assertRaises(ValueError, self.region.create_image,
                                'cirros', visibility='private',
                                properties={'nid': 3})
        self.assert_names(exc, "'nid'", 'cirros', 'int')

    def test_reused_id(self):
        self.images.create.side_effect = glance_exc.HTTPConflict(
            'Image with identifier %s already exists!' % IMAGE_ID)
        exc = self.assertRaises(base.IdInUse, self.region.create_image,
                                'cirros', visibility='private',
                                properties={}, image_id=IMAGE_ID)
        self.assert_names(exc, IMAGE_ID, 'already exists', 'HTTP 409')
        self.assertIsInstance(exc, base.Conflict)

    def test_publicize_forbidden(self):
        self.images.create.side_effect = glance_exc.HTTPForbidden(
            'You are not authorized to complete publicize_image action.')
        exc = self.assertRaises(base.Refused, self.region.create_image,
                                'cirros', visibility='public', properties={})
        self.assert_names(exc, 'creating image cirros', 'HTTP 403',
                          'publicize_image')


class UploadTest(GlanceRegionTestCase):

    def test_streams_through_a_reader(self):
        received = []

        def upload(image_id, reader, image_size=None):
            while chunk := reader.read(4):
                received.append(chunk)
        self.images.upload.side_effect = upload
        self.images.get.return_value = raw_image()
        image = self.region.upload(IMAGE_ID, iter([b'abc', b'defghij']),
                                   size=10)
        self.assertEqual([b'abc', b'defg', b'hij'], received)
        self.assertEqual(10, self.images.upload.call_args.kwargs[
            'image_size'])
        self.assertEqual('active', image.status)

    def test_service_fails_during_upload(self):
        self.images.upload.side_effect = glance_exc.HTTPServiceUnavailable(
            'storage full')
        exc = self.assertRaises(base.RegionUnavailable, self.region.upload,
                                IMAGE_ID, [b'x'])
        self.assert_names(exc, 'uploading image ' + IMAGE_ID, 'HTTP 503')

    def test_not_queued(self):
        self.images.upload.side_effect = glance_exc.HTTPConflict(
            'Image status transition from active to saving is not allowed')
        exc = self.assertRaises(base.Conflict, self.region.upload, IMAGE_ID,
                                [b'x'])
        self.assert_names(exc, IMAGE_ID, 'not allowed')

    def test_errors_of_the_chunks_pass_unchanged(self):
        # A failing source (or a failed verification) must not be blamed
        # on the destination.
        source_error = base.RegionUnavailable('RegionOne', reason='gone')

        def chunks():
            yield b'x'
            raise source_error

        def upload(image_id, reader, image_size=None):
            while reader.read(1024):
                pass
        self.images.upload.side_effect = upload
        exc = self.assertRaises(base.RegionUnavailable, self.region.upload,
                                IMAGE_ID, chunks())
        self.assertIs(source_error, exc)


class UpdateTest(GlanceRegionTestCase):

    def setUp(self):
        super().setUp()
        self.patch = self.client.http_client.patch

    def sent(self):
        """The JSON patch of the one PATCH sent."""
        self.patch.assert_called_once()
        args, kwargs = self.patch.call_args
        self.assertEqual(('/v2/images/%s' % IMAGE_ID,), args)
        self.assertEqual({'Content-Type': glance_patch.CONTENT_TYPE},
                         kwargs['headers'])
        return json.loads(kwargs['data'])

    def test_one_call(self):
        self.patch.return_value = (None, raw_image(name='new'))
        image = self.region.update(IMAGE_ID, name='new', visibility='public',
                                   set_properties={'a': '1'},
                                   remove_properties=['b', 'a'])
        self.assertEqual([
            {'op': 'add', 'path': '/a', 'value': '1'},
            {'op': 'replace', 'path': '/name', 'value': 'new'},
            {'op': 'replace', 'path': '/visibility', 'value': 'public'},
            {'op': 'remove', 'path': '/b'}], self.sent())
        self.images.update.assert_not_called()
        self.assertEqual('new', image.name)

    def test_rename(self):
        self.patch.return_value = (None, raw_image(name='new'))
        self.region.rename(IMAGE_ID, 'new')
        self.assertEqual([{'op': 'replace', 'path': '/name',
                           'value': 'new'}], self.sent())

    def test_property_to_remove_already_gone(self):
        # Glance refuses to remove a missing property: glanceclient reads
        # the image and removes only what is there.
        self.patch.side_effect = glance_exc.HTTPConflict('no such property')
        self.images.update.return_value = raw_image(name='new')
        image = self.region.update(IMAGE_ID, set_properties={'a': '1'},
                                   remove_properties=['b'])
        self.images.update.assert_called_once_with(
            IMAGE_ID, remove_props=['b'], a='1')
        self.assertEqual('new', image.name)

    def test_conflict_without_removal_is_raised(self):
        self.patch.side_effect = glance_exc.HTTPConflict('busy')
        self.assertRaises(base.Conflict, self.region.update, IMAGE_ID,
                          name='x')
        self.images.update.assert_not_called()

    def test_nothing_to_change(self):
        self.images.get.return_value = raw_image()
        self.region.update(IMAGE_ID)
        self.patch.assert_not_called()

    def test_not_found(self):
        self.patch.side_effect = glance_exc.HTTPNotFound('gone')
        self.assertRaises(base.ImageNotFound, self.region.update, IMAGE_ID,
                          name='x')


class StateTest(GlanceRegionTestCase):

    def test_deactivate_and_reactivate(self):
        self.region.deactivate(IMAGE_ID)
        self.region.reactivate(IMAGE_ID)
        self.images.deactivate.assert_called_once_with(IMAGE_ID)
        self.images.reactivate.assert_called_once_with(IMAGE_ID)

    def test_deactivate_missing(self):
        self.images.deactivate.side_effect = glance_exc.HTTPNotFound('x')
        self.assertRaises(base.ImageNotFound, self.region.deactivate,
                          IMAGE_ID)

    def test_delete(self):
        self.region.delete(IMAGE_ID)
        self.images.delete.assert_called_once_with(IMAGE_ID)

    def test_delete_missing_is_a_no_op(self):
        self.images.delete.side_effect = glance_exc.HTTPNotFound('x')
        self.region.delete(IMAGE_ID)

    def test_delete_protected(self):
        self.images.delete.side_effect = glance_exc.HTTPForbidden(
            'Image is protected')
        exc = self.assertRaises(base.Refused, self.region.delete, IMAGE_ID)
        self.assert_names(exc, 'deleting image ' + IMAGE_ID, 'protected')


class DownloadTest(GlanceRegionTestCase):

    def setUp(self):
        super().setUp()
        self.get = self.client.http_client.get

    def test_streams_and_closes(self):
        resp = FakeResponse([b'ab', b'c'])
        self.get.return_value = (resp, None)
        chunks = self.region.download(IMAGE_ID)
        self.get.assert_called_once_with('/v2/images/%s/file' % IMAGE_ID)
        self.assertFalse(resp.closed)
        self.assertEqual([b'ab', b'c'], list(chunks))
        self.assertTrue(resp.closed)
        self.assertEqual(glance.DEFAULT_CHUNK_SIZE, resp.chunk_size)

    def test_closed_when_abandoned(self):
        resp = FakeResponse([b'ab', b'c'])
        self.get.return_value = (resp, None)
        chunks = self.region.download(IMAGE_ID)
        next(chunks)
        chunks.close()
        self.assertTrue(resp.closed)

    def test_no_data(self):
        resp = FakeResponse([], status_code=204)
        self.get.return_value = (resp, None)
        self.assertRaises(base.ImageNotFound, self.region.download, IMAGE_ID)
        self.assertTrue(resp.closed)

    def test_not_found_at_once(self):
        self.get.side_effect = glance_exc.HTTPNotFound('x')
        self.assertRaises(base.ImageNotFound, self.region.download, IMAGE_ID)

    def test_broken_mid_stream(self):
        resp = FakeResponse([b'ab', b'c'], fail_after=1)
        self.get.return_value = (resp, None)
        chunks = self.region.download(IMAGE_ID)
        self.assertEqual(b'ab', next(chunks))
        exc = self.assertRaises(base.RegionUnavailable, next, chunks)
        self.assert_names(exc, 'downloading image ' + IMAGE_ID, 'reset')
        self.assertTrue(resp.closed)


class RegionsOfTargetTest(test_base.BaseTestCase):

    @mock.patch.object(glance_client, 'Client')
    @mock.patch.object(catalog, 'discover_regions')
    def test_one_region_per_endpoint(self, discover, client_class):
        discover.return_value = ['RegionOne', 'RegionTwo']
        session = mock.Mock()
        regions = glance.regions_of_target(session, 'other',
                                           interface='internal')
        discover.assert_called_once_with(session, interface='internal',
                                         target='other')
        self.assertEqual(['other:RegionOne', 'other:RegionTwo'],
                         [r.name for r in regions])
        self.assertEqual('RegionTwo', regions[1].region_name)
        self.assertEqual('internal', regions[1].interface)
