"""An optional region capability: change tags and core attributes.

:meth:`~glance_sync.regions.base.Region.update` changes what GlanceSync
knew (name, visibility, extra properties). Glance v2 also has tags,
``protected``, ``min_disk`` and ``min_ram``; a driver that can change them
inherits :class:`ImageAttributes` as well as ``Region``, and the engine
uses it when a plan asks for such a change (a region without it keeps
GlanceSync's behaviour).
"""

from __future__ import annotations

import abc
from collections.abc import Iterable

__all__ = ['ImageAttributes']


class ImageAttributes(metaclass=abc.ABCMeta):
    """A region whose images' tags and core attributes can be changed."""

    @abc.abstractmethod
    def set_attributes(self, image_id: str, *, add_tags: Iterable[str] = (),
                       remove_tags: Iterable[str] = (),
                       protected: bool | None = None,
                       min_disk: int | None = None,
                       min_ram: int | None = None) -> None:
        """Add and remove tags, and set the attributes that are not None.

        Adding a tag the image has, or removing one it lacks, is not an
        error. Thread-safe like :meth:`Region.update`.

        :raises ImageNotFound: no such image.
        :raises Refused: the region refused a value (policy).
        :raises RegionUnavailable: the service did not answer.
        """
