"""``match_by = id`` against the local cloud.

Every copy gets its master image's UUID, in both Keystones. A UUID that
was deleted in a region cannot be given again (Glance answers 409): the
sync reports it as an error naming the image, once per sync, and
synchronises everything else.
"""

from __future__ import annotations

import json

from tests.functional.manage import base

REGIONS = ('RegionTwo', 'RegionThree', 'other:RegionFour')
BY_ID = {'target:master': {'match_by': 'id'},
         'target:other': {'match_by': 'id'}}


class MatchByIdTest(base.ManageTestCase):

    def test_same_uuid_everywhere(self):
        images = [self.master_image('a', 1024),
                  self.master_image('b', 4096, type='base')]
        conf = self.native_config(BY_ID)
        self.manage(conf, 'sync', *REGIONS, rc=0)
        for region in REGIONS:
            for image in images:
                copy = self.one_image(region, image.name)
                self.assertEqual((image.id, image.checksum),
                                 (copy.id, copy.checksum), region)
        # A rename in the master renames the copies, ids unchanged.
        self.glance(self.cloud.master_region).images.update(
            images[0].id, name=self.name('renamed'))
        self.manage(conf, 'sync', *REGIONS, rc=0)
        for region in REGIONS:
            self.assertEqual(images[0].id, self.one_image(
                region, self.name('renamed')).id)
        self.assertEqual([], json.loads(self.manage(
            conf, '-f', 'json', 'compare', *REGIONS, rc=0).stdout))

    def test_a_deleted_uuid_is_an_error_status(self):
        gone = self.master_image('gone', 1024)
        kept = self.master_image('kept', 2048)
        conf = self.native_config(BY_ID)
        self.manage(conf, 'sync', 'RegionThree', rc=0)
        self.delete_image('RegionThree', gone.id)
        later = self.master_image('later', 1024)
        for _ in range(2):  # tried once per sync, never looped on
            done = self.manage(conf, '-f', 'json', 'sync', 'RegionThree',
                               rc=1)
            row, = json.loads(done.stdout)
            self.assertEqual(('needs attention', 1, 0),
                             (row['result'], row['errors'], row['pending']))
            self.assertIn('image %s cannot be copied with its master id'
                          % gone.name, done.stderr)
            self.assertIn(gone.id, done.stderr)
            self.assertEqual(1, done.stderr.count('cannot be copied'))
        self.assertEqual(later.id, self.one_image('RegionThree',
                                                  later.name).id)
        self.assertEqual(kept.id, self.one_image('RegionThree',
                                                 kept.name).id)
        self.assertEqual([], self.images_named('RegionThree', gone.name))
