"""Site workers: a daemon that serves only some regions, and the takeover
of a region whose site worker is down.

Two sites: the master's (RegionOne, RegionThree, other:RegionFour) and
"east" (RegionTwo). Only the master site's worker runs; east's is down.
It copies its own regions at once and takes RegionTwo's task over once it
has waited ``[daemon] takeover_delay`` seconds unclaimed, so nothing
starves.
"""

from __future__ import annotations

from glance_sync.db import data_models as dm
from tests.functional.daemon import base

OWN = ('RegionThree', 'other:RegionFour')
#: Long enough that the master site's own copies are done well before.
TAKEOVER_DELAY = 20


class TakeoverTest(base.DaemonTestCase):

    def test_a_region_whose_worker_is_down_is_taken_over(self):
        west = self.start_daemon(
            'west', regions=', '.join(OWN),
            takeover_delay=str(TAKEOVER_DELAY))
        image = self.upload()
        self.wait_synced(image, OWN)
        # East's task waits for its own worker until the delay is over.
        east = self.journal().find(image.id, 'RegionTwo')
        self.assertEqual(dm.TaskState.QUEUED, east.state)
        self.wait_synced(image, ['RegionTwo'], timeout=TAKEOVER_DELAY + 60)
        tasks = self.wait_tasks_settled([image.id])
        self.assertEqual({'done'}, {t.state.value for t in tasks})
        self.assertIn('Taking over task %s (image %s, region RegionTwo)'
                      % (east.id, image.id), west.log())
        for region in OWN:
            self.assertNotIn('region %s): due for' % region, west.log())
