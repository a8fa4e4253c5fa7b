"""The daemon puts each copy into the stores its target names, with
copy-image (RegionTwo's glance-api has the extra stores edge1 and
edge2)."""

from __future__ import annotations

import time

from tests.functional.daemon import base


class StoresTaskTest(base.DaemonTestCase):

    def test_copy_reaches_the_named_stores(self):
        self.start_daemon(sync=self.sync_sections(master={
            'stores': 'edge1,edge2', 'ignore_regions': 'RegionThree'}))
        image = self.upload()
        [copy] = self.wait_synced(image, ('RegionTwo',)).values()
        deadline = time.monotonic() + 60
        while set(copy.get('stores', '').split(',')) != {
                'local', 'edge1', 'edge2'}:
            if time.monotonic() > deadline:
                self.fail('copy %s is in stores %r' % (copy.id,
                                                       copy.get('stores')))
            time.sleep(0.3)
            copy = self.glance('RegionTwo').images.get(copy.id)
        [task] = [t for t in self.wait_tasks_settled([image.id])
                  if t.region == 'RegionTwo']
        self.assertEqual('done', task.state.value)
