"""A background thread that runs one step again and again until stopped.

The reconcile and the retention purge run the same way: a first run
after a delay, then one run per interval, a failed run logged and tried
again (each step decides when), and a stop that interrupts the wait but
never a run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

__all__ = ['Periodic']

LOG = logging.getLogger(__name__)


class Periodic:
    """Runs ``step`` in a daemon thread until :meth:`stop`.

    :param name: the thread's name.
    :param step: one run; returns the seconds to wait before the next
        one, or None to end the thread. An exception it raises is logged
        and ends the thread: steps catch what they can retry.
    :param first_delay: seconds before the first run.
    """

    def __init__(self, name: str, step: Callable[[], float | None],
                 first_delay: float = 0.0) -> None:
        self._name = name
        self._step = step
        self._first_delay = first_delay
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread."""
        self._thread = threading.Thread(target=self.run, name=self._name,
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the current run (waits ``timeout`` s at most)."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        """The thread's loop (tests call it directly)."""
        wait: float | None = self._first_delay
        while wait is not None and not self._stopped.wait(wait):
            try:
                wait = self._step()
            except Exception:
                LOG.exception('%s stopped', self._name)
                return
