"""Member changes of a shared image's copy."""

from oslotest import base

from glance_sync.rules.members import MemberChanges, plan_members


class PlanMembersTest(base.BaseTestCase):

    def test_add_remove_and_unmapped(self):
        changes = plan_members(['p1', 'p2', 'p3'],
                               {'p1': 'q1', 'p2': None, 'p3': 'q3'},
                               ['q3', 'q9'])
        self.assertEqual(MemberChanges(frozenset({'q1'}), frozenset({'q9'}),
                                       frozenset({'p2'})), changes)

    def test_missing_translation_is_unmapped_never_guessed(self):
        changes = plan_members(['p1'], {}, ['p1'])
        self.assertEqual(frozenset({'p1'}), changes.unmapped)
        # The regional member of the same id is not the master's.
        self.assertEqual(frozenset({'p1'}), changes.remove)

    def test_in_step(self):
        self.assertTrue(plan_members(['p'], {'p': 'p'}, ['p']).empty)
