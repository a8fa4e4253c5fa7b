"""Sites against the real cloud: zero-copy from a store shared with the
master, a refused zero-copy, and a bandwidth cap that holds.

Zero-copy uses RegionThree, whose glance-api reads the master's ``file``
store directory through a read-only web export once ``python -m
tools.localcloud share-store RegionThree`` has configured it (done here
under the region's lock, and undone at the end): the other tests never
see it.
"""

from __future__ import annotations

import os
import pathlib
import threading
import time

import fixtures
from oslo_config import cfg

from glance_sync.conf import transfer as transfer_conf
from glance_sync.regions import base
from glance_sync.transfer import TransferStats, get_strategy
from glance_sync.transfer import bandwidth
from glance_sync.transfer.targets import Target
from tests.functional.regions import helpers
from tools.localcloud import shared

MiB = 1024 * 1024


class _SiteTestCase(helpers.RegionTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger(level='INFO'))
        self.master = self.region('RegionOne')

    def strategy(self, text):
        """The ``stream`` strategy of a glance-sync.conf holding ``text``
        (the deployment guide's site and region groups)."""
        folder = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(folder, 'glance-sync.conf')
        with open(path, 'w') as f:
            f.write(text)
        conf = cfg.ConfigOpts()
        transfer_conf.register_opts(conf)
        conf([], default_config_files=[path], default_config_dirs=[])
        conf.set_override('import_poll_interval', 0.2, group='transfer')
        return get_strategy('stream', conf)

    def source(self, size):
        made = self.make_image('RegionOne', size)
        return self.master.get_image(made.id)


class ZeroCopyTest(_SiteTestCase):

    def share_region_three(self):
        run_dir = pathlib.Path(self.cloud.dir)

        def unshare():
            with self.stop_glance('RegionThree'):
                shared.configure(run_dir, 'RegionThree', False)
        self.addCleanup(unshare)
        with self.stop_glance('RegionThree'):
            return shared.configure(run_dir, 'RegionThree', True)

    def test_a_region_sharing_the_store_gets_the_masters_bytes(self):
        value = self.share_region_three()
        three = self.region('RegionThree')
        image = self.source(3 * MiB + 5)
        strategy = self.strategy('[region:RegionThree]\nshare_store = %s\n'
                                 % value)
        stats = TransferStats()
        results = strategy.transfer(self.master, image, [(three, None)],
                                    stats=stats)
        copy = results['RegionThree']
        self.assertIsInstance(copy, base.Image, str(copy))
        self.delete_later(three, copy.id)
        self.assertEqual(['RegionThree'], stats.shared)
        self.assertEqual(0, stats.source_bytes)  # nothing read or sent
        self.assertEqual(
            (image.size, image.checksum, image.os_hash_value),
            (copy.size, copy.checksum, copy.os_hash_value))
        # The region's Glance serves the master's exact bytes.
        self.assertEqual(b''.join(self.master.download(image.id)),
                         b''.join(three.download(copy.id)))
        self.assertIn('no data copied', self.logger.output)
        self.assertTrue(any(url.startswith('http://127.0.0.1:')
                            for url, _ in three.locations(copy.id)))

    def test_a_region_whose_glance_does_not_allow_it_is_refused(self):
        four = self.region('other:RegionFour')
        image = self.source(64 * 1024)
        strategy = self.strategy('[region:other:RegionFour]\nshare_store = '
                                 'file://%s/\n'
                                 % self.cloud.master_store_dir.rstrip('/'))
        error = strategy.transfer(self.master, image,
                                  [(four, None)])['other:RegionFour']
        self.assertIsInstance(error, base.CopyFailed)
        self.assertIn('"service" role', str(error))
        self.assertIn('[region:other:RegionFour] share_store', str(error))
        self.assertEqual([], [i for i in four.list_images()
                              if i.name == image.name])


class BandwidthCapTest(_SiteTestCase):

    def capped_copy(self, text, regions, size):
        """Stream a new master image to ``regions`` under the caps of
        ``text``; :returns: the bytes handed over, and the seconds from the
        first chunk to the last, after the first chunk."""
        image = self.source(size)
        strategy = self.strategy(text)
        seen = []
        lock = threading.Lock()

        def on_bytes(count):
            with lock:
                seen.append((time.monotonic(), count))
        results = strategy.transfer(
            self.master, image,
            [Target(region, None, on_bytes=on_bytes) for region in regions])
        for region in regions:
            copy = results[region.name]
            self.assertIsInstance(copy, base.Image, str(copy))
            self.delete_later(region, copy.id)
        total = sum(count for _, count in seen)
        self.assertEqual(size * len(regions), total)
        return total - seen[0][1], seen[-1][0] - seen[0][0], strategy

    def test_a_link_cap_is_shared_by_every_copy_over_the_link(self):
        rate = 2 * MiB
        two, three = self.region('RegionTwo'), self.region('RegionThree')
        sent, elapsed, _ = self.capped_copy(
            '[region:RegionOne]\nsite = west\n'
            '[region:RegionTwo]\nsite = east\n'
            '[region:RegionThree]\nsite = east\n'
            '[site:east]\nlink_rates = west:%d\n' % rate,
            [two, three], 4 * MiB)
        # Both copies together, not each, stay under the link's rate.
        measured = sent / elapsed
        self.assertLessEqual(measured, rate * 1.10,
                             'measured %.0f B/s over a link cap of %d B/s'
                             % (measured, rate))

    def test_the_region_cap_holds_within_ten_percent(self):
        rate = 2 * MiB
        sent, elapsed, strategy = self.capped_copy(
            '[region:RegionTwo]\nmax_rate = %d\n' % rate,
            [self.region('RegionTwo')], 8 * MiB)
        # From the first chunk handed over to the last: everything after
        # the first chunk went at the capped rate.
        measured = sent / elapsed
        self.assertLessEqual(measured, rate * 1.10,
                             'measured %.0f B/s over a cap of %d B/s'
                             % (measured, rate))
        self.assertEqual(rate, bandwidth.limiter_for(
            strategy.options.sites).cap('RegionOne', 'RegionTwo'))
        self.assertIn('to region RegionTwo: %d bytes in' % (8 * MiB),
                      self.logger.output)
        self.assertIn('(capped at 2.00 MiB/s)', self.logger.output)
