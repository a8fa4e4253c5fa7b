"""Members of shared copies, with in-memory regions and directories."""

import fixtures
from oslotest import base

from glance_sync.regions.base import Refused
from glance_sync.regions.members import ImageMembers, ProjectDirectory
from glance_sync.rules.options import TargetRules
from glance_sync.sync import members
from tests.unit.rules import fakes


class FakeRegion(ImageMembers):
    """Only what member following calls."""

    def __init__(self, name, shared=None):
        self.name = name
        self.shared = {k: set(v) for k, v in (shared or {}).items()}
        self.calls = []

    def members(self, image_id):
        return set(self.shared.get(image_id, ()))

    def add_member(self, image_id, project_id):
        self.calls.append(('add', image_id, project_id))
        self.shared.setdefault(image_id, set()).add(project_id)

    def remove_member(self, image_id, project_id):
        self.calls.append(('remove', image_id, project_id))
        self.shared[image_id].discard(project_id)


class Directory(ProjectDirectory):

    def __init__(self, projects):
        self.projects = projects  # id -> name

    def name_of(self, project_id):
        return self.projects.get(project_id)

    def id_of(self, name):
        ids = [i for i, n in self.projects.items() if n == name]
        return ids[0] if len(ids) == 1 else None




class FollowMembersTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())
        self.image = fakes.image('img', 'm1', public=False).copy(
            visibility='shared')
        self.master = FakeRegion('RegionOne', {'m1': {'a-dev', 'a-ops',
                                                      'a-solo'}})
        self.dirs = {'master': Directory({'a-dev': 'dev', 'a-ops': 'ops',
                                          'a-solo': 'solo'}),
                     'other': Directory({'b-dev': 'dev',
                                         'b-operations': 'operations',
                                         'b-old': 'old'})}

    def test_same_keystone_same_ids(self):
        region = FakeRegion('RegionTwo', {'c1': {'stale'}})
        translate = members.translator('master', fakes.rules(),
                                       self.dirs.get)
        changes = members.follow_members(self.master, self.image, region,
                                         'c1', translate)
        self.assertEqual({'a-dev', 'a-ops', 'a-solo'}, region.shared['c1'])
        self.assertEqual(frozenset({'stale'}), changes.remove)
        self.assertFalse(changes.unmapped)

    def test_other_keystone_by_name_and_map(self):
        region = FakeRegion('other:RegionFour', {'c1': {'b-old'}})
        rules = TargetRules(name='other',
                            member_project_map=(('ops', 'operations'),))
        translate = members.translator('other', rules, self.dirs.get)
        unmapped = members.follow_images(self.master, [self.image], region,
                                         {'img': 'c1'}, translate)
        self.assertEqual({'b-dev', 'b-operations'}, region.shared['c1'])
        self.assertEqual({'img': frozenset({'a-solo'})}, unmapped)
        self.assertIn('image img is shared with project(s) a-solo',
                      self.logger.output)

    def test_not_shared_untouched(self):
        region = FakeRegion('RegionTwo', {'c1': {'x'}})
        image = self.image.copy(visibility='private')
        members.follow_members(self.master, image, region, 'c1',
                               lambda ids: {})
        self.assertEqual([], region.calls)

    def test_refused_member_logged_others_go_on(self):
        region = FakeRegion('RegionTwo', {'c1': set()})

        def refuse(image_id, project_id):
            if project_id == 'a-dev':
                raise Refused('RegionTwo', action='adding a member',
                              reason='Only shared images have members')
            region.shared['c1'].add(project_id)
        region.add_member = refuse
        members.follow_members(self.master, self.image, region, 'c1',
                               lambda ids: {p: p for p in ids})
        self.assertEqual({'a-ops', 'a-solo'}, region.shared['c1'])
        self.assertIn('cannot share image img with a-dev',
                      self.logger.output)
