"""Which regions a master image goes to, and the plan inputs of a region.

The candidates are every region of every target, minus the master region
and each target's ``ignore_regions``. Among them, an image goes to:

1. the regions its ``regions_property`` names, when it has one, whatever
   the strategy and the rules say (``"RegionTwo,other:RegionFour"``;
   ``"other:"`` is every candidate of target ``other``; empty: nowhere);
2. otherwise, by ``sync_strategy``: ``rules`` (the default) the regions of
   the targets whose rules select it (GlanceSync's ``metadata_condition``,
   ``metadata_set``, ``forcesyncs``...); ``all`` every candidate; ``none``
   no region.

Only images of the master project go anywhere (as with GlanceSync). An
image renamed ``<name>_obsolete`` is a change for every candidate of the
targets that follow obsolete images: the copies to rename are wherever the
old name went, which the new name no longer tells.

Planning a region (:meth:`RegionSelector.region_index`) turns the same
decisions into the rules' inputs: the master index without the images that
do not go to that region, and the target's rules with ``forcesyncs``
extended by the images sent there explicitly (by the property, or by
``all``). The kernel and ramdisk of an image that goes to a region go
with it, so AMI references always resolve.

Everything here is pure and thread-safe.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Collection, Iterable, Mapping, Sequence

from glance_sync.images import Image, qualified_name, split_name
from glance_sync.rules.options import SyncSettings, TargetRules
from glance_sync.rules.owners import Tenant, owned_by
from glance_sync.rules.selection import (
    OBSOLETE_SUFFIX,
    MasterIndex,
    is_synchronisable,
)

__all__ = ['DEFAULT_PROPERTY', 'RegionSelector', 'Strategy',
           'candidate_regions', 'parse_regions', 'restrict']

DEFAULT_PROPERTY = 'glance_sync_regions'
_SEPARATORS = re.compile(r'[,\s]+')


class Strategy(str, enum.Enum):
    """``sync_strategy``: which images go where without the property."""

    RULES = 'rules'
    ALL = 'all'
    NONE = 'none'


def candidate_regions(settings: SyncSettings,
                      discovered: Mapping[str, Iterable[str]]
                      ) -> dict[str, tuple[str, ...]]:
    """Each target's regions that may receive images, qualified.

    :param settings: the sync settings (master region, each target's
        ``ignore_regions``).
    :param discovered: each target's region names, bare, as its catalog
        lists them.
    :returns: target → qualified names, without the master region and the
        ignored ones, in ``preferable_order`` first, then catalog order.
    """
    preferred = [qualified_name(*split_name(n))
                 for n in settings.preferable_order]
    found: dict[str, tuple[str, ...]] = {}
    for target, bare_names in discovered.items():
        ignored = settings.targets[target].ignore_regions
        names = [qualified_name(target, bare) for bare in bare_names
                 if bare not in ignored
                 and qualified_name(target, bare) not in ignored]
        names = [n for n in names if n != settings.master_region]
        first = [n for n in preferred if n in names]
        found[target] = tuple(first + [n for n in names if n not in first])
    return found


def parse_regions(value: str, candidates: Mapping[str, Sequence[str]]
                  ) -> frozenset[str]:
    """The regions a ``regions_property`` value names, among candidates.

    :param value: ``"RegionTwo, other:RegionFour"``; ``"other:"`` names
        every candidate of ``other``; ``master:RegionTwo`` is
        ``RegionTwo``. Names that are not candidates (unknown, ignored, the
        master region) are left out.
    :param candidates: target → candidate qualified names.
    :returns: the qualified names.
    """
    named: set[str] = set()
    for item in _SEPARATORS.split(value.strip()):
        if not item:
            continue
        target, bare = split_name(item)
        regions = candidates.get(target, ())
        if not bare:
            named.update(regions)
        elif qualified_name(target, bare) in regions:
            named.add(qualified_name(target, bare))
    return frozenset(named)


def restrict(index: MasterIndex, names: Iterable[str], *,
             deactivated: bool = False) -> MasterIndex:
    """A master index holding only ``names`` (those it has).

    AMI references keep the names they point to, so a restricted index
    must hold an image's kernel and ramdisk for them to resolve.

    :param deactivated: keep the deactivated images too (whole-region
        plans; a task about one image touches no other).
    """
    kept = {n: index.by_name[n] for n in names if n in index.by_name}
    return MasterIndex(index.region, kept,
                       {n: index.references[n] for n in kept
                        if n in index.references},
                       index.deactivated if deactivated else None)


@dataclasses.dataclass(frozen=True)
class RegionSelector:
    """The region decisions of one configuration and one catalog state.

    :param settings: the sync settings and each target's rules.
    :param candidates: target → candidate regions
        (:func:`candidate_regions`).
    :param master_tenant: the master project's id (or the master
        projects); images of other projects go nowhere. None: not checked.
    :param strategy: ``sync_strategy``.
    :param property_name: ``regions_property``.
    """

    settings: SyncSettings
    candidates: Mapping[str, tuple[str, ...]]
    master_tenant: Tenant | None = None
    strategy: Strategy = Strategy.RULES
    property_name: str = DEFAULT_PROPERTY

    @property
    def regions(self) -> tuple[str, ...]:
        """Every candidate region, target by target (master first)."""
        targets = sorted(self.candidates, key=lambda t: (t != 'master', t))
        return tuple(r for t in targets for r in self.candidates[t])

    def target_of(self, region: str) -> str:
        """The target of a qualified region name."""
        return split_name(region)[0]

    def named(self, image: Image) -> frozenset[str] | None:
        """The regions the image's property names; None without one."""
        value = image.user_properties.get(self.property_name)
        if value is None:
            return None
        return parse_regions(str(value), self.candidates)

    def select(self, image: Image) -> list[str]:
        """The regions a change to this master image concerns.

        :param image: the master image as an event describes it (AMI
            references as ids or names: they are not looked at).
        :returns: qualified region names, in :attr:`regions` order.
        """
        if self.master_tenant and not owned_by(image.owner,
                                               self.master_tenant):
            return []
        if image.name.endswith(OBSOLETE_SUFFIX):
            return [r for r in self.regions if self._rules(r)
                    .support_obsolete_images]
        return [r for r in self.regions if self._goes_to(image, r)]

    def _goes_to(self, image: Image, region: str) -> bool:
        named = self.named(image)
        if named is not None:
            return region in named
        if self.strategy is Strategy.ALL:
            return True
        if self.strategy is Strategy.NONE:
            return False
        return is_synchronisable(image, self._rules(region))

    def _rules(self, region: str) -> TargetRules:
        return self.settings.targets[self.target_of(region)]

    def region_index(self, index: MasterIndex,
                     region: str) -> tuple[MasterIndex, TargetRules]:
        """What to plan ``region`` with.

        :param index: the master index (whole, or restricted to a few
            images and their kernels and ramdisks).
        :param region: a candidate region.
        :returns: the index without the images that do not go to
            ``region``, and its target's rules with ``forcesyncs``
            extended by the images sent there explicitly.
        """
        rules = self._rules(region)
        kept, forced = self._split(index, region)
        closure = _with_dependencies(index, kept, forced)
        if len(closure[0]) == len(index.by_name) and not closure[1]:
            return index, rules  # the common case: the rules decide alone
        forced_ids = frozenset(index.by_name[n].id for n in closure[1])
        return (restrict(index, closure[0], deactivated=True),
                dataclasses.replace(
                    rules, forcesyncs=rules.forcesyncs | forced_ids))

    def _split(self, index: MasterIndex,
               region: str) -> tuple[set[str], set[str]]:
        """The names kept for ``region``, and those forced there."""
        kept: set[str] = set()
        forced: set[str] = set()
        for name, image in index.by_name.items():
            named = self.named(image)
            if name.endswith(OBSOLETE_SUFFIX):
                go, force = True, False  # the obsolete rules decide
            elif named is not None:
                go = force = region in named
            else:
                go = self.strategy is not Strategy.NONE
                force = self.strategy is Strategy.ALL
            if go:
                kept.add(name)
            if force:
                forced.add(name)
        return kept, forced


def _with_dependencies(index: MasterIndex, kept: Collection[str],
                       forced: Collection[str]
                       ) -> tuple[set[str], set[str]]:
    """Add the kernels and ramdisks of the kept (and forced) images."""
    all_kept, all_forced = set(kept), set(forced)
    for name in kept:
        for dependency in index.references.get(name, {}).values():
            if dependency is None or dependency not in index.by_name:
                continue
            all_kept.add(dependency)
            if name in forced:
                all_forced.add(dependency)
    return all_kept, all_forced
