"""Listening to the test run's RabbitMQ vhost from functional tests.

``tools/run-tests`` gives every run a vhost of its own and exports its URL
as ``GLANCE_SYNC_TRANSPORT_URL``; the master glance-api publishes there.
Listeners here read the daemon's documented broker settings
(``etc/glance-sync/glance-sync-messaging.snippet.conf``): the exchange
they declare must have the durability the publisher gave it.
"""

from __future__ import annotations

import fcntl
import os
import queue
import tempfile
import time
import uuid
from typing import Any

import oslo_messaging
from oslo_config import cfg

from tests.functional import base
from tools.localcloud import snippets

DEFAULT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'


def transport_url() -> str:
    return os.environ.get('GLANCE_SYNC_TRANSPORT_URL', DEFAULT_URL)


def messaging_conf() -> cfg.ConfigOpts:
    """A configuration with the daemon's documented broker settings."""
    with tempfile.NamedTemporaryFile('w', suffix='.conf') as snippet:
        snippet.write(snippets.render(snippets.DAEMON, transport_url()))
        snippet.flush()
        conf = cfg.ConfigOpts()
        conf(['--config-file', snippet.name], project='glance-sync-tests')
    return conf


def broker_lock(exclusive: bool = False, timeout: float = 600) -> Any:
    """Hold the test cloud's broker lock until the returned file closes.

    Tests that need RabbitMQ hold it shared; a test that stops RabbitMQ
    holds it exclusively, so it never runs while another one listens.

    :raises AssertionError: not obtained within ``timeout`` seconds.
    """
    path = base.cloud_dir() / '.rabbitmq.lock'
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = open(path, 'a')  # noqa: SIM115 - the caller closes it
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(lock, mode | fcntl.LOCK_NB)
            return lock
        except BlockingIOError:
            if time.monotonic() > deadline:
                lock.close()
                raise AssertionError('waited %ds for the broker lock %s'
                                     % (timeout, path))
            time.sleep(0.2)


class _Endpoint:

    def __init__(self, sink: queue.Queue) -> None:
        self.sink = sink

    def info(self, ctxt: Any, publisher_id: str, event_type: str,
             payload: dict[str, Any], metadata: Any) -> None:
        self.sink.put((event_type, payload))


class EventCollector:
    """Collects the notifications of one topic while it runs.

    Each collector listens in a pool of its own, so tests running at the
    same time each see every event. Notifications travel on the control
    exchange of the publisher: glance-api's is ``glance``.
    """

    def __init__(self, topic: str = 'glance_sync',
                 exchange: str = 'glance') -> None:
        self.transport = oslo_messaging.get_notification_transport(
            messaging_conf())
        self.events: queue.Queue = queue.Queue()
        self.listener = oslo_messaging.get_notification_listener(
            self.transport,
            [oslo_messaging.Target(topic=topic, exchange=exchange)],
            [_Endpoint(self.events)], executor='threading',
            pool='test-%s' % uuid.uuid4().hex)

    def __enter__(self) -> EventCollector:
        self._broker = broker_lock()
        self.listener.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.listener.stop()
        self.listener.wait()
        self.transport.cleanup()
        self._broker.close()

    def wait_for(self, image_id: str, event_type: str,
                 timeout: float = 20.0) -> dict[str, Any]:
        """The first event of that type about that image, or AssertionError.

        Events about other images are set aside (tests run in parallel).
        """
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                got_type, payload = self.events.get(timeout=max(left, 0))
            except queue.Empty:
                raise AssertionError('no %s event for image %s within %ss'
                                     % (event_type, image_id, timeout))
            if payload.get('id') == image_id and got_type == event_type:
                return payload

    def drain(self, image_id: str, settle: float = 2.0) -> list[str]:
        """Every event type about that image until none came for a while."""
        seen: list[str] = []
        while True:
            try:
                got_type, payload = self.events.get(timeout=settle)
            except queue.Empty:
                return seen
            if payload.get('id') == image_id:
                seen.append(got_type)
