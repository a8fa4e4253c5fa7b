"""systemd's watchdog: ``WATCHDOG=1`` while the daemon is alive.

With ``WatchdogSec=`` in the unit, systemd sets ``WATCHDOG_USEC`` (and
``WATCHDOG_PID``) and restarts the service when no ``WATCHDOG=1`` came
for that long. :class:`Watchdog` pings every half of it from a thread of
its own, but only while ``alive()`` says the daemon works (its task loop
turned recently): a hung loop stops the pings and systemd restarts the
daemon. Without the variables nothing starts.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping

from oslo_log import log as logging

from glance_sync.daemon import systemd

__all__ = ['Watchdog', 'timeout']

LOG = logging.getLogger(__name__)


def timeout(environ: Mapping[str, str] | None = None) -> float | None:
    """The watchdog timeout systemd set for this process, in seconds.

    :param environ: the environment (default: ``os.environ``).
    :returns: ``None`` when there is no watchdog, or when it watches
        another process (``WATCHDOG_PID`` is not ours, e.g. a child).
    """
    environ = os.environ if environ is None else environ
    usec, pid = environ.get('WATCHDOG_USEC'), environ.get('WATCHDOG_PID')
    try:
        if not usec or int(usec) <= 0:
            return None
        if pid and int(pid) != os.getpid():
            return None
    except ValueError:
        LOG.warning('Ignoring a malformed systemd watchdog setting: '
                    'WATCHDOG_USEC=%r WATCHDOG_PID=%r', usec, pid)
        return None
    return int(usec) / 1e6


class Watchdog:
    """Pings systemd's watchdog while ``alive()`` is true.

    :param alive: whether the daemon works; called from the watchdog's
        thread at each ping, it must not block.
    :param interval: seconds between two pings (half of the timeout).
    """

    def __init__(self, alive: Callable[[], bool], interval: float) -> None:
        self._alive = alive
        self.interval = interval
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def ping(self) -> bool:
        """Send ``WATCHDOG=1`` if the daemon is alive.

        :returns: whether it was sent.
        """
        if not self._alive():
            LOG.error('The daemon\'s task loop is stuck: systemd\'s watchdog '
                      'is no longer notified and will restart it')
            return False
        return systemd.notify('WATCHDOG=1')

    def start(self) -> None:
        """Ping now, then every :attr:`interval` seconds."""
        self.ping()
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name='glance-sync-watchdog')
        self._thread.start()

    def stop(self) -> None:
        """Stop pinging (the daemon stops)."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(self.interval + 1)

    def _loop(self) -> None:
        while not self._stopped.wait(self.interval):
            self.ping()
