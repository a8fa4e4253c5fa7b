"""The journal records each task's copy: bytes, seconds and source region.

A daemon copies a new master image to every region; each task then holds
what its copy wrote (the image's size), how long it took and where the
bytes came from (the master region). Under a region's bandwidth cap
(``[region:RegionTwo] max_rate``, as doc/source/multisite.rst gives it), the
recorded rate is the cap's: the image is four times the cap, so the
bucket's first burst (a quarter of a second) weighs little.
"""

from __future__ import annotations

from testtools import content

from tests.functional.daemon import base

MiB = base.MiB
#: Bytes per second into RegionTwo in the capped test.
CAP = 2 * MiB


class CopyRecordTest(base.DaemonTestCase):

    def copied_tasks(self, image):
        self.wait_synced(image, timeout=90)
        tasks = self.wait_tasks_settled([image.id])
        self.assertEqual({'done'}, {t.state.value for t in tasks})
        self.addDetail('copies', content.text_content('\n'.join(
            '%s: %s bytes in %s s from %s' % (t.region, t.bytes, t.seconds,
                                              t.source) for t in tasks)))
        return {task.region: task for task in tasks}

    def test_each_task_records_its_copy(self):
        self.start_daemon()
        image = self.upload(3 * MiB + 5)
        tasks = self.copied_tasks(image)
        self.assertEqual(set(base.TARGET_REGIONS), set(tasks))
        for region, task in tasks.items():
            self.assertEqual((image.size, base.MASTER),
                             (task.bytes, task.source), region)
            self.assertGreater(task.seconds, 0, region)
            self.assertEqual(image.size / task.seconds, task.rate)

    def test_a_capped_region_records_the_caps_rate(self):
        sync = self.sync_sections()
        sync['region:RegionTwo'] = {'max_rate': str(CAP)}
        daemon = self.start_daemon(sync=sync)
        image = self.upload(4 * CAP)
        task = self.copied_tasks(image)['RegionTwo']
        self.assertEqual((4 * CAP, base.MASTER), (task.bytes, task.source))
        self.assertLessEqual(abs(task.rate - CAP), CAP * 0.10,
                             'recorded %.0f B/s (%d bytes in %.2f s) under '
                             'a cap of %d B/s' % (task.rate, task.bytes,
                                                  task.seconds, CAP))
        self.assertIn('to region RegionTwo: %d bytes in' % (4 * CAP),
                      daemon.log())
        self.assertIn('(capped at 2.00 MiB/s)', daemon.log())
