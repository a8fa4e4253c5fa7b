"""Optional region capability: the stores of a multi-store Glance.

A Glance with several stores (``enabled_backends``: edge and DCN sites)
copies an image it holds into more of its stores itself, with the
``copy-image`` import method: no byte goes through glance-sync. A driver
declares :class:`MultiStore` when it can; :mod:`glance_sync.sync.stores`
uses it for the targets that name ``stores``.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable

__all__ = ['MultiStore']


class MultiStore(metaclass=abc.ABCMeta):
    """A region whose images may live in several named stores.

    Thread-safe like :class:`~glance_sync.regions.base.Region`.
    """

    @abc.abstractmethod
    def image_stores(self, image_id: str) -> tuple[set[str], set[str]]:
        """Where an image's data is, and where a copy-image failed.

        :returns: ``(stores holding it, stores whose import failed)``.
        :raises ImageNotFound: no such image.
        :raises RegionUnavailable: the service did not answer.
        """

    @abc.abstractmethod
    def copy_to_stores(self, image_id: str, stores: Iterable[str]) -> None:
        """Ask the service to copy an active image into more stores
        (``copy-image``); returns once the import has started.

        :raises Refused: the method is not enabled, or a store unknown.
        :raises Conflict: the image is not active, or being imported.
        :raises RegionUnavailable: the service did not answer.
        """
