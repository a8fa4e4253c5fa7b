"""The daemon makes the members of a shared image's copies its master's.

Member changes bypass Glance's image repository (no event): they reach
the regions with the image's next task, here made by a property change.
"""

from __future__ import annotations

import time

from tests.functional.daemon import base

_IDENTITY = {'service_type': 'identity', 'interface': 'public',
             'version': (3, 0)}


class MembersTaskTest(base.DaemonTestCase):

    def project_id(self, target, name):
        resp = self.session(target).get('/projects', params={'name': name},
                                        endpoint_filter=_IDENTITY)
        [project] = resp.json()['projects']
        return project['id']

    def members(self, region, image_id):
        return {m['member_id'] for m in
                self.glance(region).image_members.list(image_id)}

    def wait_members(self, region, image_id, expected, timeout=60):
        deadline = time.monotonic() + timeout
        while self.members(region, image_id) != expected:
            if time.monotonic() > deadline:
                self.fail('members of %s in %s: %s, not %s' % (
                    image_id, region, self.members(region, image_id),
                    expected))
            time.sleep(0.3)

    def test_members_follow_with_the_next_task(self):
        self.start_daemon(sync=self.sync_sections(
            master={'ignore_regions': 'RegionThree'}))
        image = self.upload(visibility='shared')
        copies = self.wait_synced(image, ('RegionTwo', 'other:RegionFour'))
        self.assertEqual('shared', copies['RegionTwo'].visibility)
        master = self.glance(base.MASTER)
        master.image_members.create(image.id, self.project_id('master',
                                                              'service'))
        master.images.update(image.id, step='shared')
        self.wait_members('RegionTwo', copies['RegionTwo'].id,
                          {self.project_id('master', 'service')})
        self.wait_members('other:RegionFour', copies['other:RegionFour'].id,
                          {self.project_id('other', 'service')})
