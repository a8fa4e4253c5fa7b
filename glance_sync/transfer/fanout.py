"""Read once, write to many: the machinery behind ``stream`` and ``store``.

:class:`FanOut` reads a source of chunks once and hands every chunk (the
same ``bytes`` object, never a copy) to several consumers, each running in
a thread of its own: one upload per region, and one hasher per
fingerprint. Each consumer has a bounded queue, a :class:`Feed`:

- a slow region slows the reader down only once its queue is full, and so
  the others only as much as that;
- a region whose upload fails stops taking chunks: it is dropped, the
  others go on; a region that takes nothing for ``stall_timeout`` seconds
  is dropped too;
- memory is bounded by about ``(queue_chunks + 2) * chunk_size``, however
  big the image and however many regions.

What is verified once, and what per region. Every region receives the same
bytes objects, so the data's size, md5 and secure hash are computed once,
by the hashers (in parallel threads; hashlib releases the GIL), and
compared with the master image's fingerprints *before the last chunk is
released*: a corrupt or short stream never completes an upload anywhere.
What is left to check per region (by the caller, with
:func:`glance_sync.digests.check_copy`) is that the region took
every byte and that the fingerprints it computed itself, from what it
received, match.

Download, hashing and uploads overlap: the reader only moves references,
the hashers and the uploads run in their own threads.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Union

from glance_sync import digests as verify
from glance_sync.regions import base

__all__ = ['Aborted', 'FanOut', 'Feed', 'Stalled', 'rechunked']

LOG = logging.getLogger(__name__)

#: Seconds between two looks at a consumer while its queue is full.
_POLL = 0.5


class Stalled(Exception):
    """A consumer took no chunk for too long and was dropped."""


class Aborted(Exception):
    """The source failed: raised inside every consumer still running.

    Not an ``OSError``: an HTTP library sending a body must not take it
    for a broken connection of its own. The source's error is ``cause``.
    """

    def __init__(self, cause: BaseException) -> None:
        self.cause = cause
        super().__init__(str(cause))


class _End:
    """The end of the data, in a queue."""


_END = _End()
_Item = Union[bytes, _End, Aborted]


class Feed:
    """The chunks waiting for one consumer, at most ``depth`` of them.

    The reader calls :meth:`put` and :meth:`finish`; the consumer iterates
    :meth:`chunks` in its own thread and calls :meth:`stop` if it gives up.
    """

    def __init__(self, name: str, depth: int) -> None:
        """:param name: the consumer, for messages.
        :param depth: the most chunks waiting.
        """
        self.name = name
        self._queue: queue.Queue[_Item] = queue.Queue(depth)
        #: Why the consumer stopped early, once it has.
        self.error: BaseException | None = None
        #: Bytes the consumer took.
        self.taken = 0
        #: Whether the consumer read the data to its end.
        self.complete = False
        self._last_take = time.monotonic()

    @property
    def alive(self) -> bool:
        """Whether the consumer still takes chunks."""
        return self.error is None

    def put(self, chunk: bytes, stall_timeout: float) -> None:
        """Queue a chunk, waiting while the queue is full.

        Returns at once if the consumer has stopped; drops it (see
        :class:`Stalled`) when it takes nothing for ``stall_timeout``.
        """
        while self.error is None:
            try:
                self._queue.put(chunk, timeout=min(_POLL, stall_timeout))
                return
            except queue.Full:
                idle = time.monotonic() - self._last_take
                if idle > stall_timeout:
                    self.abort(Stalled('%s took no data for %.0f s'
                                       % (self.name, idle)))

    def finish(self) -> None:
        """Mark the end of the data (the consumer's iterator returns)."""
        if self.error is None:
            self._queue.put(_END)

    def abort(self, error: BaseException) -> None:
        """Drop the consumer: its iterator raises ``error`` (wrapped in
        :class:`Aborted` unless it is one) at its next chunk."""
        if self.error is not None:
            return
        self.error = error
        self._drain()
        wrapped = error if isinstance(error, (Aborted, Stalled)) else (
            Aborted(error))
        # The reader is the only producer and the queue was just drained.
        self._queue.put_nowait(wrapped)  # type: ignore[arg-type]

    def stop(self, error: BaseException) -> None:
        """Called by the consumer when it gives up: free what it holds."""
        if self.error is None:
            self.error = error
        self._drain()

    def _drain(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass

    def chunks(self) -> Iterator[bytes]:
        """The chunks, as they come; raises the reader's error if it
        aborts.

        :raises Aborted: the source failed (``cause`` says how).
        :raises Stalled: this consumer was dropped for taking nothing.
        """
        while True:
            item = self._queue.get()
            self._last_take = time.monotonic()
            if isinstance(item, (Aborted, Stalled)):
                raise item
            if isinstance(item, _End):
                self.complete = True
                return
            self.taken += len(item)
            yield item


class _Hasher:
    """One fingerprint of the data, computed in a thread of its own."""

    def __init__(self, algo: str, depth: int) -> None:
        self.algo = algo
        self.feed = Feed('the %s hasher' % algo, depth)
        self._hash = (hashlib.md5(usedforsecurity=False) if algo == 'md5'
                      else hashlib.new(algo))
        self.thread = _thread(self._run, 'fanout-%s' % algo)

    def _run(self) -> None:
        try:
            for chunk in self.feed.chunks():
                self._hash.update(chunk)
        except BaseException as exc:
            self.feed.stop(exc)

    def hexdigest(self) -> str:
        """The digest, once the data has ended: waits for the thread.

        :raises Aborted: the hasher was stopped before the end.
        """
        self.thread.join()
        if not self.feed.complete:
            raise Aborted(self.feed.error or Exception('hashing stopped'))
        return self._hash.hexdigest()


def rechunked(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """The same bytes in chunks of ``size`` (the last may be shorter).

    Chunks already of that size pass through without a copy; smaller ones
    are gathered (fewer, larger writes are cheaper for every region),
    larger ones cut.
    """
    pending = bytearray()
    for chunk in chunks:
        if not pending and len(chunk) == size:
            yield chunk
            continue
        pending += chunk
        while len(pending) >= size:
            yield bytes(pending[:size])
            del pending[:size]
    if pending:
        yield bytes(pending)


#: ``upload(feed) -> Image``: one region's upload, reading ``feed.chunks()``.
Upload = Callable[[Feed], base.Image]


class FanOut:
    """One read of a source, fed to several uploads at once, verified once.

    Use one object per image; :meth:`run` blocks until every upload has
    ended.
    """

    def __init__(self, expected: verify.Digests, *, queue_chunks: int = 16,
                 stall_timeout: float = 300.0,
                 chunk_size: int = verify.DEFAULT_CHUNK_SIZE) -> None:
        """:param expected: the fingerprints the data must have.
        :param queue_chunks: the most chunks waiting for one consumer.
        :param stall_timeout: seconds before a consumer that takes
            nothing is dropped.
        :param chunk_size: the size of the chunks handed on.
        """
        self.expected = expected
        self.queue_chunks = queue_chunks
        self.stall_timeout = stall_timeout
        self.chunk_size = chunk_size
        #: Bytes read from the source.
        self.bytes_read = 0
        #: The data's fingerprints, set (verified) before the last chunk
        #: reaches any upload.
        self.digests: verify.Digests | None = None
        self._results: dict[str, base.Image | BaseException] = {}

    def run(self, source: Iterable[bytes], uploads: Mapping[str, Upload]
            ) -> dict[str, base.Image | BaseException]:
        """Read ``source`` once and feed every upload.

        :param source: the data; closed (if it can be) at the end.
        :param uploads: region name -> its upload.
        :returns: region name -> what its upload returned or raised. An
            upload that was still reading when the source failed raised
            :class:`Aborted` (or its own error if it gave up first).
        """
        feeds = {name: Feed(name, self.queue_chunks) for name in uploads}
        hashers = [_Hasher(algo, self.queue_chunks)
                   for algo in ('md5', self.expected.hash_algo)]
        threads = [self._start(name, uploads[name], feeds[name])
                   for name in uploads]
        threads += [hasher.thread for hasher in hashers]
        try:
            self._read(source, list(feeds.values()), hashers)
        except BaseException as exc:
            LOG.debug('Reading for %(regions)s stopped: %(error)s',
                      {'regions': ', '.join(uploads), 'error': exc})
            for feed in [*feeds.values(), *(h.feed for h in hashers)]:
                feed.abort(exc)
            if not isinstance(exc, Exception):
                raise  # once every thread has ended, below
        finally:
            _close(source)
            for thread in threads:
                thread.join()
        return dict(self._results)

    def _start(self, name: str, upload: Upload, feed: Feed
               ) -> threading.Thread:
        def consume() -> None:
            try:
                self._results[name] = upload(feed)
            except BaseException as exc:
                feed.stop(exc)
                self._results[name] = exc
            if not feed.complete:
                # Returned without reading everything: stop feeding it.
                feed.stop(Exception('%s stopped reading' % name))
        return _thread(consume, 'fanout-%s' % name)

    def _read(self, source: Iterable[bytes], regions: list[Feed],
              hashers: list[_Hasher]) -> None:
        """Hand every chunk on, holding the last one back until the data
        is verified."""
        everyone = regions + [h.feed for h in hashers]
        held: bytes | None = None
        for chunk in rechunked(source, self.chunk_size):
            if held is not None:
                self._hand(held, everyone)
            held = chunk
            self.bytes_read += len(chunk)
            if not any(feed.alive for feed in regions):
                LOG.debug('Every region failed: reading stopped after '
                          '%d bytes', self.bytes_read)
                for hasher in hashers:
                    hasher.feed.abort(Aborted(Exception('no region left')))
                return
        self.digests = self._verify(held, hashers)
        if held is not None:
            self._hand(held, regions)
        for feed in regions:
            feed.finish()

    def _hand(self, chunk: bytes, feeds: list[Feed]) -> None:
        for feed in feeds:
            feed.put(chunk, self.stall_timeout)

    def _verify(self, held: bytes | None,
                hashers: list[_Hasher]) -> verify.Digests:
        """The data's fingerprints, compared with the expected ones.

        :raises DigestMismatch: they differ.
        """
        if held is not None:
            self._hand(held, [h.feed for h in hashers])
        for hasher in hashers:
            hasher.feed.finish()
        md5, secure = (hasher.hexdigest() for hasher in hashers)
        digests = verify.Digests(size=self.bytes_read, md5=md5,
                                 hash_algo=self.expected.hash_algo,
                                 hash_value=secure)
        problems = verify.differences(self.expected, digests,
                                      'the source has', 'the bytes read have')
        if problems:
            raise verify.DigestMismatch(problems)
        return digests


def _thread(target: Callable[[], None], name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def _close(source: Any) -> None:
    close = getattr(source, 'close', None)
    if close is not None:
        close()
