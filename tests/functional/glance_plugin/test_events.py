"""The plugin inside the real master glance-api publishes image events."""

import io
import os

from glance_sync.glance_plugin import events
from tests.functional import base
from tests.functional import messaging


class PluginEventsTest(base.FunctionalTestCase):

    def setUp(self):
        super().setUp()
        if not self.cloud.plugin:
            self.skipTest('the local cloud runs without the glance-sync '
                          'plugin (start it with: up --plugin)')
        self.collector = self._collector()
        self.glance_master = self.glance('RegionOne')

    def _collector(self):
        collector = messaging.EventCollector().__enter__()
        self.addCleanup(collector.__exit__, None, None, None)
        return collector

    def test_upload_publishes_created_then_uploaded_with_hashes(self):
        image = self.make_image('RegionOne', 4096, visibility='public',
                                type='base')
        created = self.collector.wait_for(image.id, events.CREATED)
        self.assertEqual('queued', created['status'])
        uploaded = self.collector.wait_for(image.id, events.UPLOADED)
        self.assertEqual((4096, image.checksum, image.os_hash_value),
                         (uploaded['size'], uploaded['checksum'],
                          uploaded['os_hash_value']))
        self.assertEqual('public', uploaded['visibility'])
        self.assertEqual({'type': 'base'}, uploaded['properties'])
        self.assertEqual(image.owner, uploaded['owner'])

    def test_upload_of_several_mib_publishes_uploaded(self):
        # glanceclient streams the data chunked: uWSGI must take chunked
        # input of 1 MiB and more (run-tests runs this under both servers).
        image = self.make_image('RegionOne', 3 << 20)
        uploaded = self.collector.wait_for(image.id, events.UPLOADED)
        self.assertEqual(3 << 20, uploaded['size'])

    def test_rename_to_obsolete_update_deactivate_delete(self):
        image = self.make_image('RegionOne', 1024, name='plugin-ev-img')
        self.collector.wait_for(image.id, events.UPLOADED)
        self.glance_master.images.update(image.id, name='plugin-ev-img'
                                         '_obsolete')
        renamed = self.collector.wait_for(image.id, events.RENAMED)
        self.assertEqual('plugin-ev-img', renamed['previous_name'])
        self.assertTrue(renamed['obsolete'])
        self.glance_master.images.update(image.id, colour='blue')
        updated = self.collector.wait_for(image.id, events.UPDATED)
        self.assertEqual('blue', updated['properties']['colour'])
        self.glance_master.images.deactivate(image.id)
        self.collector.wait_for(image.id, events.DEACTIVATED)
        self.glance_master.images.reactivate(image.id)
        self.collector.wait_for(image.id, events.REACTIVATED)
        self.glance_master.images.delete(image.id)
        deleted = self.collector.wait_for(image.id, events.DELETED)
        self.assertEqual('deleted', deleted['status'])

    def test_noop_update_publishes_nothing(self):
        image = self.make_image('RegionOne', 512, colour='red')
        self.collector.wait_for(image.id, events.UPLOADED)
        self.glance_master.images.update(image.id, colour='red')
        self.assertEqual([], self.collector.drain(image.id))

    def test_glance_direct_import_publishes_uploaded(self):
        data = os.urandom(2048)
        image = self.glance_master.images.create(
            name='plugin-import', disk_format='raw',
            container_format='bare')
        self.addCleanup(self.delete_image, 'RegionOne', image.id)
        self.glance_master.images.stage(image.id, io.BytesIO(data))
        self.glance_master.images.image_import(image.id,
                                               method='glance-direct')
        uploaded = self.collector.wait_for(image.id, events.UPLOADED,
                                           timeout=60)
        self.assertEqual(len(data), uploaded['size'])
        self.assertEqual('active', uploaded['status'])
