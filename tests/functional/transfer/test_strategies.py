"""Every transfer strategy against the real cloud: three regions at once,
one failing halfway, a corrupted stream, and glance-download's fallback.

RegionTwo and RegionThree are under the master's Keystone and can pull
from it (the local cloud allows glance-download from the master); RegionFour
is under the other Keystone and cannot.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid

import fixtures
from oslo_config import cfg

from glance_sync.conf import transfer as transfer_conf
from glance_sync.regions import base
from glance_sync.transfer import TransferStats, get_strategy
from glance_sync.transfer import capabilities
from glance_sync.transfer.targets import Target
from tests.functional.regions import helpers

MiB = 1024 * 1024
TARGETS = ('RegionTwo', 'RegionThree', 'other:RegionFour')


class _StrategyTests:
    """The tests every strategy passes; subclasses name the strategy."""

    STRATEGY = ''

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger(level='INFO'))
        self.conf = cfg.ConfigOpts()
        transfer_conf.register_opts(self.conf)
        self.conf.set_override('filesystem_store_datadir',
                               self.cloud.master_store_dir,
                               group='transfer_store')
        self.conf.set_override('import_poll_interval', 0.2, group='transfer')
        # A region stopped by a test is back within a minute.
        self.conf.set_override('cleanup_attempts', 7, group='transfer')
        self.strategy = get_strategy(self.STRATEGY, self.conf)
        self.master = self.region('RegionOne')
        self.targets = [self.region(name) for name in TARGETS]

    def source(self, size):
        made = self.make_image('RegionOne', size, nid='7')
        return self.master.get_image(made.id)

    def transfer(self, image, **kwargs):
        stats = TransferStats()
        results = self.strategy.transfer(self.master, image,
                                         [(r, None) for r in self.targets],
                                         stats=stats, **kwargs)
        for region in self.targets:
            outcome = results[region.name]
            if isinstance(outcome, base.Image):
                self.delete_later(region, outcome.id)
        return results, stats

    def named(self, region, name):
        return [i for i in region.list_images() if i.name == name]

    def assert_copied(self, image, results, *names):
        for region in self.targets:
            if region.name not in names:
                continue
            copy = results[region.name]
            self.assertIsInstance(copy, base.Image, region.name)
            self.assertEqual(
                ('active', image.size, image.checksum, image.os_hash_value,
                 {'nid': '7'}),
                (copy.status, copy.size, copy.checksum, copy.os_hash_value,
                 copy.user_properties), region.name)
            # One copy, no leftover beside it.
            self.assertEqual([copy.id],
                             [i.id for i in self.named(region, image.name)])

    def assert_nothing_left(self, image, *names):
        for region in self.targets:
            if region.name in names:
                self.assertEqual([], self.named(region, image.name),
                                 region.name)

    @contextlib.contextmanager
    def counting_downloads(self):
        """Count the bytes the master's API serves us."""
        served = []
        download = self.master.download

        def counted(image_id):
            for chunk in download(image_id):
                served.append(len(chunk))
                yield chunk
        self.master.download = counted
        try:
            yield served
        finally:
            self.master.download = download

    def outage(self, region, seconds=2.0):
        """Stop a region's glance-api now, start it again in ``seconds``
        (in the background); the test waits for it at cleanup."""
        stack = contextlib.ExitStack()
        stack.enter_context(self.stop_glance(region))
        timer = threading.Timer(seconds, stack.close)
        timer.start()
        self.addCleanup(timer.join)
        self.addCleanup(stack.close)

    def corrupt(self, chunks, at=3):
        """Flip one bit of chunk ``at`` on its way."""
        for number, chunk in enumerate(chunks):
            if number == at:
                chunk = bytes([chunk[0] ^ 1]) + chunk[1:]
            yield chunk

    def stop_halfway(self, chunks, name, region='RegionThree', at=4):
        """Pass chunks on; at chunk ``at``, once the region is receiving
        image ``name``, stop its glance-api."""
        for number, chunk in enumerate(chunks):
            if number == at:
                self.wait_status(region, name, 'saving')
                self.outage(region)
            yield chunk

    def wait_status(self, region, name, status, timeout=120):
        """Wait until the region has an image ``name`` in ``status``."""
        deadline = time.monotonic() + timeout
        target = self.region(region)
        while not any(i.status == status for i in self.named(target, name)):
            if time.monotonic() > deadline:
                self.fail('no image %s %s in %s after %ds'
                          % (name, status, region, timeout))
            time.sleep(0.1)

    # -- the tests -----------------------------------------------------

    def test_three_regions(self):
        image = self.source(16 * MiB)
        results, stats = self.transfer(image)
        self.assert_copied(image, results, *TARGETS)
        return stats

    def test_region_failing_halfway(self):
        image = self.source(24 * MiB)
        self.break_region_three_halfway(image.name)
        results, _ = self.transfer(image)
        self.assert_copied(image, results, 'RegionTwo', 'other:RegionFour')
        error = results['RegionThree']
        self.assertIsInstance(error, base.CopyFailed)
        for part in (image.name, image.id, 'RegionThree', 'was removed'):
            self.assertIn(part, str(error))
        self.assert_nothing_left(image, 'RegionThree')

    def test_corrupted_stream_detected(self):
        image = self.source(8 * MiB)
        corrupted = self.corrupt_the_stream()
        results, _ = self.transfer(image)
        for name in corrupted:
            message = str(results[name])
            for part in ('md5 differs: the source has %s' % image.checksum,
                         'sha512 differs', image.os_hash_value,
                         'was removed'):
                self.assertIn(part, message)
        self.assert_nothing_left(image, *corrupted)
        return results

    # -- how each strategy is broken -------------------------------------

    def break_region_three_halfway(self, name):
        download = self.master.download
        self.master.download = lambda image_id: self.stop_halfway(
            download(image_id), name)

    def corrupt_the_stream(self):
        download = self.master.download
        self.master.download = lambda image_id: self.corrupt(
            download(image_id))
        return TARGETS


class StreamTest(_StrategyTests, helpers.RegionTestCase):

    STRATEGY = 'stream'

    def test_three_regions(self):
        with self.counting_downloads() as served:
            stats = super().test_three_regions()
        self.assertEqual(16 * MiB, sum(served))
        self.assertEqual(16 * MiB, stats.source_bytes)


class SequentialTest(_StrategyTests, helpers.RegionTestCase):

    STRATEGY = 'sequential'

    def test_three_regions(self):
        with self.counting_downloads() as served:
            super().test_three_regions()
        self.assertEqual(3 * 16 * MiB, sum(served))

    def break_region_three_halfway(self, name):
        # RegionThree is the second region copied: its own read of the
        # master is the second download.
        download = self.master.download
        calls = []

        def second_broken(image_id):
            calls.append(image_id)
            chunks = download(image_id)
            if len(calls) == 2:
                return self.stop_halfway(chunks, name)
            return chunks
        self.master.download = second_broken


class StoreTest(_StrategyTests, helpers.RegionTestCase):

    STRATEGY = 'store'

    def test_three_regions(self):
        with self.counting_downloads() as served:
            stats = super().test_three_regions()
        self.assertEqual([], served)  # nothing through the master's API
        self.assertEqual(16 * MiB, stats.source_bytes)
        self.assertEqual({}, stats.fallbacks)

    def test_master_glance_api_conf(self):
        """Configured from the master's own glance-api.conf (several
        backends, ``enabled_backends = local:file``)."""
        self.conf.clear_override('filesystem_store_datadir',
                                 group='transfer_store')
        self.conf.set_override('config_file', '%s/glance-api.conf'
                               % self.cloud.master.conf_dir,
                               group='transfer_store')
        self.strategy = get_strategy('store', self.conf)
        with self.counting_downloads() as served:
            stats = super().test_three_regions()
        self.assertEqual([], served)
        self.assertEqual({}, stats.fallbacks)

    def test_unreadable_store_falls_back_to_the_api(self):
        self.conf.set_override('filesystem_store_datadir',
                               '%s/no-such-store' % self.cloud.dir,
                               group='transfer_store')
        self.strategy = get_strategy('store', self.conf)
        with self.counting_downloads() as served:
            stats = super().test_three_regions()
        self.assertEqual(16 * MiB, sum(served))
        self.assertEqual(set(TARGETS), set(stats.fallbacks))
        self.assertIn('streaming it through the API instead',
                      self.logger.output)

    def _wrap_reader(self, wrap):
        reader = self.strategy.reader
        opened = reader.open
        reader.open = lambda *args: wrap(opened(*args))

    def break_region_three_halfway(self, name):
        self._wrap_reader(lambda chunks: self.stop_halfway(chunks, name))

    def corrupt_the_stream(self):
        self._wrap_reader(self.corrupt)
        return TARGETS


class GlanceDownloadTest(_StrategyTests, helpers.RegionTestCase):

    STRATEGY = 'glance-download'

    def test_three_regions(self):
        """RegionTwo and RegionThree pull; RegionFour, under the other
        Keystone, cannot and is streamed (the log says so)."""
        with self.counting_downloads() as served:
            stats = super().test_three_regions()
        self.assertEqual(['RegionThree', 'RegionTwo'], sorted(stats.pulled))
        self.assertEqual(['other:RegionFour'], list(stats.fallbacks))
        self.assertIn('glance-download: region other:RegionFour cannot pull',
                      self.logger.output)
        self.assertIn('streaming it instead', self.logger.output)
        # We read the image once, for RegionFour only.
        self.assertEqual(16 * MiB, sum(served))

    def test_each_copy_reports_the_bytes_its_region_wrote(self):
        """A pulled copy reports the image's size once verified, a
        streamed one chunk by chunk: what the daemon records per task."""
        image = self.source(3 * MiB)
        seen = {name: [] for name in TARGETS}
        results = self.strategy.transfer(self.master, image, [
            Target(region, None, on_bytes=seen[region.name].append)
            for region in self.targets])
        for region in self.targets:
            copy = results[region.name]
            self.assertIsInstance(copy, base.Image, str(copy))
            self.delete_later(region, copy.id)
        self.assertEqual([3 * MiB], seen['RegionTwo'])
        self.assertEqual([3 * MiB], seen['RegionThree'])
        streamed = seen['other:RegionFour']
        self.assertEqual(3 * MiB, sum(streamed))
        self.assertGreater(len(streamed), 1)

    def test_failed_import_falls_back_to_stream(self):
        """An import the region's Glance cannot do (here: the master's
        image id is not found) ends in a failed task; the region is
        streamed instead and its failed record removed."""
        image = self.source(MiB)
        start = capabilities.start_download

        def wrong_image(region, image_id, source, source_id):
            start(region, image_id, source, str(uuid.uuid4()))
        self.useFixture(fixtures.MockPatchObject(
            capabilities, 'start_download', wrong_image))
        results, stats = self.transfer(image)
        self.assert_copied(image, results, *TARGETS)
        self.assertEqual([], stats.pulled)
        for name in ('RegionTwo', 'RegionThree'):
            self.assertIn('its import failed', stats.fallbacks[name])

    def test_region_failing_halfway(self):
        """A region whose glance-api stops while it pulls: the strategy
        looks again until the region answers (it does not pull again);
        the import died with the glance-api, so the region is streamed
        instead, verified, with no leftover beside the copy."""
        self.conf.set_override('import_timeout', 120, group='transfer')
        self.strategy = get_strategy(self.STRATEGY, self.conf)
        image = self.source(24 * MiB)
        self.break_region_three_halfway(image.name)
        results, stats = self.transfer(image)
        self.assert_copied(image, results, *TARGETS)
        self.assertIn('did not answer about the import', self.logger.output)
        self.assertIn('its import failed', stats.fallbacks['RegionThree'])
        self.assertEqual(['RegionTwo'], stats.pulled)

    def break_region_three_halfway(self, name):
        start = capabilities.start_download

        def then_stop(region, image_id, source, source_id):
            start(region, image_id, source, source_id)
            if region.name == 'RegionThree':
                self.outage('RegionThree')
        self.useFixture(fixtures.MockPatchObject(
            capabilities, 'start_download', then_stop))

    def corrupt_the_stream(self):
        # Pulls do not go through us: only RegionFour's stream can be
        # corrupted on its way; the pulled copies are verified as usual.
        super().corrupt_the_stream()
        return ('other:RegionFour',)

    def test_corrupted_stream_detected(self):
        results = super().test_corrupted_stream_detected()
        self.assertIsInstance(results['RegionTwo'], base.Image)
        self.assertIsInstance(results['RegionThree'], base.Image)

