"""Hand events to the broker without ever making glance wait.

The repo proxy calls :meth:`Publisher.publish` inside glance's request and
import threads; it only puts the event on a bounded in-process queue. One
background thread per process drains the queue into an oslo.messaging
``Notifier``. When the broker is down the thread logs one warning per
outage and drops what it cannot send; the daemon's periodic reconcile
repairs whatever was lost.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
from collections.abc import Callable
from typing import Any

import oslo_messaging
from oslo_config import cfg

__all__ = ['Publisher', 'make_sender']

LOG = logging.getLogger(__name__)

Sender = Callable[[str, dict[str, Any]], None]


def make_sender(conf: cfg.ConfigOpts) -> Sender:
    """An oslo.messaging notifier on the plugin's topic, as a function.

    :param conf: a configuration with the ``[glance_sync]`` options.
    :returns: ``send(event_type, payload)``, which may block and raise.
    """
    opts = conf.glance_sync
    transport = oslo_messaging.get_notification_transport(
        conf, url=opts.transport_url)
    notifier = oslo_messaging.Notifier(
        transport, publisher_id='glance-sync.%s' % socket.gethostname(),
        driver='messagingv2', topics=[opts.topic],
        retry=opts.publish_retry)

    def send(event_type: str, payload: dict[str, Any]) -> None:
        notifier.info({}, event_type, payload)
    return send


class Publisher:
    """A bounded queue and the thread that empties it.

    :meth:`publish` is thread-safe, never blocks and never raises. The
    thread starts on first use in each process, so a publisher created
    before gunicorn forks its workers still works in every worker.
    """

    def __init__(self, send: Sender, queue_size: int = 10000) -> None:
        self._send = send
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=queue_size)
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._outage = False
        self.dropped = 0

    def publish(self, event_type: str, payload: dict[str, Any]) -> None:
        """Queue one event; drop it (and count it) when the queue is full."""
        try:
            self._ensure_thread()
            self._queue.put_nowait((event_type, payload))
        except queue.Full:
            self._lost('the queue of %d events is full'
                       % self._queue.maxsize)
        except Exception:  # never let a bug here fail the user's request
            LOG.exception('glance-sync could not queue event %s', event_type)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued event was handled; for tests and exit.

        :returns: True when the queue emptied within ``timeout`` seconds.
        """
        done = threading.Event()

        def drain() -> None:
            self._queue.join()
            done.set()
        threading.Thread(target=drain, daemon=True).start()
        return done.wait(timeout)

    def _ensure_thread(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                threading.Thread(target=self._run, daemon=True,
                                 name='glance-sync-publisher').start()
                self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            event_type, payload = self._queue.get()
            try:
                self._send(event_type, payload)
            except Exception as exc:
                self._lost('%s: %s' % (type(exc).__name__, exc))
            else:
                if self._outage:
                    LOG.warning('glance-sync events flow again; %d were '
                                'dropped meanwhile', self.dropped)
                    self._outage = False
            finally:
                self._queue.task_done()

    def _lost(self, reason: str) -> None:
        self.dropped += 1
        if not self._outage:
            # One warning per outage: a dead broker must not flood the log.
            self._outage = True
            LOG.warning('glance-sync cannot publish image events (%s); '
                        'dropping them until it can, the periodic '
                        'reconcile will repair them', reason)
