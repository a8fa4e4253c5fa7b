"""The daemon's retry and wait paths against the real cloud.

- A region down for 30 s while its task runs: the task is retried with
  backoff (state ``retrying``, attempts counted) and completes once the
  region's glance-api is back, with one intact copy.
- A snapshot whose data arrives slowly (and is changed meanwhile, which
  makes a task): the task finds the master image still being written and
  waits (``snapshot_sleep_interval``) instead of
  copying half an image; once the upload completes the image is read from
  the master exactly once and copied to every region.
"""

from __future__ import annotations

import os
import threading
import time

from glance_sync.db import data_models as dm
from tests.functional import base as functional_base
from tests.functional.daemon import base

#: The region taken down (the tests that stop a region share it).
REGION = 'RegionThree'
#: How long the region stays down once its task has failed.
OUTAGE = 30.0
#: Seconds to wait for the daemon at each step.
WAIT = 120.0


class RegionDownTest(base.DaemonTestCase):

    def test_task_retries_until_the_region_is_back(self):
        daemon = self.start_daemon(
            sync=self.sync_sections(master={'ignore_regions': 'RegionTwo'}),
            DEFAULT__task_retry_times='100', DEFAULT__retry_backoff='0.5',
            DEFAULT__retry_backoff_max='2')
        with self.stop_glance(REGION):
            down_since = time.monotonic()
            image = self.upload()
            task = self.wait_task(image.id, lambda t: (
                t.state is dm.TaskState.RETRYING and t.attempts >= 2))
            self.assertIn(REGION, task.last_error)
            # The region stays down for the whole outage, whatever the
            # backoff did meanwhile.
            time.sleep(max(0.0, OUTAGE - (time.monotonic() - down_since)))
            retried = self.wait_task(image.id, lambda t: t.attempts >= 2)
            self.assertIn(retried.state, dm.ACTIVE_STATES)
        copies = self.wait_synced(image, (REGION, 'other:RegionFour'),
                                  timeout=WAIT)
        self.assertEqual(image.id, copies[REGION]['glance_sync_source'])
        done = self.wait_task(image.id, lambda t: t.state is dm.TaskState.DONE)
        self.assertGreaterEqual(done.attempts, 1)
        self.assertIn('retrying in', daemon.log())

    def wait_task(self, image_id, check, region=REGION):
        """The image's task in ``region`` once ``check(task)`` holds."""
        deadline = time.monotonic() + WAIT
        while True:
            tasks = [t for t in self.journal().list_tasks()
                     if t.image_id == image_id and t.region == region]
            found = [t for t in tasks if check(t)]
            if found:
                return found[0]
            if time.monotonic() > deadline:
                self.fail('task of %s in %s never got there: %s' % (
                    image_id, region,
                    [(t.state.value, t.attempts, t.last_error)
                     for t in tasks]))
            time.sleep(0.3)


class GatedReader(functional_base.BytesReader):
    """Gives its first chunk at once, the rest once :attr:`gate` is set:
    an upload that stays ``saving`` as long as the test wants."""

    def __init__(self, data: bytes, first: int) -> None:
        super().__init__(data)
        self.first = first
        self.gate = threading.Event()

    def read(self, n: int = -1) -> bytes:
        sent = len(self.data) - self.remaining
        if sent >= self.first and self.remaining:
            if not self.gate.wait(WAIT):
                raise IOError('the test never opened the gate')
        elif n is None or n < 0 or n > self.first - sent:
            n = self.first - sent
        return super().read(n)


class SlowSnapshotTest(base.DaemonTestCase):

    def test_task_waits_then_copies_once(self):
        daemon = self.start_daemon(
            sync=self.sync_sections(master={'ignore_regions': 'RegionThree'}),
            snapshot_sleep_interval='1', snapshot_timeout='300')
        glance = self.glance(base.MASTER)
        data = os.urandom(3 * base.MiB)
        image = glance.images.create(
            name='slow-%s' % self.token, disk_format='raw',
            container_format='bare', visibility='public', gs_test=self.token)
        self.addCleanup(self.delete_image, base.MASTER, image.id)
        reader = GatedReader(data, first=64 * 1024)
        uploading = threading.Thread(
            target=glance.images.upload, args=(image.id, reader))
        uploading.start()
        self.addCleanup(uploading.join, WAIT)
        self.addCleanup(reader.gate.set)
        try:
            self.wait_image(base.MASTER, image.id, 'saving', timeout=WAIT)
            # A change while the data is written (a snapshot's properties
            # set by Nova) makes a task that finds the image unfinished.
            glance.images.update(image.id, snapshot_step='writing')
            self.wait_logged(daemon, 'master image %s is saving' % image.id,
                             timeout=WAIT)
            self.wait_logged(daemon, 'looking again in', timeout=WAIT)
            self.assertEqual([], self.copies('RegionTwo', name=image.name))
        finally:
            reader.gate.set()
        uploading.join(WAIT)
        master = self.wait_image(base.MASTER, image.id)
        self.assertEqual(len(data), master.size)
        copies = self.wait_synced(master, ('RegionTwo', 'other:RegionFour'),
                                  timeout=WAIT)
        for copy in copies.values():
            self.assertEqual(master.id, copy['glance_sync_source'])
        self.wait_tasks_settled([image.id], timeout=WAIT)
        # Read once from the master, for both regions: no half copy, no
        # second transfer.
        log = daemon.log()
        self.assertEqual([(str(len(data)), 'RegionTwo, other:RegionFour')],
                         functional_base.reads_of(log, image.name), log)
