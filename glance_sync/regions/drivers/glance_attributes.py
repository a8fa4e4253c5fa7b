"""Tags and core attributes through Glance's v2 API.

:class:`GlanceAttributes` is the part of :class:`~glance_sync.regions.
drivers.glance.GlanceRegion` that implements :class:`~glance_sync.regions.
attributes.ImageAttributes`: tags have their own calls
(``PUT``/``DELETE /v2/images/{id}/tags/{tag}``, both idempotent), the
attributes go in one PATCH.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import Any

from glance_sync.regions.attributes import ImageAttributes
from glance_sync.regions.drivers import glance_errors

__all__ = ['GlanceAttributes']


class GlanceAttributes(ImageAttributes, metaclass=abc.ABCMeta):
    """:class:`ImageAttributes` for a region with a glanceclient."""

    name: str

    @property
    @abc.abstractmethod
    def client(self) -> Any:
        """The region's glanceclient ``Client``."""

    def set_attributes(self, image_id: str, *, add_tags: Iterable[str] = (),
                       remove_tags: Iterable[str] = (),
                       protected: bool | None = None,
                       min_disk: int | None = None,
                       min_ram: int | None = None) -> None:
        """See :meth:`ImageAttributes.set_attributes`."""
        given = {'protected': protected, 'min_disk': min_disk,
                 'min_ram': min_ram}
        changes = {k: v for k, v in given.items() if v is not None}
        with glance_errors.translated(self.name, 'updating', image_id):
            if changes:
                self.client.images.update(image_id, **changes)
            for tag in sorted(set(add_tags)):
                self.client.image_tags.update(image_id, tag)
            for tag in sorted(set(remove_tags)):
                self.client.image_tags.delete(image_id, tag)
