"""Upload progress: a live line on a terminal, log lines otherwise.

The sync calls a :class:`Progress` from several threads (one per region
being synchronised): :meth:`~Progress.start_region` with the bytes the
region will receive, :meth:`~Progress.start_image` and
:meth:`~Progress.finish_image` around each upload, :meth:`~Progress.
advance` for every chunk sent, :meth:`~Progress.finish_region` at the end.

:class:`TerminalProgress` redraws one line on the terminal with every
active region's bytes, rate and ETA (``Burgos 1.2/4.0 GiB 85 MiB/s ETA
0:00:34 | other:Madrid ...``), at most ten times a second.
:class:`LogProgress` logs one line when each upload starts and ends.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import threading
import time
from typing import TextIO

__all__ = ['LogProgress', 'NullProgress', 'Progress', 'TerminalProgress',
           'for_stream', 'human_bytes']

LOG = logging.getLogger(__name__)
#: Seconds between two redraws of the terminal line.
REDRAW_INTERVAL = 0.1


def human_bytes(count: float) -> str:
    """``1536`` → ``1.5 KiB``."""
    for unit in ('B', 'KiB', 'MiB', 'GiB'):
        if abs(count) < 1024:
            return ('%d %s' if unit == 'B' else '%.1f %s') % (count, unit)
        count /= 1024
    return '%.1f TiB' % count


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return '%d:%02d:%02d' % (seconds // 3600, seconds // 60 % 60,
                             seconds % 60)


class Progress:
    """Does nothing; the base of the progress displays. Thread-safe."""

    def start_region(self, region: str, total: int) -> None:
        """A region's uploads start; ``total`` bytes are to be sent."""

    def start_image(self, region: str, image: str, size: int) -> None:
        """An upload starts."""

    def advance(self, region: str, count: int) -> None:
        """``count`` more bytes were sent to ``region``."""

    def finish_image(self, region: str, image: str,
                     error: str | None = None) -> None:
        """An upload ended (``error``: why it failed)."""

    def finish_region(self, region: str) -> None:
        """A region is done."""

    def close(self) -> None:
        """No more regions."""


NullProgress = Progress


@dataclasses.dataclass
class _Region:
    total: int
    done: int = 0
    started: float = dataclasses.field(default_factory=time.monotonic)
    image: str = ''
    image_started: float = 0.0
    image_done: int = 0

    def rate(self, now: float) -> float:
        elapsed = now - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def describe(self, name: str, now: float) -> str:
        rate = self.rate(now)
        left = max(self.total - self.done, 0)
        eta = _duration(left / rate) if rate > 0 else '?'
        return '%s %s/%s %s/s ETA %s' % (
            name, human_bytes(self.done), human_bytes(self.total),
            human_bytes(rate), eta)


class LogProgress(Progress):
    """One log line when each upload starts and when it ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._regions: dict[str, _Region] = {}

    def start_region(self, region: str, total: int) -> None:
        with self._lock:
            self._regions[region] = _Region(total)

    def start_image(self, region: str, image: str, size: int) -> None:
        with self._lock:
            state = self._regions.setdefault(region, _Region(size))
            state.image, state.image_done = image, 0
            state.image_started = time.monotonic()
        LOG.info('%s: uploading %s (%s)', region, image, human_bytes(size))

    def advance(self, region: str, count: int) -> None:
        with self._lock:
            state = self._regions.get(region)
            if state is not None:
                state.done += count
                state.image_done += count

    def finish_image(self, region: str, image: str,
                     error: str | None = None) -> None:
        with self._lock:
            state = self._regions.get(region) or _Region(0)
            elapsed = time.monotonic() - state.image_started
            sent = state.image_done
        if error:
            LOG.error('%s: upload of %s failed after %s: %s', region, image,
                      human_bytes(sent), error)
            return
        rate = sent / elapsed if elapsed > 0 else 0.0
        LOG.info('%s: uploaded %s, %s in %.1f s (%s/s)', region, image,
                 human_bytes(sent), elapsed, human_bytes(rate))


class TerminalProgress(LogProgress):
    """A live line with every active region's progress.

    Log records still reach the terminal: the line is cleared before each
    one (a filter on the root logger's handlers) and redrawn after.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream
        self._last = 0.0
        self._width = 0
        self._filter = _ClearLine(self)
        for handler in logging.getLogger().handlers:
            handler.addFilter(self._filter)

    def start_image(self, region: str, image: str, size: int) -> None:
        with self._lock:
            state = self._regions.setdefault(region, _Region(size))
            state.image, state.image_done = image, 0
            state.image_started = time.monotonic()
        self._draw(force=True)

    def advance(self, region: str, count: int) -> None:
        super().advance(region, count)
        self._draw()

    def finish_image(self, region: str, image: str,
                     error: str | None = None) -> None:
        if error:
            self._clear()
            super().finish_image(region, image, error)
        self._draw(force=True)

    def finish_region(self, region: str) -> None:
        with self._lock:
            self._regions.pop(region, None)
        self._draw(force=True)

    def close(self) -> None:
        for handler in logging.getLogger().handlers:
            handler.removeFilter(self._filter)
        self._clear()

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            if not force and now - self._last < REDRAW_INTERVAL:
                return
            self._last = now
            parts = [state.describe(name, now)
                     for name, state in self._regions.items()
                     if state.total]
            width = shutil.get_terminal_size().columns - 1
            line = ' | '.join(parts)[:width]
            self._stream.write('\r' + line.ljust(self._width))
            self._stream.flush()
            self._width = len(line)

    def _clear(self) -> None:
        with self._lock:
            if self._width:
                self._stream.write('\r' + ' ' * self._width + '\r')
                self._stream.flush()
                self._width = 0
            self._last = 0.0  # redraw at the next chunk


class _ClearLine(logging.Filter):
    """Clears the progress line before a log record is written."""

    def __init__(self, progress: TerminalProgress) -> None:
        super().__init__()
        self._progress = progress

    def filter(self, record: logging.LogRecord) -> bool:
        self._progress._clear()
        return True


def for_stream(stream: TextIO) -> Progress:
    """A live line when ``stream`` is a terminal, log lines otherwise."""
    isatty = getattr(stream, 'isatty', None)
    if isatty is not None and isatty():
        return TerminalProgress(stream)
    return LogProgress()
