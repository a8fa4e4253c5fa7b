"""Hand events to the broker without ever making glance wait.

The repo proxy calls :meth:`Publisher.publish` inside glance's request and
import threads; it only appends the event to a bounded in-process queue.
One background thread per process sends the queue's head through
oslo.messaging and removes it only once the broker took it. While the
broker does not answer, the head stays where it is and is tried again
with a capped exponential backoff, so events keep their order and flow
again within a couple of seconds of the broker's return. Only when the
queue is full are new events dropped (counted, and said once per outage);
the daemon's periodic reconcile repairs those.
"""

from __future__ import annotations

import collections
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import oslo_messaging
from oslo_config import cfg
from oslo_utils import timeutils

__all__ = ['Publisher', 'make_sender']

LOG = logging.getLogger(__name__)

Sender = Callable[[str, dict[str, Any]], None]
#: First pause after a failed send, and the longest one (seconds).
RETRY_INTERVAL = 0.2
MAX_RETRY_INTERVAL = 2.0


def make_sender(conf: cfg.ConfigOpts) -> Sender:
    """A messagingv2 notification sender on the plugin's topic.

    ``oslo_messaging.Notifier`` (and its ``messagingv2`` driver) log and
    swallow a failed delivery, so its caller cannot keep the event for a
    later try. This sender builds the same message and envelope as the
    ``messagingv2`` driver and hands them to the transport itself, so a
    failure reaches :class:`Publisher`.

    :param conf: a configuration with the ``[glance_sync]`` options.
    :returns: ``send(event_type, payload)``, which raises
        ``oslo_messaging.MessageDeliveryFailure`` when the broker does not
        take the event after ``publish_retry`` reconnection attempts.
    """
    opts = conf.glance_sync
    transport = oslo_messaging.get_notification_transport(
        conf, url=opts.transport_url)
    target = oslo_messaging.Target(topic='%s.info' % opts.topic)
    publisher_id = 'glance-sync.%s' % socket.gethostname()
    retry = opts.publish_retry

    def send(event_type: str, payload: dict[str, Any]) -> None:
        message = {'message_id': str(uuid.uuid4()),
                   'publisher_id': publisher_id,
                   'event_type': event_type, 'priority': 'INFO',
                   'payload': payload,
                   'timestamp': str(timeutils.utcnow())}
        # What MessagingV2Driver.notify does, minus its except clause.
        transport._send_notification(target, {}, message, version=2.0,
                                     retry=retry)
    return send


class Publisher:
    """A bounded queue of events and the thread that delivers them.

    :meth:`publish` is thread-safe, never blocks and never raises. The
    thread starts on first use in each process, so a publisher created
    before gunicorn forks its workers still works in every worker.

    :param send: delivers one event or raises.
    :param queue_size: events kept while they cannot be delivered,
        including the one being sent.
    :param retry_interval: first pause after a failed send; it doubles
        at each further failure up to ``max_retry_interval``.
    :param sleep: how the thread pauses (tests pass a recorder).
    """

    def __init__(self, send: Sender, queue_size: int = 10000,
                 retry_interval: float = RETRY_INTERVAL,
                 max_retry_interval: float = MAX_RETRY_INTERVAL,
                 sleep: Callable[[float], Any] = time.sleep) -> None:
        self._send = send
        self._size = queue_size
        self._retry_interval = retry_interval
        self._max_retry_interval = max_retry_interval
        self._sleep = sleep
        self._events: collections.deque[tuple[str, dict[str, Any]]] = (
            collections.deque())
        self._ready = threading.Condition()
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._outage_since: float | None = None
        self._full = False
        self._dropped_in_outage = 0
        #: Events dropped because the queue was full, since the start.
        self.dropped = 0

    def publish(self, event_type: str, payload: dict[str, Any]) -> None:
        """Queue one event; drop it (and count it) when the queue is full."""
        try:
            self._ensure_thread()
            with self._ready:
                if len(self._events) >= self._size:
                    self._drop()
                    return
                self._events.append((event_type, payload))
                self._ready.notify_all()
        except Exception:  # never let a bug here fail the user's request
            LOG.exception('glance-sync could not queue event %s', event_type)

    def pending(self) -> int:
        """Events queued and not yet delivered."""
        with self._ready:
            return len(self._events)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued event was delivered; for tests and exit.

        :returns: True when the queue emptied within ``timeout`` seconds.
        """
        with self._ready:
            return self._ready.wait_for(lambda: not self._events, timeout)

    def _ensure_thread(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                threading.Thread(target=self._run, daemon=True,
                                 name='glance-sync-publisher').start()
                self._pid = os.getpid()

    def _run(self) -> None:
        pause = self._retry_interval
        while True:
            with self._ready:
                self._ready.wait_for(lambda: self._events)
                # The head stays queued until the broker took it.
                event_type, payload = self._events[0]
            error = self._try_send(event_type, payload)
            if error is not None:
                self._failed(error)
                self._sleep(pause)
                pause = min(pause * 2, self._max_retry_interval)
                continue
            pause = self._retry_interval
            with self._ready:
                self._events.popleft()
                if self._outage_since is not None or self._full:
                    self._recovered()
                self._ready.notify_all()

    def _try_send(self, event_type: str, payload: dict[str, Any]
                  ) -> Exception | None:
        # Returns the error rather than handling it in an except block:
        # oslo.log would add its traceback to the warning of each outage.
        try:
            self._send(event_type, payload)
        except Exception as exc:
            return exc
        return None

    def _failed(self, exc: Exception) -> None:
        with self._ready:
            if self._outage_since is not None:
                return
            self._outage_since = time.monotonic()
            queued = len(self._events)
        # One warning per outage: a dead broker must not flood the log.
        # The exception's text names the broker's host, not its password.
        LOG.warning('glance-sync cannot publish image events (%s: %s); '
                    'keeping them (%d queued, room for %d) and trying '
                    'again', type(exc).__name__, exc, queued, self._size)

    def _recovered(self) -> None:
        # Called with self._ready held, after a delivery that ends an
        # outage or makes room in a full queue.
        since = self._outage_since or time.monotonic()
        LOG.warning('glance-sync events flow again after %.1fs; %d are '
                    'still queued, %d were dropped meanwhile because the '
                    'queue was full', time.monotonic() - since,
                    len(self._events), self._dropped_in_outage)
        self._outage_since = None
        self._full = False
        self._dropped_in_outage = 0

    def _drop(self) -> None:
        # Called with self._ready held.
        self.dropped += 1
        self._dropped_in_outage += 1
        if not self._full:
            self._full = True
            LOG.warning('glance-sync\'s queue of %d image events is full; '
                        'dropping new ones until the broker takes the '
                        'queued ones (the periodic reconcile will repair '
                        'the dropped ones)', self._size)
