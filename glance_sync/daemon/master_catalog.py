"""The master's images as the daemon knows them, without relisting.

Each reconcile pass lists the master and replaces the catalog; between
passes, every task puts the master image it read fresh (and removes one
it found gone), so the catalog follows the events. A task plans with the
catalog's images that can change its plan (:meth:`MasterCatalog.around`)
instead of a listing of the whole master: those with its name or its
obsolete counterpart's, and, transitively, the kernels and ramdisks they
point to, every image of each of those names included (a duplicated name
is not synchronisable).

Thread-safe: one catalog serves every worker.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from glance_sync.images import Image
from glance_sync.regions.base import ImageNotFound, Region
from glance_sync.rules.ami import AMI_PROPERTIES
from glance_sync.rules.selection import OBSOLETE_SUFFIX

__all__ = ['MasterCatalog', 'counterpart', 'dependency_ids']

LOG = logging.getLogger(__name__)


def counterpart(name: str) -> str | None:
    """The name an obsolete image was renamed from, if it is one."""
    if name.endswith(OBSOLETE_SUFFIX):
        return name[:-len(OBSOLETE_SUFFIX)]
    return None


def dependency_ids(image: Image) -> list[str]:
    """The ids of the kernel and ramdisk an image points to."""
    return [str(image.user_properties[p]) for p in AMI_PROPERTIES
            if image.user_properties.get(p)]


class MasterCatalog:
    """The master's images by id and by name (see the module docstring).

    :param lister: lists the master when the catalog has never been
        filled for it (a task before the first reconcile pass).
    """

    def __init__(self, lister: Callable[[Region], list[Image]]) -> None:
        self._lister = lister
        self._lock = threading.Lock()
        self._listing = threading.Lock()
        self._master: Region | None = None
        self._by_id: dict[str, Image] = {}
        self._by_name: dict[str, dict[str, None]] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_id)

    def replace(self, master: Region, images: Iterable[Image]) -> None:
        """Forget everything and keep ``images``, a listing of ``master``."""
        with self._lock:
            self._master = master
            self._by_id.clear()
            self._by_name.clear()
            for image in images:
                self._put(image)

    def put(self, image: Image) -> None:
        """Keep a fresh read of one image (replacing its older self)."""
        with self._lock:
            self._put(image)

    def discard(self, image_id: str) -> None:
        """Forget an image that is gone."""
        with self._lock:
            self._discard(image_id)

    def _put(self, image: Image) -> None:
        self._discard(image.id)
        self._by_id[image.id] = image
        self._by_name.setdefault(image.name, {})[image.id] = None

    def _discard(self, image_id: str) -> None:
        old = self._by_id.pop(image_id, None)
        if old is not None:
            ids = self._by_name.get(old.name, {})
            ids.pop(image_id, None)
            if not ids:
                self._by_name.pop(old.name, None)

    def ensure(self, master: Region) -> None:
        """List ``master`` once if the catalog does not come from it (the
        first task before any pass, or a new configuration).

        :raises RegionError: the master cannot be listed.
        """
        # One task lists; the others of a burst wait for its listing.
        with self._listing:
            with self._lock:
                if self._master is master:
                    return
            self.replace(master, self._lister(master))

    def around(self, master: Region, image: Image) -> list[Image]:
        """The images a task about ``image`` (fresh) plans with.

        Kernels and ramdisks of ``image`` missing from the catalog are
        read fresh (they are newer than it).

        :raises RegionError: the master cannot be read.
        """
        self.ensure(master)
        self.put(image)
        for dependency in dependency_ids(image):
            with self._lock:
                known = dependency in self._by_id
            if not known:
                try:
                    self.put(master.get_image(dependency))
                except ImageNotFound:
                    # The plan reports the missing kernel or ramdisk
                    # (error_ami); nothing to keep here.
                    LOG.debug('Image %s of %s is not in the master',
                              dependency, image.id)
        with self._lock:
            return self._closure(image.name)

    def _closure(self, name: str) -> list[Image]:
        names = {name}
        base = counterpart(name)
        if base is not None:
            names.add(base)
        todo = list(names)
        found: dict[str, Image] = {}
        while todo:
            for image_id in self._by_name.get(todo.pop(), {}):
                found[image_id] = image = self._by_id[image_id]
                for dependency in dependency_ids(image):
                    other = self._by_id.get(dependency)
                    if other is not None and other.name not in names:
                        names.add(other.name)
                        todo.append(other.name)
        return list(found.values())
