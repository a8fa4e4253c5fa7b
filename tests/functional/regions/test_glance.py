"""The Glance v2 driver against the real local cloud.

Two Keystones: ``master`` (RegionOne, RegionTwo, RegionThree) and ``other``
(RegionFour). Unavailability tests use RegionThree, as the base class asks.
"""

from __future__ import annotations

import socket
import time

from keystoneauth1.identity import v3

from glance_sync.regions import auth
from glance_sync.regions import base
from glance_sync.regions import catalog
from glance_sync.regions.drivers import glance
from tests.functional.regions import helpers


class DiscoveryTest(helpers.RegionTestCase):

    def test_master_target(self):
        self.assertEqual(['RegionOne', 'RegionThree', 'RegionTwo'],
                         catalog.discover_regions(self.target_session()))

    def test_other_target(self):
        regions = glance.regions_of_target(self.target_session('other'),
                                           'other')
        self.assertEqual(['other:RegionFour'], [r.name for r in regions])
        self.assertEqual('RegionFour', regions[0].region_name)
        # The endpoint really is that region's glance.
        self.use_region('other:RegionFour')
        self.assertIsInstance(regions[0].list_images(), list)


class ListTest(helpers.RegionTestCase):

    def test_own_images_paginated(self):
        region = self.region('RegionTwo', page_size=2)
        ids = set()
        for number in range(5):
            image = region.create_image(self.unique_name('page%d' % number),
                                        visibility='private', properties={})
            self.delete_later(region, image.id)
            ids.add(image.id)
        listed = {image.id: image for image in region.list_images()}
        self.assertLessEqual(ids, set(listed))
        self.assertEqual({'queued'}, {listed[i].status for i in ids})
        self.assertEqual({region.project_id},
                         {image.owner for image in listed.values()})

    def test_public_images_of_other_projects(self):
        # The sync account is admin in its project, so Glance would show it
        # every project's images without the owner filter.
        admin = self.cloud.keystones['keystone-a'].admin
        admin_session = auth.make_session(admin.auth())
        theirs = self.region('RegionTwo', session=admin_session)
        public = theirs.create_image(self.unique_name('public'),
                                     visibility='public', properties={})
        self.delete_later(theirs, public.id)
        private = theirs.create_image(self.unique_name('private'),
                                      visibility='private', properties={})
        self.delete_later(theirs, private.id)
        region = self.region('RegionTwo')
        own = {image.id for image in region.list_images()}
        self.assertNotIn(public.id, own)
        self.assertNotIn(private.id, own)
        with_public = {image.id
                       for image in region.list_images(include_public=True)}
        self.assertIn(public.id, with_public)
        self.assertNotIn(private.id, with_public)


class LifecycleTest(helpers.RegionTestCase):

    def test_properties_rename_visibility_state_delete(self):
        region = self.region('other:RegionFour')
        name = self.unique_name()
        image = region.create_image(
            name, visibility='private', disk_format='raw',
            container_format='bare', min_disk=2, min_ram=128,
            properties={'type': 'baseimage', 'nid': '42', 'gone': 'x'})
        self.delete_later(region, image.id)
        self.assertEqual(('queued', 'raw', 'bare', 2, 128),
                         (image.status, image.disk_format,
                          image.container_format, image.min_disk,
                          image.min_ram))
        self.assertEqual({'type': 'baseimage', 'nid': '42', 'gone': 'x'},
                         image.user_properties)

        updated = region.update(image.id, set_properties={'nid': '43',
                                                          'new': 'yes'},
                                remove_properties=['gone', 'never-there'])
        self.assertEqual({'type': 'baseimage', 'nid': '43', 'new': 'yes'},
                         updated.user_properties)
        self.assertEqual(updated, region.get_image(image.id))

        renamed = region.rename(image.id, name + '_obsolete')
        self.assertEqual(name + '_obsolete', renamed.name)
        self.assertEqual(updated.user_properties, renamed.user_properties)

        shown = region.update(image.id, visibility='public')
        self.assertEqual('public', shown.visibility)

        region.upload(image.id, [b'x' * 1000, b'y' * 24])
        region.deactivate(image.id)
        self.assertEqual('deactivated', region.get_image(image.id).status)
        region.reactivate(image.id)
        self.assertEqual(b'x' * 1000 + b'y' * 24,
                         b''.join(region.download(image.id)))

        region.delete(image.id)
        self.assertRaises(base.ImageNotFound, region.get_image, image.id)
        self.assertNotIn(image.id, {i.id for i in region.list_images()})
        region.delete(image.id)  # already gone: a no-op

    def test_ids_cannot_be_reused(self):
        region = self.region('RegionTwo')
        image = region.create_image(self.unique_name(), visibility='private',
                                    properties={})
        self.delete_later(region, image.id)
        exc = self.assertRaises(base.Conflict, region.create_image, 'again',
                                visibility='private', properties={},
                                image_id=image.id)
        self.assertIn(image.id, str(exc))
        self.assertIn('RegionTwo', str(exc))
        region.delete(image.id)
        # Not even after a delete: Glance keeps deleted ids.
        self.assertRaises(base.Conflict, region.create_image, 'again',
                          visibility='private', properties={},
                          image_id=image.id)

    def test_missing_image(self):
        region = self.region('RegionTwo')
        missing = '00000000-0000-4000-8000-000000000000'
        for call in (region.get_image, region.download, region.deactivate):
            with self.subTest(call=call.__name__):
                exc = self.assertRaises(base.ImageNotFound, call, missing)
                self.assertEqual('Image %s not found in region RegionTwo'
                                 % missing, str(exc))
        self.assertRaises(base.ImageNotFound, region.update, missing,
                          name='x')

    def test_data_not_in_the_disk_format(self):
        # glance 33 inspects uploads and refuses (415) data whose format is
        # not the declared one; the image stays queued.
        region = self.region('RegionTwo')
        image = region.create_image(self.unique_name(), visibility='private',
                                    properties={}, disk_format='qcow2',
                                    container_format='bare')
        self.delete_later(region, image.id)
        exc = self.assertRaises(base.Refused, region.upload, image.id,
                                [b'not a qcow2 image' * 100])
        self.assertIn('HTTP 415', str(exc))
        self.assertIn('uploading image %s' % image.id, str(exc))
        self.assertEqual('queued', region.get_image(image.id).status)

    def test_policy_refusal(self):
        demo = self.region('RegionTwo', session=self.user_session('demo'))
        exc = self.assertRaises(base.Refused, demo.create_image,
                                self.unique_name(), visibility='public',
                                properties={})
        self.assertIn('RegionTwo', str(exc))
        self.assertIn('HTTP 403', str(exc))


class FailureTest(helpers.RegionTestCase):

    def test_wrong_password(self):
        creds = self.cloud.target('other').credentials
        wrong = auth.make_session(v3.Password(
            auth_url=creds.auth_url, username=creds.username,
            password='not-the-password', project_name=creds.project_name,
            user_domain_name=creds.user_domain_name,
            project_domain_name=creds.project_domain_name))
        region = self.region('other:RegionFour', session=wrong)
        exc = self.assertRaises(base.AuthFailed, region.list_images)
        message = str(exc)
        self.assertIn('Authentication failed for region other:RegionFour',
                      message)
        self.assertIn('Keystone refused the credentials', message)
        self.assertIn('HTTP 401', message)
        self.assertNotIn('not-the-password', message)
        exc = self.assertRaises(base.AuthFailed, catalog.discover_regions,
                                wrong, target='other')
        self.assertIn('region other', str(exc))

    def test_stopped_glance(self):
        region = self.region('RegionThree')
        region.list_images()  # authenticated, endpoint known
        with self.stop_glance('RegionThree'):
            started = time.monotonic()
            exc = self.assertRaises(base.RegionUnavailable,
                                    region.list_images)
            elapsed = time.monotonic() - started
        self.assertLess(elapsed, helpers.CONNECT_TIMEOUT)
        self.assertIn('Region RegionThree is unavailable', str(exc))
        self.assertIn('while listing images', str(exc))
        # And back once it runs again.
        region.list_images()

    def test_glance_that_never_answers(self):
        # A listening socket nobody accepts on: the connection succeeds
        # (the kernel queues it) and the answer never comes, as with a hung
        # glance-api. Only the read timeout can end the wait.
        silent = socket.socket()
        self.addCleanup(silent.close)
        silent.bind(('127.0.0.1', 0))
        silent.listen(8)
        creds = self.cloud.target('master').credentials
        session = auth.make_session(creds.auth(), connect_timeout=2,
                                    read_timeout=2)
        region = self.region(
            'RegionThree', session=session,
            endpoint_override='http://127.0.0.1:%d' % silent.getsockname()[1])
        session.get_token()  # Keystone's time is not under test
        started = time.monotonic()
        exc = self.assertRaises(base.RegionUnavailable, region.get_image,
                                'abc')
        elapsed = time.monotonic() - started
        self.assertGreaterEqual(elapsed, 1.9)
        self.assertLess(elapsed, 5)
        self.assertIn('timed out', str(exc))
        self.assertIn('abc', str(exc))
