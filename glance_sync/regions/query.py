"""What a targeted read asks a region for: :class:`ImageQuery`.

A sync task plans one master image; only a few of the region's images
can change its plan: those with the same name (or its obsolete
counterpart's, its kernel's and ramdisk's), those holding a master id
(``match_by = id``) and those recorded as copies of a master image (the
source property). :meth:`~glance_sync.regions.base.Region.find_images`
returns exactly the images :meth:`ImageQuery.matches` accepts among those
``list_images`` would list, the images of one name in the listing's order
(the order that decides which duplicate a plan matches), so that a plan
made from them is the plan the full listing gives.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from glance_sync.images import Image

__all__ = ['ImageQuery', 'filter_images']


@dataclasses.dataclass(frozen=True)
class ImageQuery:
    """The images wanted: any of the names, ids or recorded sources.

    An image is wanted when its name is in :attr:`names`, or its id in
    :attr:`ids`, or its :attr:`source_property` in :attr:`sources`.
    """

    names: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    #: The property that records which master image a copy was made from.
    source_property: str = 'glance_sync_source'
    #: Also other projects' public images (as ``list_images``).
    include_public: bool = False

    def matches(self, image: Image) -> bool:
        """Whether ``image`` is wanted (visibility aside)."""
        if image.name in self.names or image.id in self.ids:
            return True
        source = image.user_properties.get(self.source_property)
        return source is not None and source in self.sources

    @property
    def empty(self) -> bool:
        """Nothing is wanted: no request is needed."""
        return not (self.names or self.ids or self.sources)


def filter_images(images: Iterable[Image], query: ImageQuery) -> list[Image]:
    """The images ``query`` wants, in their order (the reference
    semantics of :meth:`Region.find_images`)."""
    return [image for image in images if query.matches(image)]
