"""Copies to several regions from one read of the master image.

:func:`stream_copies` is what the ``stream`` and ``store`` strategies (and
the fallbacks of ``glance-download``) share: each target's record is
created in the target's own upload thread, its data comes from a
:class:`~glance_sync.transfer.fanout.FanOut` over the source, and each copy
is judged, and removed if bad, on its own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence

from glance_sync import digests
from glance_sync.regions import base
from glance_sync.transfer import bandwidth, capabilities
from glance_sync.transfer import records, fanout
from glance_sync.transfer.base import TransferOptions, TransferStats
from glance_sync.transfer.targets import Results, Target

__all__ = ['stream_copies']

LOG = logging.getLogger(__name__)

#: Opens the source: the master image's data as chunks.
Opener = Callable[[], Iterable[bytes]]


def stream_copies(options: TransferOptions, master_region: base.Region,
                  master_image: base.Image, targets: Sequence[Target],
                  open_source: Opener, stats: TransferStats,
                  how: str = 'streamed') -> Results:
    """Copy the master image to every target, reading it once.

    :param open_source: called once, in this thread, for the data.
    :param stats: ``source_bytes`` grows by the bytes read.
    :param how: the verb of the summary log line.
    :returns: region name -> the active copy or its ``CopyFailed``.
    """
    if not targets:
        return {}
    expected = digests.Digests.of_image(master_image)
    fan = fanout.FanOut(expected, queue_chunks=options.queue_chunks,
                        stall_timeout=options.stall_timeout,
                        chunk_size=options.chunk_size)
    limiter = bandwidth.limiter_for(options.sites)
    uploads = {t.region.name: _upload(t, master_region, master_image, fan,
                                      options.cleanup_attempts, limiter)
               for t in targets}
    started = time.monotonic()
    try:
        source = _open(open_source)
    except Exception as exc:
        # No byte read: nothing was created either.
        reason = 'the source could not be read: %s' % records.explain(exc)
        return {t.region.name: records.refused(t, master_region, master_image,
                                               reason, exc) for t in targets}
    outcomes = fan.run(source, uploads)
    stats.source_bytes += fan.bytes_read
    results = {name: _result(name, outcomes[name], master_image)
               for name in uploads}
    _log_summary(how, master_region, master_image, results, fan.bytes_read,
                 time.monotonic() - started)
    return results


def _open(open_source: Opener, attempts: int = 3) -> Iterable[bytes]:
    """Open the source, again if the master did not answer: a kept-alive
    connection its server has just closed fails the first request."""
    for attempt in range(1, attempts + 1):
        try:
            return open_source()
        except base.RegionUnavailable as exc:
            if attempt == attempts:
                raise
            LOG.debug('Opening the source failed (%s), trying again', exc)
            time.sleep(0.5 * attempt)
    raise AssertionError('unreachable')  # pragma: no cover


def _upload(target: Target, master_region: base.Region,
            master_image: base.Image, fan: fanout.FanOut,
            attempts: int, limiter: bandwidth.Limiter) -> fanout.Upload:
    """One target's part: create the record, upload, judge, clean up."""
    def upload(feed: fanout.Feed) -> base.Image:
        copy = records.record_for(target, master_image)
        started = time.monotonic()
        try:
            # Capped here, in the region's own upload thread: a capped
            # region slows the others only once its queue is full.
            chunks = limiter.throttle(master_region.name, target.region.name,
                                      feed.chunks())
            uploaded = capabilities.upload(
                target.region, copy.id, _counted(chunks, target.on_bytes),
                master_image.size)
            digests.check_copy(fan.digests or fan.expected, feed.taken,
                               feed.complete, uploaded, target.region.name)
        except BaseException as exc:
            cause = exc.cause if isinstance(exc, fanout.Aborted) else exc
            error = records.failure(target, copy.id, master_region,
                                    master_image, cause, attempts)
            if not isinstance(exc, Exception):
                raise
            raise error from cause
        _log_rate(target.region.name, master_image, feed.taken,
                  time.monotonic() - started,
                  limiter.cap(master_region.name, target.region.name))
        return uploaded
    return upload


def _log_rate(region: str, master_image: base.Image, sent: int,
              seconds: float, cap: int | None) -> None:
    """One line per copy with its rate, and the cap that held it."""
    mib = 1024.0 * 1024.0
    LOG.info('Copy of image %(image)s to region %(region)s: %(bytes)d bytes '
             'in %(secs).1f s, %(rate).2f MiB/s%(cap)s', {
                 'image': records.label(master_image), 'region': region,
                 'bytes': sent, 'secs': seconds,
                 'rate': sent / seconds / mib if seconds > 0 else 0.0,
                 'cap': '' if cap is None
                 else ' (capped at %.2f MiB/s)' % (cap / mib)})


def _counted(chunks: Iterable[bytes],
             on_bytes: Callable[[int], None] | None) -> Iterable[bytes]:
    if on_bytes is None:
        return chunks
    return _counting(chunks, on_bytes)


def _counting(chunks: Iterable[bytes],
              on_bytes: Callable[[int], None]) -> Iterator[bytes]:
    for chunk in chunks:
        on_bytes(len(chunk))
        yield chunk


def _result(name: str, outcome: base.Image | BaseException,
            master_image: base.Image) -> base.Image | Exception:
    if isinstance(outcome, (base.Image, base.CopyFailed)):
        return outcome
    # Anything else escaped the upload's own handling: a bug, reported
    # as a failed copy rather than lost.
    error = base.CopyFailed(name, image=records.label(master_image),
                            reason=records.explain(outcome))
    error.__cause__ = outcome
    return error


def _log_summary(how: str, master_region: base.Region,
                 master_image: base.Image, results: Results, read: int,
                 seconds: float) -> None:
    done = sorted(n for n, r in results.items() if isinstance(r, base.Image))
    failed = sorted(set(results) - set(done))
    LOG.info('%(how)s image %(name)s (%(id)s): %(bytes)d bytes read once '
             'from region %(src)s in %(secs).1f s; copied to %(done)s%('
             'failed)s', {
                 'how': how.capitalize(), 'name': master_image.name,
                 'id': master_image.id, 'bytes': read,
                 'src': master_region.name, 'secs': seconds,
                 'done': ', '.join(done) or 'no region',
                 'failed': '; failed in ' + ', '.join(failed)
                 if failed else ''})
