"""The verified copy of one image from one region to another.

This is the primitive the transfer strategies build on: the source's data
flows chunk by chunk from ``download`` into ``upload``, hashed on the way,
and the copy is kept only if its size, md5 and secure hash match both the
source's record and what the destination computed itself. A copy that does
not is deleted, so a failure never leaves a ``queued`` or corrupt image;
except, when asked (``keep_queued``), a copy that is still ``queued``: a
copy that must keep the master's id (``match_by = id``) is worth keeping,
since Glance never lets a deleted image's id be used again.
"""

from __future__ import annotations

import logging
import time

from glance_sync import digests
from glance_sync.regions import base
from glance_sync.transfer import records
from glance_sync.transfer.targets import Target

__all__ = ['copy_image']

LOG = logging.getLogger(__name__)


def copy_image(src_region: base.Region, src_image: base.Image,
               dst_region: base.Region, record: base.Image | None = None, *,
               chunk_size: int = digests.DEFAULT_CHUNK_SIZE,
               keep_queued: bool = False) -> base.Image:
    """Copy an image's record and data to another region, verified.

    The data is never held whole in memory: at most a chunk or two are in
    flight. Blocks until the copy is complete (or has failed and been
    removed). Calling it again after a failure is safe: nothing is left of
    the failed attempt.

    :param src_region: where the image is.
    :param src_image: the image to copy, ``active``; its ``size``,
        ``checksum`` and ``os_hash_value`` are what the copy must match.
    :param dst_region: where to copy it.
    :param record: what the copy's record should be: its name, visibility,
        disk and container formats, ``min_disk``, ``min_ram`` and extra
        properties are used (the caller decides which properties to copy).
        Defaults to ``src_image`` as it is. A record of ``dst_region`` in
        status ``queued`` is taken as already created and filled in place;
        it is deleted on failure, like any copy.
    :param chunk_size: the largest chunk handed to the destination.
    :param keep_queued: on failure, keep the copy if it is still
        ``queued`` (Glance puts it back there when an upload fails), so a
        later attempt can fill it; a copy with data is always deleted.
    :returns: the copy's record, ``active``.
    :raises CopyFailed: the source is not active, the record could not be
        created, either region failed, or the fingerprints differ; the
        message names the image, the regions and both fingerprints, and
        ``__cause__`` holds the underlying error.
    """
    target = Target(dst_region, record, keep_queued)
    why = records.inactive_reason(src_region, src_image)
    if why is not None:
        # A record the caller prepared is ours to remove, like any copy.
        raise records.refused(target, src_region, src_image, why)
    copy = records.record_for(target, src_image)
    try:
        return _transfer(src_region, src_image, dst_region, copy, chunk_size)
    except BaseException as exc:
        if not isinstance(exc, Exception):
            records.remove_copy(dst_region, copy.id, keep_queued)
            raise
        raise records.failure(target, copy.id, src_region, src_image,
                              exc) from exc


def _transfer(src_region: base.Region, src_image: base.Image,
              dst_region: base.Region, copy: base.Image,
              chunk_size: int) -> base.Image:
    started = time.monotonic()
    expected = digests.Digests.of_image(src_image)
    stream = digests.HashingStream(src_region.download(src_image.id),
                                   expected.hash_algo, expected=expected,
                                   chunk_size=chunk_size)
    try:
        uploaded = dst_region.upload(copy.id, stream, size=src_image.size)
    finally:
        stream.close()
    digests.check_copy(stream.digests(), stream.size, stream.finished,
                       uploaded, dst_region.name)
    LOG.info('Copied image %(name)s (%(src)s) from region %(from)s to '
             '%(to)s as %(dst)s: %(size)d bytes in %(secs).1f s, %(digests)s',
             {'name': src_image.name, 'src': src_image.id,
              'from': src_region.name, 'to': dst_region.name,
              'dst': uploaded.id, 'size': stream.size,
              'secs': time.monotonic() - started,
              'digests': stream.digests().describe()})
    return uploaded
