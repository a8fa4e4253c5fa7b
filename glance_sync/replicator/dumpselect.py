"""Which master images ``dump`` writes, and which with their data.

Without image arguments, what ``load`` needs to give every target's
regions exactly what a sync would:

- every image some target selects, with its data;
- the kernels and ramdisks they point to, with their data;
- the ``*_obsolete`` images, without data (a sync never uploads them, it
  only renames the copies of their former names), when a target follows
  them (``support_obsolete_images``).

With image arguments (names or ids of the master region's synchronisable
images), those images and the kernels and ramdisks they point to, all
with their data.

The images returned are the master's records as listed, AMI references
as ids, so that the folder reads back like the master region.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from glance_sync.images import Image
from glance_sync.rules.options import TargetRules
from glance_sync.rules.selection import MasterIndex
from glance_sync.rules.status import sort_key

__all__ = ['UnknownImage', 'dump_selection']


class UnknownImage(ValueError):
    """An image argument names no synchronisable master image."""

    def __init__(self, argument: str, region: str) -> None:
        self.argument = argument
        super().__init__(
            'image %r is not a synchronisable image of the master region %s '
            '(active, owned by the master project, and the only one with '
            'its name)' % (argument, region))


def dump_selection(images: Iterable[Image], index: MasterIndex,
                   targets: Iterable[TargetRules],
                   wanted: Sequence[str] = ()) -> list[tuple[Image, bool]]:
    """The images to dump, smallest first, each with whether its data is
    needed (see the module docstring).

    :param images: the master region's images as listed.
    :param index: the master index built from them.
    :param targets: every target's rules.
    :param wanted: image names or ids; empty: the selection of all targets.
    :returns: ``[(master image, with data)]``.
    :raises UnknownImage: an image argument is not in the index.
    """
    targets = list(targets)
    if wanted:
        names = {_lookup(index, argument) for argument in wanted}
    else:
        names = {name for rules in targets
                 for name in index.selection(rules).by_name}
    for name in list(names):
        names.update(ref for ref in index.references.get(name, {}).values()
                     if ref is not None)
    followed = any(rules.support_obsolete_images for rules in targets)
    record_only = (set(index.obsolete_names) - names
                   if followed and not wanted else set())
    raw = {image.id: image for image in images}
    chosen = sorted(names | record_only,
                    key=lambda name: sort_key(index.by_name[name]))
    return [(raw[index.by_name[name].id], name not in record_only)
            for name in chosen]


def _lookup(index: MasterIndex, argument: str) -> str:
    if argument in index.by_name:
        return argument
    for name, image in index.by_name.items():
        if image.id == argument:
            return name
    raise UnknownImage(argument, index.region)
