"""Acceptance 3: ``kill -9`` in the middle of a transfer leaves nothing
behind once the daemon is started again."""

import time

from tests.functional.daemon import base

REGIONS = ('RegionTwo', 'other:RegionFour')


class KillTest(base.DaemonTestCase):

    def wait_for_transfer(self, name, timeout=60):
        """The first region where a copy of ``name`` is being written."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for region in REGIONS:
                statuses = [c.status for c in self.copies(region, name=name)]
                if 'saving' in statuses:
                    return region
            time.sleep(0.1)
        self.fail('no copy of %s was being written within %ds'
                  % (name, timeout))

    def test_kill_9_mid_transfer_then_restart(self):
        daemon = self.start_daemon(
            sync=self.sync_sections(master={'ignore_regions': 'RegionThree'}))
        image = self.upload(256 * base.MiB)
        self.wait_for_transfer(image.name)
        daemon.kill()
        interrupted = {region: [c.status for c in self.copies(
            region, name=image.name)] for region in REGIONS}
        self.addDetail('after-kill', base.content.text_content(
            repr(interrupted)))
        self.assertTrue(any(s in ('queued', 'saving')
                            for statuses in interrupted.values()
                            for s in statuses), interrupted)
        daemon.start()
        # wait_synced fails on a second copy, active or not.
        self.wait_synced(image, REGIONS, timeout=90)
        for region in REGIONS:
            copies = self.copies(region, name=image.name)
            self.assertEqual(['active'], [c.status for c in copies])
        tasks = self.wait_tasks_settled([image.id])
        self.assertEqual({('done', r) for r in REGIONS},
                         {(t.state.value, t.region) for t in tasks})
