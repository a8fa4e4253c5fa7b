from oslo_config import cfg
from oslotest import base

from glance_sync.conf import groups

GROUP = cfg.OptGroup('leak_test')
OPTS = [cfg.StrOpt('region', default='RegionOne')]


class RegisterTest(base.BaseTestCase):

    def test_overrides_stay_in_their_configuration(self):
        first, second = cfg.ConfigOpts(), cfg.ConfigOpts()
        groups.register(first, GROUP, OPTS)
        first.set_override('region', 'Burgos', group='leak_test')
        groups.register(second, GROUP, OPTS)
        first([]), second([])
        self.assertEqual('Burgos', first.leak_test.region)
        self.assertEqual('RegionOne', second.leak_test.region)

    def test_plain_register_group_would_leak(self):
        # Why groups.register exists: oslo.config shares the group's
        # options between configurations that register the same object.
        first, second = cfg.ConfigOpts(), cfg.ConfigOpts()
        group = cfg.OptGroup('leak_demo')
        for conf in (first, second):
            conf.register_group(group)
            conf.register_opts(OPTS, group=group)
        first.set_override('region', 'Burgos', group='leak_demo')
        second([])
        self.assertEqual('Burgos', second.leak_demo.region)
