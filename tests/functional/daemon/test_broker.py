"""Acceptance of issue 11 item 1: the master never waits for RabbitMQ, and
the events of an outage still reach the regions, by the events.

The master glance-api runs with exactly the settings the install guide
gives (``etc/glance-sync/glance-api.snippet.conf``, written by
``tools/run-tests``), and so do the daemons
(``glance-sync-messaging.snippet.conf``).

These tests stop the machine's RabbitMQ application for a few seconds:
they hold the broker lock exclusively (no other test listens meanwhile)
and always start RabbitMQ again, whatever happens.
"""

import shutil
import subprocess
import tempfile
import time
import urllib.parse

from oslo_config import cfg

from glance_sync.conf import plugin as plugin_conf
from glance_sync.glance_plugin import events
from glance_sync.glance_plugin import publisher
from tests.functional import messaging
from tests.functional.daemon import base

REGIONS = ('RegionTwo', 'other:RegionFour')
#: Uploads with the broker running, for the baseline.
RUNNING_UPLOADS = 5
#: Uploads with the broker stopped.
STOPPED_UPLOADS = 20
#: No upload may come near the 60 s a blocking notifier used to take.
UPLOAD_BOUND = 10.0
#: Seconds the events get to bring every copy once the broker is back.
SYNC_TIMEOUT = 90
#: What the reconcile pass writes as a task's reason.
RECONCILE = 'reconcile'


def rabbitmqctl(*args, timeout=120):
    return subprocess.run(['rabbitmqctl', '-q', *args], check=True,
                          timeout=timeout, capture_output=True,
                          text=True).stdout


def vhost():
    return urllib.parse.urlparse(messaging.transport_url()).path[1:] or '/'


class BrokerOutageTest(base.DaemonTestCase):

    stops_broker = True

    def setUp(self):
        if shutil.which('rabbitmqctl') is None:
            self.skipTest('rabbitmqctl is not installed')
        super().setUp()

    def timed_upload(self):
        started = time.monotonic()
        image = self.upload(base.MiB)
        return image, time.monotonic() - started

    def stop_broker(self):
        # Registered before stopping: even an error half-way through the
        # stop leaves RabbitMQ started at cleanup.
        self.addCleanup(self.start_broker)
        rabbitmqctl('stop_app')

    def start_broker(self):
        rabbitmqctl('start_app')
        rabbitmqctl('await_startup')

    def pool_queue(self, name=None):
        """``(durable, messages)`` of queue ``name`` (by default the test
        daemons' pool), or None."""
        pool = name or 'gs-test-%s' % self.token
        for line in rabbitmqctl('list_queues', '-p', vhost(), '--no-table-'
                                'headers', 'name', 'durable',
                                'messages').splitlines():
            name, durable, count = line.split('\t')
            if name == pool:
                return durable == 'true', int(count)
        return None

    def wait_queue(self, wanted, what, timeout=60, name=None):
        deadline = time.monotonic() + timeout
        while True:
            state = self.pool_queue(name)
            if state is not None and wanted(state):
                return state
            if time.monotonic() > deadline:
                self.fail('queue gs-test-%s: %s after %ds, wanted %s'
                          % (self.token, state, timeout, what))
            time.sleep(0.5)

    def wait_first_reconcile(self, daemon):
        # Past the start-up pass, only events can bring the copies: the
        # periodic one is off (reconcile_interval = 0).
        deadline = time.monotonic() + 60
        while 'Reconcile pass over' not in daemon.log():
            if time.monotonic() > deadline:
                self.fail('no reconcile pass at start-up:\n%s'
                          % daemon.tail())
            time.sleep(0.3)

    def test_uploads_do_not_wait_and_events_arrive_after(self):
        daemon = self.start_daemon(
            sync=self.sync_sections(master={'ignore_regions': 'RegionThree'}),
            reconcile_interval='0')
        self.wait_first_reconcile(daemon)
        running = [self.timed_upload() for _ in range(RUNNING_UPLOADS)]
        self.stop_broker()
        try:
            stopped = [self.timed_upload() for _ in range(STOPPED_UPLOADS)]
        finally:
            self.start_broker()
        back = time.monotonic()
        for image, _ in running + stopped:
            self.wait_synced(image, REGIONS, timeout=SYNC_TIMEOUT)
        synced = time.monotonic() - back
        up = base.median_seconds(d for _, d in running)
        down = base.median_seconds(d for _, d in stopped)
        self.addDetail('upload-seconds', base.content.text_content(
            'broker running: median %.2f of %d; stopped: median %.2f, '
            'max %.2f of %d (1 MiB each); every copy in place %.1fs after '
            'the broker was back' % (up, RUNNING_UPLOADS, down,
                                     max(d for _, d in stopped),
                                     STOPPED_UPLOADS, synced)))
        for image, seconds in stopped:
            self.assertLess(seconds, UPLOAD_BOUND, image.id)
        tasks = self.wait_tasks_settled([i.id for i, _ in running + stopped])
        self.assertEqual({'done'}, {t.state.value for t in tasks})
        # Each (image, region) pair came from the image's events.
        self.assertEqual(
            {(i.id, r) for i, _ in running + stopped
             for r in ('RegionTwo', 'other:RegionFour')},
            {(t.image_id, t.region) for t in tasks})
        self.assertNotIn(RECONCILE, {t.reason for t in tasks})

    def test_queue_keeps_events_across_a_broker_restart(self):
        daemon = self.start_daemon(
            sync=self.sync_sections(master={'ignore_regions': 'RegionThree'}),
            reconcile_interval='0')
        self.assertEqual((True, 0), self.wait_queue(
            lambda state: state == (True, 0), 'durable and empty'))
        daemon.stop()
        self.stop_broker()
        self.start_broker()
        # The daemons' queue outlived the restart, with nobody listening
        # (other tests' uploads meanwhile may have put events in it).
        survived = self.pool_queue()
        self.assertIsNotNone(survived)
        self.assertTrue(survived[0], 'the queue is not durable')
        images = [self.upload(base.MiB) for _ in range(3)]
        self.wait_queue(lambda state: state[1] >= survived[1] + len(images),
                        'the events of %d uploads' % len(images))
        daemon.start()
        for image in images:
            self.wait_synced(image, REGIONS, timeout=SYNC_TIMEOUT)
        # The daemon took every event (it acks once they are journaled).
        self.wait_queue(lambda state: state[1] == 0, 'every event taken')
        tasks = self.wait_tasks_settled([i.id for i in images])
        self.assertEqual({'done'}, {t.state.value for t in tasks})

    def plugin_sender(self, topic):
        """The plugin's sender, configured from the master's snippet."""
        conf = cfg.ConfigOpts()
        plugin_conf.register_opts(conf)
        with tempfile.NamedTemporaryFile('w', suffix='.conf') as snippet:
            snippet.write(messaging.snippets.render(
                messaging.snippets.MASTER_GLANCE, messaging.transport_url()))
            snippet.flush()
            conf([], default_config_files=[snippet.name])
        conf.set_override('topic', topic, group='glance_sync')
        return publisher.make_sender(conf)

    def test_events_published_before_any_daemon_are_kept(self):
        # No pool (the default): the daemon consumes the queue the plugin
        # declares when it publishes, so nothing sent before a daemon ever
        # listened is lost and no queue fills up unread.
        topic = 'gs-topic-%s' % self.token
        image = self.upload(base.MiB)
        snapshot = events.Snapshot(
            id=image.id, name=image.name, status='active',
            visibility=image.visibility, owner=image.owner, size=image.size,
            checksum=image.checksum, os_hash_algo=image.os_hash_algo,
            os_hash_value=image.os_hash_value, properties={})
        self.plugin_sender(topic)(events.UPLOADED, events.payload(
            events.UPLOADED, snapshot))
        queue = '%s.info' % topic
        self.assertEqual((True, 1), self.pool_queue(queue))
        self.start_daemon(
            sync=self.sync_sections(master={'ignore_regions': 'RegionThree'}),
            topic=topic, pool='', reconcile_interval='0')
        # The daemon acks an event once it is in the journal.
        self.wait_queue(lambda state: state[1] == 0, 'the event taken',
                        name=queue)
        self.wait_synced(image, REGIONS, timeout=SYNC_TIMEOUT)
        self.assertIsNone(self.pool_queue('gs-test-%s' % self.token))
