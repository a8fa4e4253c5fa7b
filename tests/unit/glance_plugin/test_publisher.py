import threading
from unittest import mock

import fixtures
import oslo_messaging
from oslo_config import cfg
from oslotest import base

from glance_sync.conf import plugin as plugin_conf
from glance_sync.glance_plugin import publisher


class FlakySender:
    """A broker that refuses the first ``failures`` sends, then takes all.

    ``gate``, when given, holds every send until it is set.
    """

    def __init__(self, failures: int = 0,
                 gate: threading.Event | None = None) -> None:
        self.failures = failures
        self.gate = gate
        self.calls = 0
        self.sent: list = []

    def __call__(self, event_type, payload):
        if self.gate is not None:
            self.gate.wait()
        self.calls += 1
        if self.calls <= self.failures:
            raise oslo_messaging.MessageDeliveryFailure('broker down')
        self.sent.append(payload)


class PublisherTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(
            name='glance_sync.glance_plugin.publisher'))
        self.pauses = []

    def publisher(self, send, **kwargs):
        return publisher.Publisher(send, sleep=self.pauses.append, **kwargs)

    def test_events_are_sent_in_order(self):
        sender = FlakySender()
        pub = self.publisher(sender)
        for n in range(5):
            pub.publish('e', {'n': n})
        self.assertTrue(pub.flush())
        self.assertEqual([{'n': n} for n in range(5)], sender.sent)
        self.assertEqual([], self.pauses)

    def test_failed_events_are_resent_in_order_nothing_lost(self):
        gate = threading.Event()
        sender = FlakySender(failures=4, gate=gate)
        pub = self.publisher(sender)
        for n in range(3):
            pub.publish('e', {'n': n})
        gate.set()
        self.assertTrue(pub.flush())
        self.assertEqual([{'n': 0}, {'n': 1}, {'n': 2}], sender.sent)
        self.assertEqual(0, pub.dropped)
        self.assertEqual(0, pub.pending())
        # Four failures of the head, then one call per event.
        self.assertEqual(7, sender.calls)

    def test_backoff_doubles_up_to_its_cap(self):
        sender = FlakySender(failures=8)
        pub = self.publisher(sender, retry_interval=0.25,
                             max_retry_interval=2.0)
        pub.publish('e', {'n': 0})
        self.assertTrue(pub.flush())
        # No busy loop: every failure is followed by a growing pause.
        self.assertEqual([0.25, 0.5, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0],
                         self.pauses)
        self.assertEqual([{'n': 0}], sender.sent)

    def test_backoff_starts_over_after_a_delivery(self):
        sender = FlakySender(failures=2)
        pub = self.publisher(sender, retry_interval=0.25)
        pub.publish('e', {'n': 0})
        self.assertTrue(pub.flush())
        sender.failures = sender.calls + 1
        pub.publish('e', {'n': 1})
        self.assertTrue(pub.flush())
        self.assertEqual([0.25, 0.5, 0.25], self.pauses)

    def test_one_warning_per_outage(self):
        sender = FlakySender(failures=5)
        pub = self.publisher(sender)
        for n in range(3):
            pub.publish('e', {'n': n})
        self.assertTrue(pub.flush())
        self.assertEqual(1, self.log.output.count('cannot publish'))
        self.assertIn('MessageDeliveryFailure: broker down', self.log.output)
        self.assertIn('flow again', self.log.output)
        self.assertIn('0 were dropped', self.log.output)

    def test_drops_only_when_full_and_counts_them(self):
        gate = threading.Event()
        sender = FlakySender(failures=1, gate=gate)
        pub = self.publisher(sender, queue_size=3)
        for n in range(10):
            pub.publish('e', {'n': n})
        self.assertEqual(7, pub.dropped)
        self.assertEqual(3, pub.pending())
        self.assertEqual(1, self.log.output.count('is full'))
        gate.set()
        self.assertTrue(pub.flush())
        # The three that fit are delivered, first to last.
        self.assertEqual([{'n': 0}, {'n': 1}, {'n': 2}], sender.sent)
        self.assertIn('7 were dropped meanwhile', self.log.output)

    def test_room_again_after_a_full_queue(self):
        gate = threading.Event()
        sender = FlakySender(gate=gate)
        pub = self.publisher(sender, queue_size=1)
        pub.publish('e', {'n': 0})
        pub.publish('e', {'n': 1})
        self.assertEqual(1, pub.dropped)
        gate.set()
        self.assertTrue(pub.flush())
        pub.publish('e', {'n': 2})
        self.assertTrue(pub.flush())
        self.assertEqual([{'n': 0}, {'n': 2}], sender.sent)
        self.assertEqual(1, pub.dropped)

    def test_publish_never_blocks_while_the_broker_hangs(self):
        gate = threading.Event()
        pub = self.publisher(FlakySender(gate=gate), queue_size=2)
        done = threading.Event()

        def burst():
            for n in range(100):
                pub.publish('e', {'n': n})
            done.set()

        threading.Thread(target=burst, daemon=True).start()
        self.assertTrue(done.wait(10))
        self.assertEqual(98, pub.dropped)
        gate.set()
        self.assertTrue(pub.flush())

    def test_flush_times_out_while_events_wait(self):
        pub = self.publisher(FlakySender(gate=threading.Event()))
        pub.publish('e', {})
        self.assertFalse(pub.flush(timeout=0.1))
        self.assertEqual(1, pub.pending())

    def test_publish_never_raises(self):
        pub = self.publisher(FlakySender())
        with mock.patch.object(pub, '_ensure_thread',
                               side_effect=RuntimeError('bug')):
            pub.publish('e', {})
        self.assertIn('could not queue event e', self.log.output)


class MakeSenderTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.conf = cfg.ConfigOpts()
        self.conf([], project='glance-sync-tests')
        plugin_conf.register_opts(self.conf)
        self.conf.set_override('transport_url', 'fake:/', 'glance_sync')
        self.conf.set_override('publish_retry', 3, 'glance_sync')

    def test_sends_messagingv2_on_the_topic(self):
        with mock.patch.object(oslo_messaging.Transport,
                               '_send_notification') as send:
            publisher.make_sender(self.conf)('image.sync', {'id': 'x'})
        target, ctxt, message = send.call_args.args
        self.assertEqual('glance_sync.info', target.topic)
        self.assertEqual({}, ctxt)
        self.assertEqual('image.sync', message['event_type'])
        self.assertEqual('INFO', message['priority'])
        self.assertEqual({'id': 'x'}, message['payload'])
        self.assertEqual({'version': 2.0, 'retry': 3}, send.call_args.kwargs)

    def test_delivery_failure_reaches_the_caller(self):
        with mock.patch.object(
                oslo_messaging.Transport, '_send_notification',
                side_effect=oslo_messaging.MessageDeliveryFailure('down')):
            send = publisher.make_sender(self.conf)
            self.assertRaises(oslo_messaging.MessageDeliveryFailure,
                              send, 'image.sync', {})
