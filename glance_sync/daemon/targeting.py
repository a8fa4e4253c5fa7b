"""What a task reads from its region: the :class:`ImageQuery` of a plan.

A task's plan (:func:`glance_sync.rules.plan.plan_region` on a master
index restricted to a few names) and its clean-ups only look at region
images that

- carry one of the index's names, or the name an obsolete one of them
  was renamed from (matching by name, obsolete renames, legacy
  leftovers);
- hold the id of one of the index's images (``match_by = id``; a copy of
  a deleted master);
- record one of the task's master images as their source (leftovers of
  interrupted transfers, copies of a deleted master).

So the plan made from :meth:`Region.find_images` with these queries is the
plan the full listing gives (property-tested in
``tests/unit/daemon/test_targeting.py``).

The recorded sources cost one request per master image. They find the
copies whose name is no longer their master's: copies to rename in place
when the master was renamed, and leftovers of a transfer interrupted by a
rename. The first run of a task enqueued because the image's data just
arrived (an upload or activation event) leaves them out
(:func:`reads_sources`): no copy of data that just arrived can be under
another name, unless a rename came meanwhile, and that rename's own event
brings a task that reads them. Every other task reads them: renames,
updates, deactivations, retries, the reconcile and the API.
"""

from __future__ import annotations

from collections.abc import Iterable

from glance_sync.daemon.master_catalog import dependency_ids
from glance_sync.images import Image
from glance_sync.regions.query import ImageQuery
from glance_sync.rules.metadata import SOURCE_PROPERTY
from glance_sync.rules.options import MATCH_BY_ID, TargetRules
from glance_sync.rules.selection import OBSOLETE_SUFFIX

__all__ = ['DATA_ARRIVED', 'deleted_query', 'dependency_ids',
           'reads_sources', 'sync_query']

#: Reasons of tasks enqueued because an image's data just arrived: the
#: plugin's upload event and glance's own upload and activation
#: notifications.
DATA_ARRIVED = frozenset(['glance_sync.image.uploaded', 'image.upload',
                          'image.activate'])


def reads_sources(reason: str, attempts: int) -> bool:
    """Whether a task looks for copies by their recorded source: any task
    but the first run of one enqueued because the data just arrived (see
    the module docstring)."""
    return attempts > 1 or reason not in DATA_ARRIVED


def _with_bases(names: Iterable[str]) -> frozenset[str]:
    found = set(names)
    found.update(n[:-len(OBSOLETE_SUFFIX)] for n in list(found)
                 if n.endswith(OBSOLETE_SUFFIX))
    return frozenset(found)


def sync_query(image: Image, planned: Iterable[Image],
               sources: Iterable[str], rules: TargetRules) -> ImageQuery:
    """The region images a task planning ``image`` needs.

    :param image: the task's master image.
    :param planned: the master images the task plans with (the restricted
        index's).
    :param sources: the master ids whose leftovers the task removes.
    :param rules: the region's target's rules.
    """
    planned = list(planned)
    names = _with_bases([image.name, *(i.name for i in planned)])
    ids = (frozenset(i.id for i in planned) | {image.id}
           if rules.match_by == MATCH_BY_ID else frozenset())
    sources = frozenset(sources)
    if sources and rules.record_source:
        # A planned image's copy under another name (its master renamed)
        # is renamed in place by this plan too: it must be read.
        sources |= frozenset(i.id for i in planned)
    return ImageQuery(names=names, ids=ids, sources=sources,
                      source_property=SOURCE_PROPERTY,
                      include_public=not rules.only_tenant_images)


def deleted_query(image_id: str, name: str | None,
                  rules: TargetRules) -> ImageQuery:
    """The region images a task about a deleted master image needs: its
    copies (by id or recorded source) and, legacy, its leftovers by name.
    """
    legacy = not rules.record_source
    return ImageQuery(names=frozenset([name] if name and legacy else []),
                      ids=frozenset([image_id]),
                      sources=frozenset([image_id]),
                      source_property=SOURCE_PROPERTY,
                      include_public=not rules.only_tenant_images)
