"""Metadata-only syncs and ``dont_replicate``, end to end through the CLI.

``glance-sync-manage sync --metadata-only`` and a target with
``metadata_only = true`` update the copies a region already holds (in
place: same id) and never send data: a missing image stays
``pending_upload``, a copy with other content stays as it is. Properties
named in ``dont_replicate`` are never copied, compared nor removed.
"""

from __future__ import annotations

import os

from tests.functional.manage import base


class MetadataOnlyTest(base.ManageTestCase):

    def test_sync_metadata_only_never_uploads(self):
        conf = self.native_config()
        first = self.master_image('first', 1024, type='base')
        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        copy = self.one_image('RegionTwo', first.name)
        second = self.master_image('second', 2048, type='base')
        master = self.glance(self.cloud.master_region)
        master.images.update(first.id, type='updated')
        self.assertEqual({('RegionTwo', first.name): 'pending_metadata',
                          ('RegionTwo', second.name): 'pending_upload'},
                         self.statuses(conf, 'RegionTwo', rc=1))

        self.manage(conf, 'sync', '--metadata-only', 'RegionTwo', rc=0)
        updated = self.one_image('RegionTwo', first.name)
        self.assertEqual((copy.id, 'updated'), (updated.id, updated.type))
        self.assertEqual([], self.images_named('RegionTwo', second.name))
        self.assertEqual({('RegionTwo', first.name): 'ok',
                          ('RegionTwo', second.name): 'pending_upload'},
                         self.statuses(conf, 'RegionTwo', rc=1))

        # A full sync still copies what the metadata-only one left.
        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        self.assertEqual(second.checksum,
                         self.one_image('RegionTwo', second.name).checksum)

    def test_target_that_never_receives_data(self):
        data = os.urandom(1024)
        master = self.master_image('held', data=data, type='base')
        # The region holds the same bytes already, made another way.
        held = self.region_image('RegionTwo', 'held', data=data,
                                 visibility='private')
        other = self.master_image('other', 2048, type='base')
        stale = self.region_image('RegionTwo', 'other', 2048)
        missing = self.master_image('missing', 512, type='base')
        conf = self.native_config({'target:master': {
            'metadata_only': 'true', 'replace': 'any'}})

        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        copy = self.one_image('RegionTwo', master.name)
        self.assertEqual((held.id, 'public', 'base'),
                         (copy.id, copy.visibility, copy.type))
        # glance-sync did not make it: it does not claim it as its copy.
        self.assertNotIn('glance_sync_source', copy)
        # Other content is not replaced, a missing image not uploaded.
        self.assertEqual(stale.id,
                         self.one_image('RegionTwo', other.name).id)
        self.assertEqual([], self.images_named('RegionTwo', missing.name))
        self.assertEqual({('RegionTwo', master.name): 'ok',
                          ('RegionTwo', other.name): 'pending_replace',
                          ('RegionTwo', missing.name): 'pending_upload'},
                         # Nothing left that this target's syncs would do.
                         self.statuses(conf, 'RegionTwo', rc=0))


class DontReplicateTest(base.ManageTestCase):

    def test_named_properties_never_copied_compared_nor_removed(self):
        conf = self.native_config({'sync': {
            'dont_replicate': 'secret, local'}})
        master = self.master_image('image', 1024, type='base',
                                   secret='master-only')
        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        copy = self.one_image('RegionTwo', master.name)
        self.assertEqual('base', copy.type)
        self.assertNotIn('secret', copy)

        key = ('RegionTwo', master.name)
        glance = self.glance('RegionTwo')
        glance.images.update(copy.id, local='regional')
        master_glance = self.glance(self.cloud.master_region)
        master_glance.images.update(master.id, secret='changed')
        # Neither the region's own value nor the master's change counts.
        self.assertEqual({key: 'ok'}, self.statuses(conf, 'RegionTwo', rc=0))

        master_glance.images.update(master.id, type='updated')
        self.assertEqual({key: 'pending_metadata'},
                         self.statuses(conf, 'RegionTwo', rc=1))
        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        updated = self.one_image('RegionTwo', master.name)
        self.assertEqual((copy.id, 'updated', 'regional'),
                         (updated.id, updated.type, updated.local))
        self.assertNotIn('secret', updated)
