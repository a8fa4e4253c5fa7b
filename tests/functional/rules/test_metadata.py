"""Metadata updates of existing copies, end to end through the CLI.

With ``metadata_set`` only its properties follow the master (set,
changed, removed) and the region's own are left alone; without it the
copy carries exactly the master's properties. Visibility always follows.
The copy is updated in place, never uploaded again.
"""

from __future__ import annotations

from tests.functional.manage import base


class MetadataTest(base.ManageTestCase):

    def _first_sync(self, conf, **props):
        master = self.master_image('image', 1024, **props)
        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        return master, self.one_image('RegionTwo', master.name)

    def test_metadata_set(self):
        conf = self.native_config({'target:master': {
            'metadata_set': 'type, nid'}})
        master, copy = self._first_sync(conf, type='base', nid='1',
                                        extra='x')
        self.assertEqual(('base', '1'), (copy.type, copy.nid))
        self.assertNotIn('extra', copy)
        glance = self.glance('RegionTwo')
        glance.images.update(copy.id, local='keep')
        key = ('RegionTwo', master.name)
        # A property of the region's own is no difference.
        self.assertEqual({key: 'ok'}, self.statuses(conf, 'RegionTwo', rc=0))

        self.glance(self.cloud.master_region).images.update(
            master.id, type='updated', extra='y', other='z',
            visibility='private', remove_props=['nid'])
        self.assertEqual({key: 'pending_metadata'},
                         self.statuses(conf, 'RegionTwo', rc=1))
        self.manage(conf, 'sync', '--dry-run', 'RegionTwo', rc=1)
        unchanged = glance.images.get(copy.id)
        self.assertEqual(('base', '1', 'public'), (
            unchanged.type, unchanged.nid, unchanged.visibility))

        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        updated = self.one_image('RegionTwo', master.name)
        self.assertEqual(copy.id, updated.id)
        self.assertEqual(('updated', 'keep', 'private'), (
            updated.type, updated.local, updated.visibility))
        for gone in ('nid', 'extra', 'other'):
            self.assertNotIn(gone, updated)
        self.assertEqual({key: 'ok'}, self.statuses(conf, 'RegionTwo', rc=0))

    def test_without_metadata_set_every_property_follows(self):
        conf = self.native_config()
        master, copy = self._first_sync(conf, type='base', nid='1')
        self.assertEqual(('base', '1', self.token),
                         (copy.type, copy.nid, copy.gstest))
        self.glance('RegionTwo').images.update(copy.id, local='drop')
        self.glance(self.cloud.master_region).images.update(
            master.id, type='updated', remove_props=['nid'])
        key = ('RegionTwo', master.name)
        self.assertEqual({key: 'pending_metadata'},
                         self.statuses(conf, 'RegionTwo', rc=1))

        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        updated = self.one_image('RegionTwo', master.name)
        self.assertEqual((copy.id, 'updated', master.id),
                         (updated.id, updated.type,
                          updated.glance_sync_source))
        self.assertNotIn('nid', updated)
        self.assertNotIn('local', updated)
        self.assertEqual({key: 'ok'}, self.statuses(conf, 'RegionTwo', rc=0))
