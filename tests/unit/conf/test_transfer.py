"""The ``[transfer]`` options of relay copies, as the strategies read them."""

from glance_sync.transfer.base import TransferOptions
from tests.unit.conf.test_native import MASTER_ONLY, NativeTestCase


class RelayOptionsTest(NativeTestCase):

    def options(self, text):
        return TransferOptions.from_conf(self.load(text).conf)

    def test_off_by_default(self):
        options = self.options(MASTER_ONLY)
        self.assertEqual((False, 2, 600.0),
                         (options.relay, options.copies_per_source,
                          options.relay_wait))

    def test_read_with_the_sites(self):
        options = self.options(
            MASTER_ONLY + '[transfer]\nrelay = True\ncopies_per_source = 3\n'
            'relay_wait = 30\n[region:RegionTwo]\nsite = east\n'
            '[site:east]\nlink_costs = west:10\n')
        self.assertEqual((True, 3, 30.0),
                         (options.relay, options.copies_per_source,
                          options.relay_wait))
        self.assertEqual('east', options.sites.site_of('RegionTwo'))

    def test_bad_values_are_named(self):
        self.assertConfigError(
            MASTER_ONLY + '[transfer]\ncopies_per_source = 0\n',
            '[transfer] copies_per_source')
        self.assertConfigError(
            MASTER_ONLY + '[transfer]\nrelay_wait = -1\n',
            '[transfer] relay_wait')
        self.assertConfigError(
            MASTER_ONLY + '[transfer]\nrelay = maybe\n', '[transfer] relay')
