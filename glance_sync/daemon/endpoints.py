"""Notification endpoints: turn image events into journal tasks.

Two endpoints, one method per priority they listen to (``info``):

- :class:`SyncEventEndpoint`: the glance-sync plugin's events
  (``glance_sync.image.uploaded``, ``updated``, ``renamed``,
  ``deactivated``, ``reactivated``, ``deleted``);
- :class:`GlanceNotificationEndpoint`: glance's own ``image.activate``,
  ``image.upload``, ``image.update``, ``image.deactivate``,
  ``image.reactivate`` and ``image.delete``, as hints for clouds without
  the plugin.

Both hand the event to one :class:`EventRecorder`, which picks the regions
(:class:`~glance_sync.rules.destinations.RegionSelector`) and records the
event and one task per (image, region) in a single journal transaction
keyed by the message id, so a redelivered message changes nothing. The
endpoint answers ``HANDLED`` only once that transaction has committed; when
it cannot be written (or the regions cannot be discovered) it answers
``REQUEUE`` and the broker delivers the message again. Events that need
no work (an image created but not uploaded, an event without an image
id) are acknowledged and dropped.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import oslo_messaging

from glance_sync.daemon import metrics, runner
from glance_sync.daemon.context import SyncContext
from glance_sync.db import data_models as dm
from glance_sync.db.repositories import Journal
from glance_sync.glance_plugin import events
from glance_sync.images import Image
from glance_sync.regions.base import RegionError

__all__ = ['Change', 'EventRecorder', 'GlanceNotificationEndpoint',
           'SyncEventEndpoint', 'glance_change', 'image_from_payload',
           'sync_change']

LOG = logging.getLogger(__name__)

#: What an endpoint answers (oslo.messaging's NotificationResult values).
HANDLED: str = oslo_messaging.NotificationResult.HANDLED
REQUEUE: str = oslo_messaging.NotificationResult.REQUEUE

#: Our events that mean "look at this image again".
_SYNC_EVENTS = frozenset({events.UPLOADED, events.UPDATED, events.RENAMED,
                          events.DEACTIVATED, events.REACTIVATED,
                          events.CREATED})
#: Glance's notifications, with the same meaning.
_GLANCE_SYNC = frozenset({'image.activate', 'image.upload', 'image.update',
                          'image.deactivate', 'image.reactivate'})
_GLANCE_DELETE = 'image.delete'
#: An image in this status has no data yet: nothing to copy.
_NO_DATA = 'queued'


@dataclasses.dataclass(frozen=True)
class Change:
    """What an event asks for: look at ``image`` again, or it is gone."""

    image: Image
    deleted: bool = False


def image_from_payload(payload: Mapping[str, Any], region: str) -> Image:
    """The master image an event describes.

    Both payloads (ours and glance's) carry ``id``, ``name``, ``owner``,
    ``status``, ``size``, ``checksum``, the hashes and the user
    ``properties``; glance's older ones give ``is_public`` instead of
    ``visibility``.

    :raises KeyError: the payload has no image id.
    """
    visibility = payload.get('visibility') or (
        'public' if payload.get('is_public') else 'private')
    return Image(
        id=str(payload['id']), name=payload.get('name') or '',
        region=region, owner=payload.get('owner'), visibility=visibility,
        status=payload.get('status') or '', size=payload.get('size'),
        checksum=payload.get('checksum'),
        user_properties=dict(payload.get('properties') or {}),
        os_hash_algo=payload.get('os_hash_algo'),
        os_hash_value=payload.get('os_hash_value'))


Parser = Callable[[str, Mapping[str, Any], str], 'Change | None']


def _parser(sync_types: frozenset[str], delete_type: str) -> Parser:
    def parse(event_type: str, payload: Mapping[str, Any],
              region: str) -> Change | None:
        if event_type == delete_type:
            return Change(image_from_payload(payload, region), deleted=True)
        if event_type not in sync_types:
            return None
        image = image_from_payload(payload, region)
        return None if image.status == _NO_DATA else Change(image)
    return parse


#: The change one of our events asks for (None: nothing to do).
sync_change = _parser(_SYNC_EVENTS, events.DELETED)
#: The change one of glance's notifications asks for (None: nothing).
glance_change = _parser(_GLANCE_SYNC, _GLANCE_DELETE)


class EventRecorder:
    """Records events in the journal (see the module docstring).

    :param journal: the task journal.
    :param contexts: returns the current :class:`SyncContext`.
    :param wake: called after tasks were recorded (wakes the workers).
    :param requeue_delay: seconds to wait before answering ``REQUEUE``, so
        that an outage does not turn into a redelivery storm.
    """

    def __init__(self, journal: Journal, contexts: Callable[[], SyncContext],
                 wake: Callable[[], None] = lambda: None,
                 requeue_delay: float = 1.0) -> None:
        self._journal = journal
        self._contexts = contexts
        self._wake = wake
        self._requeue_delay = requeue_delay

    def handle(self, parse: Parser, ctxt: Mapping[str, Any] | None,
               event_type: str, payload: Any,
               metadata: Mapping[str, Any] | None) -> str:
        """Record one notification.

        :returns: ``HANDLED`` once recorded (or when there is nothing to
            record), ``REQUEUE`` when it could not be recorded.
        """
        metrics.event_received(event_type, metadata)
        context = self._contexts()
        try:
            change = parse(event_type, payload, context.settings.master_region)
        except (KeyError, TypeError, AttributeError) as exc:
            LOG.warning('Dropping %s notification without a usable image '
                        '(%s: %s)', event_type, type(exc).__name__, exc)
            return HANDLED
        if change is None:
            return HANDLED
        try:
            regions = context.topology().selector.select(change.image)
        except RegionError as exc:
            return self._requeue(event_type, change.image.id,
                                 'regions unknown: %s' % exc)
        event_id = _event_id(event_type, payload, metadata)
        try:
            record = self._journal.record_event(
                event_id, change.image.id, regions, event_type,
                image_name=change.image.name or None,
                request_id=(ctxt or {}).get('request_id'))
        except Exception as exc:  # noqa: BLE001 - any failure requeues
            return self._requeue(event_type, change.image.id,
                                 'journal: %s' % exc)
        self._recorded(event_type, change, record)
        return HANDLED

    def _requeue(self, event_type: str, image_id: str, why: str) -> str:
        LOG.warning('Cannot record %s of image %s (%s): it will be delivered '
                    'again', event_type, image_id, why)
        time.sleep(self._requeue_delay)
        return REQUEUE

    def _recorded(self, event_type: str, change: Change,
                  record: dm.EventRecord) -> None:
        if record.duplicate:
            LOG.debug('%s of image %s was already recorded', event_type,
                      change.image.id)
            return
        LOG.info('%s of image %s (%s): %s', event_type, change.image.id,
                 change.image.name, ', '.join(
                     '%s %s' % item for item in sorted(
                         record.outcomes.items())) or 'no region')
        if change.image.status == 'active' and not change.deleted:
            self._end_waits(change.image.id, record)
        if record.outcomes:
            self._wake()

    def _end_waits(self, image_id: str, record: dm.EventRecord) -> None:
        """Tasks that wait for the image to be written run now."""
        for region, outcome in record.outcomes.items():
            if outcome is not dm.EnqueueOutcome.PENDING:
                continue
            try:
                task = self._journal.find(image_id, region)
                if (task is not None
                        and task.state is dm.TaskState.RETRYING
                        and runner.waiting_since(task.last_error)):
                    self._journal.retry(task.id)
            except Exception as exc:  # noqa: BLE001
                # Only a shortcut: the waiting task looks again anyway.
                LOG.debug('Task of image %s in %s left waiting: %s',
                          image_id, region, exc)


def _event_id(event_type: str, payload: Any,
              metadata: Mapping[str, Any] | None) -> str:
    """The message id; for a message without one, what identifies it."""
    message_id = (metadata or {}).get('message_id')
    if message_id:
        return str(message_id)
    return '%s:%s:%s' % (event_type, payload.get('id'),
                         payload.get('timestamp') or payload.get(
                             'updated_at'))


class _Endpoint:
    """One family of notifications: an event type filter and its parser."""

    filter_rule: oslo_messaging.NotificationFilter
    parse: Parser

    def __init__(self, recorder: EventRecorder) -> None:
        self._recorder = recorder

    def info(self, ctxt: Mapping[str, Any], publisher_id: str,
             event_type: str, payload: Any,
             metadata: Mapping[str, Any]) -> str:
        """Record one notification; ``HANDLED`` or ``REQUEUE``."""
        return self._recorder.handle(type(self).parse, ctxt, event_type,
                                     payload, metadata)


class SyncEventEndpoint(_Endpoint):
    """The glance-sync plugin's events."""

    filter_rule = oslo_messaging.NotificationFilter(
        event_type=r'^glance_sync\.image\.')
    parse = staticmethod(sync_change)


class GlanceNotificationEndpoint(_Endpoint):
    """glance's own ``image.*`` notifications, as hints."""

    filter_rule = oslo_messaging.NotificationFilter(
        event_type=r'^image\.(activate|upload|update|deactivate|reactivate'
                   r'|delete)$')
    parse = staticmethod(glance_change)
