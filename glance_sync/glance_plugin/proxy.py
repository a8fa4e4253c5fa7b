"""The image repo proxy that sits in the master glance's domain chain.

Glance builds its image repo as an onion of proxies (DB, location, quota,
notifier, property protection). :mod:`glance_sync.glance_plugin.filter`
wraps the outermost layer in :class:`SyncImageRepoProxy`, so every create,
save and remove — from the API controllers and from the import task
flows — passes through here *after* glance has committed it. We publish
and return; nothing raised here reaches glance.
"""

from __future__ import annotations

import logging
from typing import Any

from glance.domain import proxy as domain_proxy

from glance_sync.glance_plugin import events

__all__ = ['SyncImageFactoryProxy', 'SyncImageProxy', 'SyncImageRepoProxy']

LOG = logging.getLogger(__name__)


class SyncImageProxy(domain_proxy.Image):
    """An image that remembers how it looked when glance handed it out."""

    def __init__(self, base: Any) -> None:
        super().__init__(base)
        self.sync_snapshot = _snapshot_or_none(base)


class _SafeHelper(domain_proxy.Helper):
    # Repo.add/save/remove unproxy one layer. An image that is not ours
    # (a path that bypassed our factory) must be passed on whole: stripping
    # it would remove one of glance's own layers.
    def unproxy(self, obj: Any) -> Any:
        return obj.base if isinstance(obj, SyncImageProxy) else obj


class SyncImageRepoProxy(domain_proxy.Repo):
    """Publishes a sync event for each change that matters."""

    def __init__(self, base: Any, publisher: Any) -> None:
        super().__init__(base, item_proxy_class=SyncImageProxy)
        self.helper = _SafeHelper(SyncImageProxy)
        self.publisher = publisher

    def add(self, item: Any) -> Any:
        result = super().add(item)
        self._publish(item, lambda after: [events.CREATED])
        return result

    def save(self, item: Any, from_state: str | None = None) -> Any:
        before = getattr(item, 'sync_snapshot', None)
        result = super().save(item, from_state=from_state)
        self._publish(item, lambda after: events.events_for_save(
            before, after, from_state), before)
        return result

    def remove(self, item: Any) -> Any:
        before = getattr(item, 'sync_snapshot', None)
        result = super().remove(item)
        self._publish(item, lambda after: [events.DELETED], before)
        return result

    def _publish(self, item: Any, which: Any,
                 before: events.Snapshot | None = None) -> None:
        try:
            after = events.Snapshot.of(item)
            for event_type in which(after):
                self.publisher.publish(
                    event_type, events.payload(event_type, after, before))
            if isinstance(item, SyncImageProxy):
                item.sync_snapshot = after
        except Exception:  # the user's request must succeed regardless
            LOG.exception('glance-sync could not publish a change of image '
                          '%s', getattr(item, 'image_id', '?'))


class SyncImageFactoryProxy(domain_proxy.ImageFactory):
    """Makes new images ours, so the repo's ``add`` unproxies our layer."""

    def __init__(self, base: Any) -> None:
        super().__init__(base, proxy_class=SyncImageProxy)


def _snapshot_or_none(image: Any) -> events.Snapshot | None:
    try:
        return events.Snapshot.of(image)
    except Exception:
        LOG.debug('glance-sync could not read image %s', image,
                  exc_info=True)
        return None
