"""The stores of a multi-store Glance v2 region (:class:`~glance_sync.
regions.stores.MultiStore`): the image's ``stores`` field, and the
``copy-image`` import method."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from glance_sync.regions.drivers import glance_errors
from glance_sync.regions.stores import MultiStore

__all__ = ['GlanceStores']

#: Where Glance lists the stores a copy-image could not write to.
FAILED_PROPERTY = 'os_glance_failed_import'


def _split(value: Any) -> set[str]:
    return {part.strip() for part in str(value or '').split(',')
            if part.strip()}


class GlanceStores(MultiStore):
    """Mixed into the Glance region, whose client and name it uses."""

    name: str
    _client: Any

    def image_stores(self, image_id: str) -> tuple[set[str], set[str]]:
        """See :meth:`MultiStore.image_stores`."""
        with glance_errors.translated(self.name, 'reading', image_id):
            raw = self._client.images.get(image_id)
        return _split(raw.get('stores')), _split(raw.get(FAILED_PROPERTY))

    def copy_to_stores(self, image_id: str, stores: Iterable[str]) -> None:
        """See :meth:`MultiStore.copy_to_stores`."""
        with glance_errors.translated(self.name, 'copying to stores',
                                      image_id):
            self._client.images.image_import(
                image_id, method='copy-image', stores=sorted(stores),
                allow_failure=True)
