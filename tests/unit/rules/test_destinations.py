from oslotest import base

from glance_sync.images import Image
from glance_sync.rules import destinations
from glance_sync.rules.selection import MasterIndex
from tests.unit.daemon import fakes

DISCOVERED = {'master': ['Master', 'R2', 'R3'], 'other': ['O1', 'O2']}


def image(name, image_id=None, public=True, owner='tm', **props):
    return Image(id=image_id or 'id-' + name, name=name, region='Master',
                 owner=owner, visibility='public' if public else 'private',
                 status='active', size=10, checksum='sum-' + name,
                 user_properties=props)


def selector(strategy='rules', **rules):
    settings = fakes.settings(**rules)
    return destinations.RegionSelector(
        settings, destinations.candidate_regions(settings, DISCOVERED),
        master_tenant='tm', strategy=destinations.Strategy(strategy))


class CandidateRegionsTest(base.BaseTestCase):

    def test_master_region_and_ignored_regions_are_left_out(self):
        settings = fakes.settings(master={'ignore_regions': ['R3']},
                                  other={'ignore_regions': ['other:O2']})
        self.assertEqual({'master': ('R2',), 'other': ('other:O1',)},
                         destinations.candidate_regions(settings, DISCOVERED))

    def test_preferable_order_comes_first(self):
        settings = fakes.settings()
        settings = settings.__class__(
            master_region='Master', targets=settings.targets,
            preferable_order=('R3', 'other:O2'))
        found = destinations.candidate_regions(settings, DISCOVERED)
        self.assertEqual(('R3', 'R2'), found['master'])
        self.assertEqual(('other:O2', 'other:O1'), found['other'])


CANDIDATES = {'master': ('R2', 'R3'), 'other': ('other:O1', 'other:O2')}


class ParseRegionsTest(base.BaseTestCase):

    def test_names_targets_and_separators(self):
        self.assertEqual(frozenset({'R2', 'other:O1', 'other:O2'}),
                         destinations.parse_regions(' master:R2,  other: ',
                                                    CANDIDATES))

    def test_unknown_and_empty_names_are_left_out(self):
        self.assertEqual(frozenset({'R3'}), destinations.parse_regions(
            'Nowhere, other:Nope, R3,,', CANDIDATES))
        self.assertEqual(frozenset(), destinations.parse_regions(
            '', CANDIDATES))


class SelectTest(base.BaseTestCase):

    def test_rules_select_per_target(self):
        chosen = selector(other={'metadata_condition':
                                 "image.user_properties.get('t') == 'x'"})
        self.assertEqual(['R2', 'R3'], chosen.select(image('a')))
        self.assertEqual(['R2', 'R3', 'other:O1', 'other:O2'],
                         chosen.select(image('b', t='x')))

    def test_private_images_go_nowhere_by_the_rules(self):
        self.assertEqual([], selector().select(image('a', public=False)))

    def test_all_sends_every_image_everywhere(self):
        self.assertEqual(['R2', 'R3', 'other:O1', 'other:O2'],
                         selector('all').select(image('a', public=False)))

    def test_none_sends_nothing_without_the_property(self):
        self.assertEqual([], selector('none').select(image('a')))

    def test_property_wins_over_every_strategy(self):
        for strategy in ('rules', 'all', 'none'):
            chosen = selector(strategy)
            self.assertEqual(['R3', 'other:O1'], chosen.select(image(
                'a', public=False, glance_sync_regions='other:O1,R3')))
            self.assertEqual([], chosen.select(image(
                'a', glance_sync_regions='')))

    def test_other_projects_images_go_nowhere(self):
        self.assertEqual([], selector('all').select(image('a', owner='x')))

    def test_obsolete_images_concern_every_following_target(self):
        chosen = selector(other={'support_obsolete_images': False})
        self.assertEqual(['R2', 'R3'], chosen.select(
            image('a_obsolete', public=False)))


class RegionIndexTest(base.BaseTestCase):

    def index(self, *images):
        return MasterIndex.build(images, 'tm', 'Master')

    def test_rules_alone_keep_the_index_and_rules(self):
        chosen = selector()
        index = self.index(image('a'), image('b'))
        self.assertEqual((index, chosen.settings.targets['master']),
                         chosen.region_index(index, 'R2'))

    def test_property_filters_and_forces(self):
        chosen = selector()
        index = self.index(image('a'), image('p', public=False,
                                             glance_sync_regions='R3'))
        sub, rules = chosen.region_index(index, 'R2')
        self.assertEqual({'a'}, set(sub.by_name))
        sub, rules = chosen.region_index(index, 'R3')
        self.assertEqual({'a', 'p'}, set(sub.by_name))
        self.assertEqual(frozenset({'id-p'}), rules.forcesyncs)
        self.assertIn('p', sub.selection(rules).by_name)

    def test_none_keeps_only_named_images_and_their_dependencies(self):
        chosen = selector('none')
        index = self.index(
            image('k', public=False), image('r', public=False),
            image('ami', kernel_id='id-k', ramdisk_id='id-r',
                  glance_sync_regions='R2'), image('plain'))
        sub, rules = chosen.region_index(index, 'R2')
        self.assertEqual({'ami', 'k', 'r'}, set(sub.by_name))
        self.assertEqual({'id-ami', 'id-k', 'id-r'}, set(rules.forcesyncs))
        self.assertEqual({'k', 'r', 'ami'},
                         set(sub.selection(rules).by_name))
        sub, rules = chosen.region_index(index, 'R3')
        self.assertEqual({}, dict(sub.by_name))

    def test_restrict_keeps_references(self):
        index = self.index(image('k'), image('ami', kernel_id='id-k'),
                           image('x'))
        sub = destinations.restrict(index, ['ami', 'k', 'missing'])
        self.assertEqual({'ami', 'k'}, set(sub.by_name))
        self.assertEqual({'kernel_id': 'k'}, dict(sub.references['ami']))
