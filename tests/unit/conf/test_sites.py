"""Sites, links and per-region settings: ``[region:*]``, ``[site:*]``
and the site worker options of ``[daemon]``."""

from glance_sync.conf import sites
from tests.unit.conf.test_native import MASTER_ONLY, NativeTestCase

FEDERATION = MASTER_ONLY + """
[region:RegionOne]
site = west

[region:RegionTwo]
site = east
max_rate = 5000000
share_store = file:///srv/shared/ -> http://h:8/, rbd://fsid/images/

[region:other:RegionFour]
site = east

[site:east]
link_rates = west:12500000
link_costs = west:10

[site:west]
link_rates = east:20000000
"""


class TopologyTest(NativeTestCase):

    def topology(self, text):
        return sites.load_topology(self.load(text).conf)

    def test_sites_links_caps_and_shared_stores(self):
        topology = self.topology(FEDERATION)
        self.assertEqual('east', topology.site_of('other:RegionFour'))
        self.assertEqual('RegionNine', topology.site_of('RegionNine'))
        self.assertEqual({'RegionTwo': 5000000}, topology.region_rates)
        self.assertEqual({'RegionTwo': (
            ('file:///srv/shared/', 'http://h:8/'),
            ('rbd://fsid/images/', 'rbd://fsid/images/'))},
            topology.shared_stores)
        # Declared at both ends: the lower rate.
        self.assertEqual(12500000, topology.link_rate('RegionOne',
                                                      'RegionTwo'))
        self.assertIsNone(topology.link_rate('RegionTwo',
                                             'other:RegionFour'))
        self.assertEqual(10, topology.link_cost('other:RegionFour',
                                                'RegionOne'))
        self.assertEqual(0, topology.link_cost('RegionTwo',
                                               'other:RegionFour'))
        self.assertEqual(1, topology.link_cost('RegionTwo', 'RegionNine'))

    def test_nothing_declared(self):
        self.assertEqual(sites.SiteTopology(), self.topology(MASTER_ONLY))

    def test_a_bad_rate_is_named(self):
        self.assertConfigError(
            MASTER_ONLY + '[region:RegionTwo]\nmax_rate = fast\n',
            '[region:RegionTwo] max_rate')
        self.assertConfigError(
            MASTER_ONLY + '[site:east]\nlink_rates = west:-3\n',
            '[site:east] link_rates')

    def test_a_share_store_that_is_not_a_uri_is_named(self):
        self.assertConfigError(
            MASTER_ONLY + '[region:RegionTwo]\nshare_store = /srv/x\n',
            '[region:RegionTwo] share_store',
            "'/srv/x' is not a location URI prefix")
        self.assertConfigError(
            MASTER_ONLY + '[region:RegionTwo]\nshare_store = rbd://a/ -> '
            'b\n', '[region:RegionTwo] share_store', "'b' is not")

    def test_a_link_to_itself_is_refused(self):
        self.assertConfigError(
            MASTER_ONLY + '[site:east]\nlink_rates = east:5\n',
            '[site:east] link_rates', 'a link needs two sites')


class WorkerRegionsTest(NativeTestCase):

    def regions(self, text):
        return sites.worker_regions(self.load(text).conf)

    def test_every_region_by_default(self):
        self.assertIsNone(self.regions(FEDERATION))

    def test_regions_and_sites(self):
        self.assertEqual(
            frozenset({'RegionTwo', 'other:RegionFour', 'RegionFive'}),
            self.regions(FEDERATION + '[daemon]\nsites = east\n'
                         'regions = RegionFive\n'))

    def test_a_site_without_regions_is_named(self):
        exc = self.assertRaises(
            Exception, self.regions,
            FEDERATION + '[daemon]\nsites = north\n')
        self.assertIn('[daemon] sites: no [region:<name>] group has site '
                      '= north', str(exc))

    def test_sample_shows_one_region_and_one_site(self):
        names = [getattr(g, 'name', g) for g, _ in sites.list_opts()]
        self.assertEqual(['daemon', 'region:example', 'site:example'], names)
