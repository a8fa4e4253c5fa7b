"""The choice of a copy's source: ranking, ties, waiting, relay_wait."""

from oslotest import base

from glance_sync.conf.sites import SiteTopology
from glance_sync.transfer import relays
from glance_sync.transfer.relays import Availability

#: RegionOne at west (the master), RegionTwo and RegionThree at east,
#: RegionFour at north; west-east costs 10, east-north 2, west-north 10.
TOPOLOGY = SiteTopology(
    region_sites={'RegionOne': 'west', 'RegionTwo': 'east',
                  'RegionThree': 'east', 'other:RegionFour': 'north'},
    link_costs={('east', 'west'): 10, ('east', 'north'): 2,
                ('north', 'west'): 10})


def names(ranked):
    return [s.region for s in ranked]


class RankTest(base.BaseTestCase):

    def test_cheapest_link_first_the_master_last(self):
        ranked = relays.rank('RegionThree', 'RegionOne',
                             done=['other:RegionFour', 'RegionTwo'],
                             receiving=[], topology=TOPOLOGY)
        self.assertEqual(['RegionTwo', 'other:RegionFour', 'RegionOne'],
                         names(ranked))
        self.assertEqual([0, 2, 10], [s.cost for s in ranked])
        self.assertEqual([False, False, True], [s.master for s in ranked])

    def test_a_relay_wins_a_tie_with_the_master(self):
        # No site declared: every link costs 1.
        ranked = relays.rank('C', 'M', done=['B'], receiving=[],
                             topology=SiteTopology())
        self.assertEqual(['B', 'M'], names(ranked))

    def test_then_the_same_site_then_the_name(self):
        topology = SiteTopology(
            region_sites={'M': 'a', 'T': 'b', 'Z': 'b', 'Y': 'c', 'X': 'c'},
            link_costs={('b', 'c'): 0, ('a', 'b'): 0})
        ranked = relays.rank('T', 'M', done=['X', 'Y', 'Z'], receiving=[],
                             topology=topology)
        self.assertEqual(['Z', 'X', 'Y', 'M'], names(ranked))

    def test_receiving_regions_rank_as_relays_and_the_target_is_left_out(self):
        ranked = relays.rank('RegionThree', 'RegionOne', done=['RegionThree'],
                             receiving=['RegionTwo'], topology=TOPOLOGY)
        self.assertEqual(['RegionTwo', 'RegionOne'], names(ranked))
        self.assertTrue(ranked[0].receiving)
        self.assertEqual('RegionTwo (relay)', ranked[0].describe())
        self.assertEqual('RegionOne (master)', ranked[1].describe())


class ChooseTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.ranked = relays.rank('RegionThree', 'RegionOne',
                                  done=['RegionTwo', 'other:RegionFour'],
                                  receiving=[], topology=TOPOLOGY)
        self.asked = []

    def states(self, **by_region):
        def availability(source):
            self.asked.append(source.region)
            return by_region.get(source.region.replace('other:', ''),
                                 Availability.FREE)
        return availability

    def test_the_best_free_source_and_nothing_after_it_is_asked(self):
        choice = relays.choose(self.ranked, self.states(),
                               waited_out=False)
        self.assertEqual('RegionTwo', choice.source.region)
        self.assertEqual(['RegionTwo'], self.asked)

    def test_an_unusable_relay_is_passed_over(self):
        choice = relays.choose(
            self.ranked, self.states(RegionTwo=Availability.UNUSABLE),
            waited_out=False)
        self.assertEqual('other:RegionFour', choice.source.region)

    def test_a_busy_cheaper_source_is_waited_for(self):
        for state in (Availability.BUSY, Availability.RECEIVING):
            self.asked = []
            choice = relays.choose(self.ranked,
                                   self.states(RegionTwo=state),
                                   waited_out=False)
            self.assertIsNone(choice.source)
            self.assertEqual('RegionTwo', choice.waiting_for.region)
            self.assertIs(state, choice.why)
            # The costlier ones are not even asked (no slot taken).
            self.assertEqual(['RegionTwo'], self.asked)

    def test_a_free_relay_as_good_as_the_busy_one_is_read(self):
        # Four relays over links of one cost: waiting for the busy first
        # one while the others idle would make it feed every copy in
        # turn, a star around it.
        ranked = relays.rank('R9', 'RegionOne',
                             done=['R2', 'R3', 'R4'], receiving=['R5'],
                             topology=SiteTopology(link_costs={
                                 ('RegionOne', 'R9'): 100}))
        self.assertEqual(['R2', 'R3', 'R4', 'R5', 'RegionOne'],
                         [s.region for s in ranked])
        choice = relays.choose(ranked, self.states(
            R2=Availability.BUSY, R3=Availability.BUSY), waited_out=False)
        self.assertEqual('R4', choice.source.region)
        self.assertEqual(['R2', 'R3', 'R4'], self.asked)
        # Every relay of that cost busy or receiving: wait, the master
        # (costlier) not asked.
        self.asked = []
        choice = relays.choose(ranked, self.states(
            R2=Availability.BUSY, R3=Availability.BUSY, R4=Availability.BUSY,
            R5=Availability.RECEIVING), waited_out=False)
        self.assertIsNone(choice.source)
        self.assertEqual('R2', choice.waiting_for.region)
        self.assertEqual(['R2', 'R3', 'R4', 'R5'], self.asked)

    def test_once_waited_out_the_best_free_source_whatever_its_cost(self):
        choice = relays.choose(
            self.ranked, self.states(RegionTwo=Availability.RECEIVING,
                                     RegionFour=Availability.BUSY),
            waited_out=True)
        self.assertEqual('RegionOne', choice.source.region)
        self.assertTrue(choice.source.master)

    def test_nothing_free_even_waited_out_waits_for_the_best(self):
        choice = relays.choose(
            self.ranked, self.states(RegionTwo=Availability.UNUSABLE,
                                     RegionFour=Availability.BUSY,
                                     RegionOne=Availability.BUSY),
            waited_out=True)
        self.assertIsNone(choice.source)
        self.assertEqual('other:RegionFour', choice.waiting_for.region)
