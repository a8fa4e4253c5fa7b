"""What one caller's copies wrote: bytes, and the seconds they took.

The daemon records each task's last copy with its rate (``glance-sync-
manage tasks``). A :class:`CopyMeter` goes with the task's copies
(:meth:`~glance_sync.transfer.gathering.GatheringCopier.__call__`'s
``meter``): it counts the bytes handed to the region through the copy's
:attr:`~glance_sync.transfer.targets.Target.on_bytes` and times each copy
from the start of its transfer (after any wait for the regions gathered
with it) to its last byte, or to its end when no byte moved (a zero-copy
location). So a copy gathered with a slower region keeps its own time,
and a capped copy shows the cap's rate. Thread-safe: bytes are counted
in the upload threads.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable

from glance_sync.transfer.targets import Target

__all__ = ['CopyMeter']


class CopyMeter:
    """Bytes and seconds of a series of copies (one task's).

    :param clock: seconds, monotonic (tests pass a fake).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        #: Bytes the copies that arrived wrote to the region.
        self.bytes = 0
        #: Seconds those copies took, together.
        self.seconds = 0.0
        #: How many copies arrived.
        self.copies = 0
        #: Bytes of the copy under way, and when its latest one came.
        self._pending = 0
        self._last_byte: float | None = None

    def metered(self, target: Target) -> Target:
        """``target``, its bytes counted by this meter too."""
        first = target.on_bytes
        if first is None:
            return dataclasses.replace(target, on_bytes=self.count)

        def both(count: int) -> None:
            first(count)
            self.count(count)
        return dataclasses.replace(target, on_bytes=both)

    def count(self, size: int) -> None:
        """``size`` more bytes were handed to the region (a Target's
        ``on_bytes``)."""
        now = self._clock()
        with self._lock:
            self._pending += size
            self._last_byte = now

    def ended(self, started: float, arrived: bool = True) -> None:
        """The copy under way, whose transfer started at ``started`` (on
        this meter's clock), has ended: add its bytes and its time, to its
        last byte if it had any. A copy that did not arrive (failed,
        removed) adds nothing.
        """
        now = self._clock()
        with self._lock:
            if arrived:
                end = now if self._last_byte is None else self._last_byte
                self.bytes += self._pending
                self.seconds += max(end - started, 0.0)
                self.copies += 1
            self._pending = 0
            self._last_byte = None
