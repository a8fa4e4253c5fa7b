"""``glance-sync-manage sync`` next to running daemons: the same locks.

A daemon works on one (image, region) pair under a tooz lock and, first
thing, removes the unfinished copies it finds of that image (those of a
transfer a crash interrupted). An upload of the same image by the command,
still in progress, looks exactly like one. So when the configuration names
a shared ``[coordination] backend_url`` (the daemons'), each copy the
command makes takes the pair's lock first, and looks again once it has
it: a copy a daemon finished meanwhile is used, never made twice. The
daemon's task, waiting for the lock meanwhile, then finds the command's
copy complete.

Without a shared backend there is nothing to coordinate with: the command
copies as it always did (see the operations guide).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

from oslo_config import cfg

from glance_sync import coordination
from glance_sync.regions import base
from glance_sync.rules.metadata import SOURCE_PROPERTY
from glance_sync.transfer.targets import Copier, RecordLike

__all__ = ['finished_copy', 'locked', 'shared_coordinator']

LOG = logging.getLogger(__name__)


def shared_coordinator(config: Any) -> coordination.Coordinator | None:
    """The daemons' coordinator, if the configuration names a shared
    backend (a native configuration's ``[coordination] backend_url``)."""
    conf = getattr(config, 'conf', None)
    if not isinstance(conf, cfg.ConfigOpts):
        return None
    coordinator = coordination.Coordinator.from_conf(conf)
    return coordinator if coordinator.distributed else None


def locked(copier: Copier, coordinator: coordination.Coordinator,
           skipped: Callable[[str, str], None] | None = None
           ) -> Copier:
    """``copier``, each copy under the (image, region) lock, and skipped
    when the region has a finished copy by the time the lock is held.

    :param skipped: told ``(region, image id)`` of each copy skipped (a
        gathering copier's :meth:`~glance_sync.transfer.gathering.
        GatheringCopier.passed`, so that other regions do not wait for it).
    :raises CoordinationError: the backend failed.
    """

    def copy(master_region: base.Region, master_image: base.Image,
             region: base.Region, record: RecordLike) -> base.Image:
        with _pair_lock(coordinator, master_image, region.name):
            done = finished_copy(region, master_image)
            if done is not None:
                LOG.info('%(region)s: image %(name)s (%(id)s) was copied '
                         'meanwhile, by a daemon, as %(copy)s', {
                             'region': region.name,
                             'name': master_image.name,
                             'id': master_image.id, 'copy': done.id})
                if skipped is not None:
                    skipped(region.name, master_image.id)
                return done
            return copier(master_region, master_image, region, record)

    return copy


@contextlib.contextmanager
def _pair_lock(coordinator: coordination.Coordinator, image: base.Image,
               region: str) -> Iterator[None]:
    """The pair's lock, saying so when a daemon holds it."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(coordinator.lock(image.id, region,
                                                 timeout=0))
        except coordination.LockNotAcquired:
            LOG.warning('%(region)s: a daemon is working on image %(name)s '
                        '(%(id)s); waiting for it', {
                            'region': region, 'name': image.name,
                            'id': image.id})
            stack.enter_context(coordinator.lock(image.id, region))
        yield


def finished_copy(region: base.Region,
                  master_image: base.Image) -> base.Image | None:
    """An active copy of the master image in the region, made by
    glance-sync (it records the master's id, or keeps it), with the
    master's data; ``None`` when there is none."""
    for image in region.list_images(include_public=False):
        made_by_us = (image.id == master_image.id or
                      image.user_properties.get(SOURCE_PROPERTY)
                      == master_image.id)
        if (made_by_us and image.status == 'active'
                and image.checksum == master_image.checksum):
            return image
    return None
