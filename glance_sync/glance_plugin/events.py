"""What a change to a master image means for synchronisation.

The repo proxy takes a :class:`Snapshot` of an image when glance hands it
out and another after each save; :func:`events_for_save` compares the two
and names the events that matter to the daemon. Glance saves images often
for reasons of its own (import locks, duplicate ``active`` saves, no-op
PATCHes), so everything that changes nothing we sync is dropped here.

Pure functions over duck-typed glance domain images: nothing in this module
imports glance, so it is tested without it.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

__all__ = [
    'CREATED', 'DEACTIVATED', 'DELETED', 'EVENT_TYPES', 'REACTIVATED',
    'RENAMED', 'Snapshot', 'UPDATED', 'UPLOADED', 'events_for_save',
    'payload',
]

CREATED = 'glance_sync.image.created'
UPLOADED = 'glance_sync.image.uploaded'
UPDATED = 'glance_sync.image.updated'
RENAMED = 'glance_sync.image.renamed'
DEACTIVATED = 'glance_sync.image.deactivated'
REACTIVATED = 'glance_sync.image.reactivated'
DELETED = 'glance_sync.image.deleted'
EVENT_TYPES = (CREATED, UPLOADED, UPDATED, RENAMED, DEACTIVATED,
               REACTIVATED, DELETED)

OBSOLETE_SUFFIX = '_obsolete'
# Glance's reserved namespace: import locks, store bookkeeping. These change
# during every import and are never copied to other regions.
_RESERVED_PREFIX = 'os_glance'


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """The fields of an image that synchronisation cares about."""

    id: str
    name: str | None
    status: str
    visibility: str
    owner: str | None
    size: int | None
    checksum: str | None
    os_hash_algo: str | None
    os_hash_value: str | None
    properties: dict[str, Any]
    #: Glance v2 attributes that follow the master too (issue 14).
    tags: tuple[str, ...] = ()
    protected: bool = False
    min_disk: int = 0
    min_ram: int = 0

    @classmethod
    def of(cls, image: Any) -> Snapshot:
        """Read a glance domain image (or any proxy of one)."""
        props = {key: value
                 for key, value in dict(image.extra_properties).items()
                 if not key.startswith(_RESERVED_PREFIX)}
        return cls(id=image.image_id, name=image.name, status=image.status,
                   visibility=image.visibility, owner=image.owner,
                   size=image.size, checksum=image.checksum,
                   os_hash_algo=image.os_hash_algo,
                   os_hash_value=image.os_hash_value, properties=props,
                   tags=tuple(sorted(getattr(image, 'tags', None) or ())),
                   protected=bool(getattr(image, 'protected', False)),
                   min_disk=getattr(image, 'min_disk', None) or 0,
                   min_ram=getattr(image, 'min_ram', None) or 0)


def _status_events(before: str, after: str) -> list[str]:
    if before == after:
        return []
    if after == 'active':
        return [REACTIVATED if before == 'deactivated' else UPLOADED]
    if after == 'deactivated':
        return [DEACTIVATED]
    return []


def events_for_save(before: Snapshot | None, after: Snapshot,
                    from_state: str | None = None) -> list[str]:
    """The events one save produces, in the order they should be handled.

    :param before: the image as it was handed out, ``None`` when unknown.
    :param after: the image as saved.
    :param from_state: the status glance says the save started from; when
        given it is authoritative (the import flows pass it).
    :returns: a possibly empty list of event types.
    """
    if before is None:
        # No memory of the image: say it changed and let the daemon look.
        events = [UPDATED]
        if after.status == 'active' and from_state not in (None, 'active'):
            events.insert(0, UPLOADED)
        return events
    events = []
    if after.name != before.name:
        events.append(RENAMED)
    if (after.visibility != before.visibility
            or after.properties != before.properties
            or _attributes(after) != _attributes(before)):
        events.append(UPDATED)
    events.extend(_status_events(from_state or before.status, after.status))
    return events


def _attributes(image: Snapshot) -> tuple[Any, ...]:
    return (image.tags, image.protected, image.min_disk, image.min_ram)


def payload(event_type: str, image: Snapshot,
            previous: Snapshot | None = None) -> dict[str, Any]:
    """The message body of one event.

    :param event_type: one of :data:`EVENT_TYPES`.
    :param image: the image after the change.
    :param previous: the image before it, for the previous name.
    :returns: a JSON-serialisable dict.
    """
    previous_name = previous.name if previous else None
    body = dataclasses.asdict(image)
    body.update(
        event=event_type,
        previous_name=previous_name,
        obsolete=bool(event_type == RENAMED and image.name
                      and image.name.endswith(OBSOLETE_SUFFIX)
                      and not (previous_name or '').endswith(
                          OBSOLETE_SUFFIX)),
        timestamp=datetime.datetime.now(datetime.timezone.utc).isoformat(),
    )
    return body
