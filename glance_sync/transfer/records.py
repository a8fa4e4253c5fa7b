"""The life of one regional copy: create its record, judge it, remove it.

Every strategy creates (or reuses) the copy's record the same way, removes
a failed copy the same way and reports the failure with the same
:class:`~glance_sync.regions.base.CopyFailed` message, whichever way the
bytes travelled; these helpers are that common part.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from glance_sync import digests, retry
from glance_sync.regions import base
from glance_sync.transfer.targets import Target

__all__ = ['create_record', 'explain', 'failure', 'inactive_reason',
           'is_prepared', 'label', 'record_for', 'refused', 'remove_copy']

LOG = logging.getLogger(__name__)


def label(image: base.Image) -> str:
    """How messages name an image: ``'name' (id)``."""
    return "'%s' (%s)" % (image.name, image.id)


def is_prepared(region: base.Region, template: base.Image) -> bool:
    """Whether ``template`` is a ``queued`` record the caller created in
    ``region`` (to be filled in place)."""
    return template.region == region.name and template.status == 'queued'


def create_record(region: base.Region, template: base.Image,
                  owner: str | None = None) -> base.Image:
    """Create the copy's record from a template (see
    :class:`~glance_sync.transfer.targets.Target`).

    :param owner: the project to own it; ``None``: the region's own.
    :returns: the new record, ``queued``.
    :raises RegionError: the region refused or did not answer.
    """
    # Only asked for when set: a region's credentials need more rights
    # (admin) to give an image to another project.
    extra = {'owner': owner} if owner else {}
    return region.create_image(
        template.name, visibility=template.visibility,
        properties=template.user_properties,
        disk_format=template.disk_format,
        container_format=template.container_format,
        min_disk=template.min_disk, min_ram=template.min_ram, **extra)


def record_for(target: Target, master_image: base.Image) -> base.Image:
    """The target's record, created unless the caller prepared it.

    :raises CopyFailed: the record could not be created.
    """
    template = target.record or master_image
    if is_prepared(target.region, template):
        return template
    # A template's owner is the engine's choice (copy_owner); the master
    # image's own is not a choice: the region's project owns such copies.
    owner = target.record.owner if target.record is not None else None
    try:
        return create_record(target.region, template, owner)
    except base.RegionError as exc:
        raise base.CopyFailed(target.region.name, image=label(master_image),
                              reason='the record could not be created: %s'
                              % exc) from exc


def remove_copy(region: base.Region, copy_id: str,
                keep_queued: bool = False, *, attempts: int = 1,
                sleep: Callable[[float], None] = time.sleep) -> str:
    """Delete a failed copy (or keep it, if asked and still ``queued``).

    Never raises: a copy that cannot be removed is logged and named in the
    returned note, so the caller's error says what is left behind.

    :param attempts: tries while the region is unavailable, 1 s apart,
        then twice as long each time: a region that failed during the copy
        is often back a few seconds later, and its broken copy (left
        ``saving`` or ``importing`` by a killed glance-api) should not stay.
    :param sleep: how to wait (tests pass a fake).
    :returns: a note for the error message, starting with ``'; '``.
    """
    if keep_queued:
        status = _status(region, copy_id)
        if status in ('queued', None):
            # Unknown (the region does not answer) counts as queued: a
            # deleted id can never be used again.
            LOG.info('Kept the failed copy %(id)s in region %(region)s '
                     '(%(status)s) for the next attempt', {
                         'id': copy_id, 'region': region.name,
                         'status': status or 'status unknown'})
            return '; the failed copy %s was kept, %s' % (
                copy_id, status or 'its status unknown')
    error = _delete(region, copy_id, attempts, sleep)
    if error is not None:
        LOG.error('Could not remove the failed copy %(id)s from region '
                  '%(region)s: %(error)s',
                  {'id': copy_id, 'region': region.name, 'error': error})
        return '; the failed copy %s could not be removed: %s' % (copy_id,
                                                                  error)
    LOG.info('Removed the failed copy %(id)s from region %(region)s',
             {'id': copy_id, 'region': region.name})
    return '; the failed copy %s was removed' % copy_id


def _delete(region: base.Region, copy_id: str, attempts: int,
            sleep: Callable[[float], None]) -> Exception | None:
    """Delete, trying again while the region is unavailable.

    :returns: the last error, ``None`` once deleted.
    """
    try:
        retry.with_backoff(lambda: region.delete(copy_id),
                           retries=max(attempts, 1) - 1, first_wait=1.0,
                           retry_on=base.RegionUnavailable, sleep=sleep)
    except Exception as exc:
        return exc
    return None


def _status(region: base.Region, copy_id: str) -> str | None:
    """The copy's status, ``None`` if the region cannot say."""
    try:
        return region.get_image(copy_id).status
    except base.ImageNotFound:
        return 'deleted'
    except base.RegionError:
        return None


def explain(exc: BaseException) -> str:
    """An error as a reason: our own errors' messages speak for themselves,
    others are prefixed with their type."""
    if isinstance(exc, (digests.DigestMismatch, base.RegionError)):
        return str(exc)
    return '%s: %s' % (type(exc).__name__, exc)


def failure(target: Target, copy_id: str, master_region: base.Region,
            master_image: base.Image, exc: BaseException,
            attempts: int = 1) -> base.CopyFailed:
    """Remove a failed copy and build the error that reports it.

    :param exc: why the copy failed; chain it with ``raise ... from exc``.
    :param attempts: see :func:`remove_copy`.
    :returns: the error, naming the image, both regions and, for a
        fingerprint mismatch, both fingerprints.
    """
    if isinstance(exc, base.CopyFailed):
        return exc
    removal = remove_copy(target.region, copy_id, target.keep_queued,
                          attempts=attempts)
    error = base.CopyFailed(target.region.name, image=label(master_image),
                            reason=explain(exc) + removal,
                            source_region=master_region.name,
                            copy_id=copy_id)
    error.__cause__ = exc
    return error


def refused(target: Target, master_region: base.Region,
            master_image: base.Image, reason: str,
            cause: BaseException | None = None) -> base.CopyFailed:
    """The error for a copy that could not even start (the source is not
    active or cannot be read); a record the caller prepared is removed
    like any failed copy.

    :param reason: why, for the message.
    :param cause: the underlying error, chained.
    """
    template = target.record
    removal = ''
    if template is not None and is_prepared(target.region, template):
        removal = remove_copy(target.region, template.id, target.keep_queued)
    error = base.CopyFailed(target.region.name, image=label(master_image),
                            reason=reason + removal,
                            source_region=master_region.name)
    error.__cause__ = cause
    return error


def inactive_reason(master_region: base.Region,
                    master_image: base.Image) -> str | None:
    """Why the master image cannot be copied, ``None`` if it can."""
    if master_image.status == 'active':
        return None
    return 'the source in region %s is %s, not active' % (
        master_region.name, master_image.status)
