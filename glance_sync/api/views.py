"""JSON bodies of the API, FIWARE GlanceSync v1's shapes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glance_sync.rules.plan import RegionPlan
from glance_sync.rules.status import ImageStatus, Status

__all__ = ['MESSAGES', 'image_rows', 'version']

#: API version document values.
VERSION = '1.0'
UPDATED = '2026-11-23T00:00:00Z'
HREF = 'https://opendev.org/x/glance-sync'

#: What each status means for an operator; ``ok`` needs no message.
MESSAGES: dict[Status, str | None] = {
    Status.OK: None,
    Status.OK_STALLED_CHECKSUM: 'the copy has other content, but its '
                                'checksum is in dontupdate: it is kept',
    Status.ERROR_CHECKSUM: 'the copy has other content and no dontupdate, '
                           'replace or rename rule names its checksum',
    Status.ERROR_AMI: 'its kernel or ramdisk is not synchronised to this '
                      'region',
    Status.PENDING_METADATA: 'the metadata of the copy will be updated',
    Status.PENDING_UPLOAD: 'the image will be uploaded',
    Status.PENDING_REPLACE: 'the copy has other content and will be '
                            'replaced',
    Status.PENDING_RENAME: 'the copy has other content: it will be '
                           'renamed and the image uploaded',
    Status.PENDING_AMI: 'its kernel or ramdisk is being uploaded first',
}


def version(started: str) -> dict[str, str]:
    """The version document of ``GET /``.

    :param started: when this API process started (ISO 8601).
    """
    return {'id': 'v' + VERSION, 'owner': 'glance-sync',
            'status': 'SUPPORTED', 'version': VERSION, 'updated': UPDATED,
            'runningfrom': started, 'href': HREF}


def image_rows(plan: RegionPlan, task_errors: Mapping[str, str],
               name: str | None = None) -> list[dict[str, Any]]:
    """One ``{id, name, status, message}`` per selected image.

    :param plan: the region's plan.
    :param task_errors: last error of failed/retrying journal tasks, by
        master image id: shown as the message.
    :param name: only the image with this name.
    :returns: ``id`` is the copy's id in the region (null when the region
        has none yet).
    """
    return [_row(status, plan, task_errors) for status in plan.statuses
            if name is None or status.name == name]


def _row(status: ImageStatus, plan: RegionPlan,
         task_errors: Mapping[str, str]) -> dict[str, Any]:
    copy = plan.matched.get(status.name)
    error = task_errors.get(status.image.id)
    message = MESSAGES[status.status]
    if error and not status.status.is_final:
        message = 'the last sync attempt failed: %s' % error
    return {'id': copy.id if copy is not None else None,
            'name': status.name, 'status': status.status.value,
            'message': message}
