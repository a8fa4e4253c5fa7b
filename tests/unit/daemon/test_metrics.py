import datetime
import socket
import urllib.request

import fixtures
from oslo_config import cfg
from oslotest import base
from prometheus_client import CollectorRegistry

from glance_sync import engine
from glance_sync.conf import metrics as metrics_conf
from glance_sync.conf.errors import ConfigError
from glance_sync.daemon import metrics
from glance_sync.db import repositories
from glance_sync.regions.base import Image, RegionUnavailable
from glance_sync.rules import actions
from tests.unit.db.test_repositories import FakeClock


def sample(name, **labels):
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def upload(size):
    image = Image(id='m-%d' % size, name='img%d' % size, region='R1',
                  owner='p', visibility='public', status='active',
                  checksum=None, size=size)
    return actions.Upload(master=image, record=actions.ImageRecord(
        name=image.name, visibility='public', properties={}))


class JournalCollectorTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        self.clock = FakeClock()
        self.journal = repositories.Journal('sqlite://', clock=self.clock)
        self.addCleanup(self.journal.dispose)
        self.journal.upgrade_schema()
        self.registry = CollectorRegistry()
        self.registry.register(metrics.JournalCollector(self.journal,
                                                        self.clock))

    def value(self, name, **labels):
        return self.registry.get_sample_value(name, labels)

    def test_tasks_by_region_and_state(self):
        self.journal.enqueue('img-1', 'RegionTwo', 'test')
        self.journal.enqueue('img-2', 'RegionTwo', 'test')
        self.journal.claim('w1')
        self.assertEqual(1, self.value('glance_sync_tasks',
                                       region='RegionTwo', state='queued'))
        self.assertEqual(1, self.value('glance_sync_tasks',
                                       region='RegionTwo', state='running'))
        self.assertEqual(1, self.value('glance_sync_journal_up'))

    def test_lag_grows_until_the_region_catches_up(self):
        self.journal.enqueue('img-1', 'RegionTwo', 'test')
        self.clock.advance(90)
        self.assertEqual(90, self.value('glance_sync_region_lag_seconds',
                                        region='RegionTwo'))
        [task] = self.journal.claim('w1')
        self.journal.retry_later(task, 'unavailable', 10)
        self.clock.advance(30)
        self.assertEqual(120, self.value('glance_sync_region_lag_seconds',
                                         region='RegionTwo'))
        [task] = self.journal.claim('w1')
        self.journal.mark_done(task)
        self.assertEqual(0, self.value('glance_sync_region_lag_seconds',
                                       region='RegionTwo'))

    def test_unreadable_journal(self):
        self.journal.dispose()
        broken = repositories.Journal('sqlite://')  # no schema
        self.addCleanup(broken.dispose)
        registry = CollectorRegistry()
        registry.register(metrics.JournalCollector(broken))
        self.assertEqual(0, registry.get_sample_value(
            'glance_sync_journal_up'))
        self.assertIsNone(registry.get_sample_value(
            'glance_sync_tasks', {'region': 'RegionTwo', 'state': 'queued'}))


class CountersTest(base.BaseTestCase):

    def test_uploads_are_copies(self):
        before = (sample('glance_sync_copies_total', region='R9'),
                  sample('glance_sync_copied_bytes_total', region='R9'))
        metrics.copied('R9', [upload(100), upload(28),
                              actions.UpdateMetadata(image_id='x',
                                                     image_name='x')])
        self.assertEqual(
            (before[0] + 2, before[1] + 128),
            (sample('glance_sync_copies_total', region='R9'),
             sample('glance_sync_copied_bytes_total', region='R9')))

    def test_failures_by_class_of_the_cause(self):
        before = sample('glance_sync_task_failures_total', region='R8',
                        reason='RegionUnavailable')
        copies = sample('glance_sync_copies_total', region='R8')
        timeouts = sample('glance_sync_task_failures_total', region='R8',
                          reason='snapshot_timeout')
        report = engine.ApplyReport(region='R8')
        report.done.append(upload(5))
        try:
            try:
                raise RegionUnavailable('R8', reason='refused')
            except RegionUnavailable as cause:
                raise engine.ApplyError(report, upload(6), 'x') from cause
        except engine.ApplyError as exc:
            metrics.task_failed('R8', exc)
        metrics.task_failed('R8', 'snapshot_timeout')
        self.assertEqual(before + 1, sample(
            'glance_sync_task_failures_total', region='R8',
            reason='RegionUnavailable'))
        self.assertEqual(timeouts + 1, sample(
            'glance_sync_task_failures_total', region='R8',
            reason='snapshot_timeout'))
        self.assertEqual(copies + 1,
                         sample('glance_sync_copies_total', region='R8'))

    def test_events_and_their_lag(self):
        count = sample('glance_sync_events_received_total',
                       event_type='test.lag')
        observed = sample('glance_sync_event_lag_seconds_count')
        total = sample('glance_sync_event_lag_seconds_sum')
        sent = (repositories.utcnow() - datetime.timedelta(seconds=42))
        metrics.event_received('test.lag', {'timestamp': str(sent)})
        metrics.event_received('test.lag', {'timestamp': 'garbage'})
        self.assertEqual(count + 2, sample(
            'glance_sync_events_received_total', event_type='test.lag'))
        self.assertEqual(observed + 1,
                         sample('glance_sync_event_lag_seconds_count'))
        self.assertGreaterEqual(
            sample('glance_sync_event_lag_seconds_sum') - total, 42)


class ServeTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        self.journal = repositories.Journal('sqlite://')
        self.addCleanup(self.journal.dispose)
        self.journal.upgrade_schema()
        self.conf = cfg.ConfigOpts()
        self.conf([], default_config_files=[])
        metrics_conf.register_opts(self.conf)

    def test_off_by_default(self):
        self.assertIsNone(metrics.serve(self.conf, self.journal))

    def test_scrape_over_http(self):
        self.journal.enqueue('img-1', 'RegionServe', 'test')
        self.conf.set_override('port', 0, 'metrics')
        server = metrics.serve(self.conf, self.journal)
        self.addCleanup(server.stop)
        url = 'http://127.0.0.1:%d/metrics' % server.port
        with urllib.request.urlopen(url, timeout=30) as resp:
            text = resp.read().decode()
        self.assertIn('glance_sync_tasks{region="RegionServe",state="queued"} '
                      '1.0', text)
        self.assertIn('glance_sync_region_lag_seconds{region="RegionServe"}',
                      text)
        self.assertIn('process_resident_memory_bytes', text)

    def test_port_in_use_is_a_config_error(self):
        busy = socket.socket()
        self.addCleanup(busy.close)
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        self.conf.set_override('port', busy.getsockname()[1], 'metrics')
        exc = self.assertRaises(ConfigError, metrics.serve, self.conf,
                                self.journal)
        self.assertIn('[metrics] port: cannot listen on 127.0.0.1:', str(exc))
        # Nothing of it stays registered.
        self.assertIsNone(metrics.REGISTRY.get_sample_value(
            'glance_sync_journal_up'))
