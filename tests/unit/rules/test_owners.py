from oslotest import base

from glance_sync.rules.owners import Owners, owned_by, owners_of, primary_of


class OwnersTest(base.BaseTestCase):

    def test_any_listed_project_or_none_owns(self):
        owners = Owners('admin', ['demo', 'admin'])
        self.assertEqual(('admin', 'demo'), owners.ids)
        for owner in ('admin', 'demo', None, ''):
            self.assertIn(owner, owners)
        self.assertNotIn('other', owners)

    def test_leading_zeros_compare_equal(self):
        self.assertIn('0001', Owners('1', ['2']))
        self.assertIn('02', Owners('1', ['2']))
        self.assertNotIn('3', Owners('1', ['2']))

    def test_owned_by_takes_one_id_or_several(self):
        self.assertTrue(owned_by('t', 't'))
        self.assertTrue(owned_by('000t', 't'))
        self.assertFalse(owned_by('demo', 't'))
        self.assertTrue(owned_by('demo', Owners('t', ['demo'])))
        self.assertFalse(owned_by('other', Owners('t', ['demo'])))

    def test_one_id_is_a_set_of_one(self):
        self.assertEqual(Owners('t'), owners_of('t'))
        owners = Owners('t', ['d'])
        self.assertIs(owners, owners_of(owners))
        self.assertEqual('t', primary_of(owners))
        self.assertEqual('t', primary_of('t'))

    def test_equality_ignores_order_after_the_primary(self):
        self.assertEqual(Owners('a', ['b', 'c']), Owners('a', ['c', 'b']))
        self.assertNotEqual(Owners('a', ['b']), Owners('b', ['a']))
        self.assertEqual(hash(Owners('a', ['b'])), hash(Owners('a', ['b'])))
