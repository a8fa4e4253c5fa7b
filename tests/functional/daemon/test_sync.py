"""Acceptance 1 and 6: an upload reaches every selected region by itself,
with the thread executor and with the eventlet one."""

import time

from tests.functional import base as functional_base
from tests.functional.daemon import base


class UploadTest(base.DaemonTestCase):

    executor = 'threads'

    def test_upload_reaches_every_selected_region_within_30s(self):
        daemon = self.start_daemon(
            sync=self.sync_sections(master={'ignore_regions': 'RegionThree'}),
            DEFAULT__executor=self.executor)
        image = self.upload(32 * base.MiB)
        uploaded = time.monotonic()
        copies = self.wait_synced(image, ('RegionTwo', 'other:RegionFour'),
                                  timeout=30)
        elapsed = time.monotonic() - uploaded
        self.addDetail('seconds-to-all-regions',
                       base.content.text_content('%.1f' % elapsed))
        self.assertLess(elapsed, 30)
        for copy in copies.values():
            self.assertEqual(image.id, copy['glance_sync_source'])
            self.assertEqual('public', copy.visibility)
        # The unselected region has nothing, even once the others are done.
        self.assertEqual([], self.copies('RegionThree', name=image.name))
        # One read of the master fed both regions (the tasks of an image
        # share a transfer).
        log = daemon.log()
        self.assertEqual([(str(image.size), 'RegionTwo, other:RegionFour')],
                         functional_base.reads_of(log, image.name), log)


class EventletUploadTest(UploadTest):

    executor = 'eventlet'
