"""A target with ``metadata_only``: the daemon never sends it data.

Its regions get no copy of a new image, while the other target's do; a
copy its region already holds (made another way, same bytes) follows the
master's metadata changes in place.
"""

from __future__ import annotations

import os
import time

from tests.functional.daemon import base


class MetadataOnlyTargetTest(base.DaemonTestCase):

    def test_regions_of_the_target_receive_metadata_only(self):
        self.start_daemon(sync=self.sync_sections(
            master={'metadata_only': 'true',
                    'ignore_regions': 'RegionThree'}))
        data = os.urandom(64 * 1024)
        image = self.upload(data=data, kind='base')
        self.wait_synced(image, ('other:RegionFour',))
        self.wait_tasks_settled([image.id])
        self.assertEqual([], self.copies('RegionTwo', name=image.name))

        held = self.make_image('RegionTwo', name=image.name, data=data,
                               visibility='private', gs_test=self.token)
        self.glance(base.MASTER).images.update(image.id, kind='updated')
        copy = self.wait_copy('RegionTwo', held.id,
                              lambda c: c.get('kind') == 'updated')
        self.assertEqual('public', copy.visibility)
        self.wait_tasks_settled([image.id])
        [only] = self.copies('RegionTwo', name=image.name)
        self.assertEqual(held.id, only.id)

    def wait_copy(self, region, image_id, check, timeout=60):
        """The regional image once ``check(image)`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.glance(region).images.get(image_id)
            if check(found):
                return found
            if time.monotonic() > deadline:
                self.fail('image %s in %s never matched: %s'
                          % (image_id, region, dict(found)))
            time.sleep(0.3)
