"""AMI images, end to end through the CLI, in both Keystones.

An ``ami`` image points to its kernel (``aki``) and ramdisk (``ari``) by
UUID. After a sync each region's copy points to that region's own copies
(``kernel_id``/``ramdisk_id`` remapped); a copy already there is fixed in
place (``pending_ami``); a kernel the target does not synchronise leaves
the image ``error_ami``, pointing to ``__<kernel name>`` as in GlanceSync.
"""

from __future__ import annotations

import os

from tests.functional.manage import base

REGIONS = ('RegionTwo', 'other:RegionFour')


class AmiTest(base.ManageTestCase):

    def _ami(self, label, size, **attrs):
        return self.master_image(label, size, disk_format=label[:3],
                                 container_format=label[:3], **attrs)

    def test_kernel_and_ramdisk_remapped_per_region(self):
        kernel = self._ami('aki', 1024)
        ramdisk = self._ami('ari', 1536)
        data = os.urandom(4096)
        image = self._ami('ami', data=data, size=0, kernel_id=kernel.id,
                          ramdisk_id=ramdisk.id)
        # A kernel of the master that this target does not synchronise.
        foreign_kernel = self._ami('aki-unsynced', 512, gstest='no')
        orphan = self._ami('ami-orphan', 2048, kernel_id=foreign_kernel.id)
        # RegionFour already has the image, pointing to a stale kernel.
        present = self.region_image(
            'other:RegionFour', 'ami', data=data, disk_format='ami',
            container_format='ami', gstest=self.token, kernel_id='stale')
        conf = self.native_config()

        pending = {image.name: 'pending_upload' for image in (
            kernel, ramdisk, image, orphan)}
        self.assertEqual(
            {**self._keyed('RegionTwo', pending),
             **self._keyed('other:RegionFour',
                           dict(pending, **{image.name: 'pending_ami'}))},
            self.statuses(conf, *REGIONS, rc=1))

        done = self.manage(conf, 'sync', *REGIONS, rc=1)
        self.assertIn('Not found %s on region' % foreign_kernel.name,
                      done.stderr)
        after = {kernel.name: 'ok', ramdisk.name: 'ok', image.name: 'ok',
                 orphan.name: 'error_ami'}
        self.assertEqual(
            {**self._keyed('RegionTwo', after),
             **self._keyed('other:RegionFour', after)},
            self.statuses(conf, *REGIONS, rc=1))
        for region in REGIONS:
            copy = self.one_image(region, image.name)
            self.assertEqual(
                (self.one_image(region, kernel.name).id,
                 self.one_image(region, ramdisk.name).id),
                (copy.kernel_id, copy.ramdisk_id), region)
            self.assertNotIn(copy.kernel_id, (kernel.id, 'stale'))
            self.assertEqual('__' + foreign_kernel.name,
                             self.one_image(region, orphan.name).kernel_id)
            self.assertEqual([], self.images_named(region,
                                                   foreign_kernel.name))
        self.assertEqual(present.id,
                         self.one_image('other:RegionFour', image.name).id)

    def _keyed(self, region, statuses):
        return {(region, name): status for name, status in statuses.items()}
