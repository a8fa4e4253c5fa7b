"""The plans of several regions, from their listings alone.

``size`` and ``compare`` need what a sync would do, never the data: the
master region is listed once and indexed, then each region is listed and
planned with its target's rules (:func:`glance_sync.rules.plan_region`),
up to ``parallel`` regions at a time. A region that cannot be listed gets
its error instead of a plan; the others go on.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from concurrent import futures
from typing import TypeVar

from glance_sync.regions import base
from glance_sync.rules import plan as rules_plan
from glance_sync.rules.options import TargetRules
from glance_sync.rules.selection import MasterIndex
from glance_sync.sync.cloud import Cloud
from glance_sync.sync.syncing import master_index

__all__ = ['RegionView', 'map_regions', 'plan_regions']

LOG = logging.getLogger(__name__)

_T = TypeVar('_T')


@dataclasses.dataclass
class RegionView:
    """One region as listed and planned."""

    region: str
    #: The target's rules.
    rules: TargetRules | None = None
    #: Every image the region lists (other projects' public ones too).
    images: list[base.Image] = dataclasses.field(default_factory=list)
    #: What a sync would do; ``None`` when the region failed.
    plan: rules_plan.RegionPlan | None = None
    #: Why the region failed, if it did.
    error: str | None = None


def plan_regions(cloud: Cloud, names: Sequence[str], parallel: int = 1
                 ) -> tuple[MasterIndex, list[RegionView]]:
    """List and plan every region, in the order given.

    :param cloud: where the regions are.
    :param names: qualified region names.
    :param parallel: regions listed at the same time.
    :returns: the master index and one view per region.
    :raises RegionError: the master region cannot be listed.
    """
    index = master_index(cloud)

    def one(name: str) -> RegionView:
        target = base.split_name(name)[0]
        rules = cloud.config.settings.targets[target]
        try:
            images = cloud.region(name).list_images(include_public=True)
            plan = rules_plan.plan_region(index, images, rules, name,
                                          tenant_id=cloud.owners(target))
        except base.RegionError as exc:
            error = str(exc)
        else:
            return RegionView(name, rules, images, plan)
        # Logged outside the handler: oslo.log would repeat the exception.
        LOG.error('%s: %s', name, error)
        return RegionView(name, rules, error=error)

    return index, map_regions(names, parallel, one)


def map_regions(names: Sequence[str], parallel: int,
                one: Callable[[str], _T]) -> list[_T]:
    """``one(name)`` for every name, ``parallel`` at a time, in order."""
    if parallel <= 1 or len(names) <= 1:
        return [one(name) for name in names]
    with futures.ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(one, names))
