"""Members of shared images follow the master, under both Keystones.

In a region of the master's Keystone the copy is shared with the same
project ids; in the other Keystone with the projects of the same name
there. A member with no project of that name is reported (exit status 1,
a warning naming it) and never guessed.
"""

from __future__ import annotations

import uuid

from tests.functional.manage import base

_IDENTITY = {'service_type': 'identity', 'interface': 'public',
             'version': (3, 0)}


class MembersTest(base.ManageTestCase):

    def project_id(self, target: str, name: str) -> str:
        resp = self.session(target).get('/projects', params={'name': name},
                                        endpoint_filter=_IDENTITY)
        [project] = resp.json()['projects']
        return project['id']

    def members(self, region: str, image_id: str) -> set[str]:
        return {m['member_id'] for m in
                self.glance(region).image_members.list(image_id)}

    def test_members_follow_under_both_keystones(self):
        conf = self.native_config()
        service_a = self.project_id('master', 'service')
        service_b = self.project_id('other', 'service')
        nowhere = uuid.uuid4().hex
        master = self.master_image('shared', 1024, visibility='shared')
        glance = self.glance(self.cloud.master_region)
        for project in (service_a, nowhere):
            glance.image_members.create(master.id, project)

        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        copy = self.one_image('RegionTwo', master.name)
        self.assertEqual('shared', copy.visibility)
        self.assertEqual({service_a, nowhere},
                         self.members('RegionTwo', copy.id))

        result = self.manage(conf, 'sync', 'other:RegionFour', rc=1)
        self.assertIn('shared with project(s) %s' % nowhere, result.stderr)
        other = self.one_image('other:RegionFour', master.name)
        self.assertEqual({service_b},
                         self.members('other:RegionFour', other.id))

        # A member removed from the master goes from the copies, in place.
        glance.image_members.delete(master.id, nowhere)
        self.manage(conf, 'sync', 'RegionTwo', 'other:RegionFour', rc=0)
        self.assertEqual({service_a}, self.members('RegionTwo', copy.id))
        self.assertEqual(copy.id, self.one_image('RegionTwo', master.name).id)
        self.assertEqual({service_b},
                         self.members('other:RegionFour', other.id))
