"""``glance-download``: pulls where allowed, streams elsewhere, verified.

The Glance calls (import methods, the import, its tasks) are replaced by a
fake that "pulls" by copying the master's data into the in-memory region,
as a regional Glance would.
"""

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslotest import base as test_base

from glance_sync.conf import transfer as transfer_conf
from glance_sync.regions import base
from glance_sync.transfer import TransferStats
from glance_sync.transfer import capabilities
from glance_sync.transfer._strategies import impl_glance_download
from glance_sync.transfer.targets import Target
from tests.unit.transfer import fakes


class FakeGlances:
    """What the regions' Glances answer; pulls copy the master's data."""

    def __init__(self, master, data):
        self.master = master
        self.data = data
        self.methods = {}
        #: copy id -> list of task states still to report, last one kept.
        self.tasks = {}
        self.outcome = {}
        self.started = []
        self.poll_error = {}

    def can_pull(self, region):
        return region.name != 'not-glance'

    def import_methods(self, region):
        return self.methods.get(region.name, ['glance-direct',
                                              'glance-download'])

    def start_download(self, region, image_id, source, source_id):
        self.started.append((region.name, image_id, source.name, source_id))
        outcome = self.outcome.get(region.name, 'success')
        if isinstance(outcome, Exception):
            raise outcome
        states = [{'status': 'processing'}]
        if outcome == 'success':
            region.upload(image_id, [self.data], size=len(self.data))
            states.append({'status': 'success'})
        elif outcome == 'corrupt':
            region.upload(image_id, [self.data[:-1] + b'?'])
            states.append({'status': 'success'})
        elif outcome == 'failure':
            states.append({'status': 'failure',
                           'message': 'URI not allowed by import filtering'})
        self.tasks[image_id] = states

    def latest_task(self, region, image_id):
        if region.name in self.poll_error:
            error, times = self.poll_error[region.name]
            if times is None or times > 0:
                if times is not None:
                    self.poll_error[region.name] = (error, times - 1)
                raise error
        states = self.tasks.get(image_id)
        if not states:
            return None
        return states.pop(0) if len(states) > 1 else states[0]


class GlanceDownloadTest(fakes.StrategyTestCase, test_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.make_master()
        self.glances = FakeGlances(self.master, self.data)
        for name in ('can_pull', 'import_methods', 'start_download',
                     'latest_task'):
            self.useFixture(fixtures.MockPatchObject(
                capabilities, name, getattr(self.glances, name)))
        # Streamed copies go to the in-memory regions as they are.
        self.useFixture(fixtures.MockPatchObject(
            capabilities, 'upload', lambda region, image_id, chunks, size:
            region.upload(image_id, chunks, size)))
        conf = self.useFixture(config_fixture.Config(cfg.ConfigOpts()))
        transfer_conf.register_opts(conf.conf)
        conf.config(group='transfer', import_poll_interval=0.05,
                    import_timeout=5)
        self.strategy = impl_glance_download.GlanceDownloadStrategy(
            conf.conf)
        self.logger = self.useFixture(fixtures.FakeLogger())
        self.two = self.memory_region('RegionTwo')
        self.three = self.memory_region('RegionThree')
        self.four = self.memory_region('other:RegionFour')

    def transfer(self, *regions):
        stats = TransferStats()
        results = self.strategy.transfer(self.master, self.image,
                                         [(r, None) for r in regions],
                                         stats=stats)
        return results, stats

    def test_same_keystone_pulls_other_keystone_streamed(self):
        results, stats = self.transfer(self.two, self.three, self.four)
        for region in (self.two, self.three, self.four):
            self.assert_copy(results[region.name], region)
        self.assertEqual(['RegionThree', 'RegionTwo'], sorted(stats.pulled))
        self.assertEqual(['other:RegionFour'], list(stats.fallbacks))
        # One download, for the region streamed; none by us for the pulls.
        self.assertEqual(1, len(self.master.calls_to('download')))
        self.assertIn('glance-download: region other:RegionFour cannot pull '
                      'image cirros (%s) from the master (it is under the '
                      'Keystone of target other, the master under that of '
                      'target master' % self.image.id, self.logger.output)
        self.assertIn('streaming it instead', self.logger.output)
        self.assertEqual({('RegionTwo', 'RegionOne', self.image.id),
                          ('RegionThree', 'RegionOne', self.image.id)},
                         {(r, s, i) for r, _, s, i in self.glances.started})

    def test_a_pulled_copy_reports_its_size_once_verified(self):
        seen = {'RegionTwo': [], 'RegionThree': []}
        self.glances.outcome['RegionThree'] = 'corrupt'
        self.strategy.transfer(self.master, self.image, [
            Target(self.two, None, on_bytes=seen['RegionTwo'].append),
            Target(self.three, None, on_bytes=seen['RegionThree'].append)])
        # The region wrote the image; a copy that failed reports nothing.
        self.assertEqual({'RegionTwo': [self.image.size], 'RegionThree': []},
                         seen)

    def test_method_not_enabled_streamed(self):
        self.glances.methods['RegionThree'] = ['glance-direct', 'web-download']
        results, stats = self.transfer(self.two, self.three)
        self.assert_copy(results['RegionThree'], self.three)
        self.assertEqual(['RegionTwo'], stats.pulled)
        self.assertIn('does not enable the glance-download import method '
                      '(enabled: glance-direct, web-download)',
                      stats.fallbacks['RegionThree'])

    def test_failed_import_task_streamed_instead(self):
        self.glances.outcome['RegionThree'] = 'failure'
        results, stats = self.transfer(self.two, self.three)
        self.assert_copy(results['RegionTwo'], self.two)
        self.assert_copy(results['RegionThree'], self.three)
        self.assertIn('its import failed: URI not allowed by import '
                      'filtering', stats.fallbacks['RegionThree'])
        # The record of the failed import was removed, not left queued.
        self.assertEqual([results['RegionThree'].id],
                         [i.id for i in self.three.list_images()])

    def test_refused_import_streamed_instead(self):
        self.glances.outcome['RegionTwo'] = base.Refused(
            'RegionTwo', action='importing', reason='HTTP 403')
        results, stats = self.transfer(self.two)
        self.assert_copy(results['RegionTwo'], self.two)
        self.assertIn('the import was refused', stats.fallbacks['RegionTwo'])
        self.assertEqual(1, len(self.two.list_images()))

    def test_pulled_copy_verified(self):
        self.glances.outcome['RegionTwo'] = 'corrupt'
        results, _ = self.transfer(self.two, self.three)
        self.assert_copy(results['RegionThree'], self.three)
        error = results['RegionTwo']
        self.assertIsInstance(error, base.CopyFailed)
        self.assertIn('md5 differs: the master image has %s, the copy in '
                      'RegionTwo has' % self.image.checksum, str(error))
        self.assertEqual([], self.two.list_images())

    def test_region_failing_while_pulling(self):
        self.strategy.options = self.strategy.options.__class__(
            import_poll_interval=0.01, import_timeout=0.2)
        self.glances.poll_error['RegionThree'] = (base.RegionUnavailable(
            'RegionThree', reason='connection refused'), None)
        results, _ = self.transfer(self.two, self.three)
        self.assert_copy(results['RegionTwo'], self.two)
        self.assertIn('connection refused', str(results['RegionThree']))
        self.assertEqual([], self.three.list_images())

    def test_a_look_without_answer_is_made_again_not_the_pull(self):
        # A kept-alive connection closed by the region as it was reused:
        # the import goes on there, so the daemon looks again.
        self.glances.poll_error['RegionTwo'] = (base.RegionUnavailable(
            'RegionTwo', reason='RemoteDisconnected'), 2)
        results, stats = self.transfer(self.two)
        self.assert_copy(results['RegionTwo'], self.two)
        self.assertEqual(['RegionTwo'],
                         [region for region, *_ in self.glances.started])
        self.assertEqual(['RegionTwo'], stats.pulled)
        self.assertIn('looking again', self.logger.output)

    def test_import_timeout(self):
        self.glances.outcome['RegionTwo'] = 'hang'
        self.strategy.options = self.strategy.options.__class__(
            import_poll_interval=0.01, import_timeout=0.1)
        results, _ = self.transfer(self.two)
        self.assertIn('the import did not end within',
                      str(results['RegionTwo']))
        self.assertEqual([], self.two.list_images())

    def test_not_glance_streamed(self):
        other = self.memory_region('not-glance')
        results, stats = self.transfer(other)
        self.assert_copy(results['not-glance'], other)
        self.assertIn('needs Glance regions', stats.fallbacks['not-glance'])

    def test_import_methods_cached(self):
        calls = []
        real = self.glances.import_methods
        self.glances.import_methods = lambda region: calls.append(
            region.name) or real(region)
        self.useFixture(fixtures.MockPatchObject(
            capabilities, 'import_methods', self.glances.import_methods))
        self.strategy.cannot_pull(self.master, self.two)
        self.strategy.cannot_pull(self.master, self.two)
        self.assertEqual(['RegionTwo'], calls)
