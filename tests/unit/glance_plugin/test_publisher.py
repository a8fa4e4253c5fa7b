import threading
from unittest import mock

import fixtures
from oslotest import base

from glance_sync.glance_plugin import publisher


class PublisherTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(
            name='glance_sync.glance_plugin.publisher'))
        self.sent = []

    def test_events_are_sent_in_order(self):
        pub = publisher.Publisher(lambda t, p: self.sent.append((t, p)))
        for n in range(5):
            pub.publish('e', {'n': n})
        self.assertTrue(pub.flush())
        self.assertEqual([('e', {'n': n}) for n in range(5)], self.sent)

    def test_one_warning_per_outage(self):
        broker_up = threading.Event()

        def send(event_type, payload):
            if not broker_up.is_set():
                raise ConnectionError('broker down')
            self.sent.append(payload)

        pub = publisher.Publisher(send)
        for n in range(3):
            pub.publish('e', {'n': n})
        self.assertTrue(pub.flush())
        self.assertEqual(3, pub.dropped)
        self.assertEqual(1, self.log.output.count('cannot publish'))
        broker_up.set()
        pub.publish('e', {'n': 3})
        self.assertTrue(pub.flush())
        self.assertEqual([{'n': 3}], self.sent)
        self.assertIn('flow again; 3 were dropped', self.log.output)

    def test_full_queue_drops_without_blocking(self):
        release = threading.Event()
        pub = publisher.Publisher(lambda t, p: release.wait(), queue_size=1)
        # The thread holds one event; one more fills the queue.
        pub.publish('e', {})
        for _ in range(50):
            pub.publish('e', {})
        self.assertGreaterEqual(pub.dropped, 48)
        self.assertIn('queue of 1 events is full', self.log.output)
        release.set()
        self.assertTrue(pub.flush())

    def test_publish_never_raises(self):
        pub = publisher.Publisher(lambda t, p: None)
        with mock.patch.object(pub, '_ensure_thread',
                               side_effect=RuntimeError('bug')):
            pub.publish('e', {})
        self.assertIn('could not queue event e', self.log.output)
