"""Which master images a target synchronises.

First the master region's list is reduced once for the whole sync
(:class:`MasterIndex`): only active images of the master tenant with a
name, and no name that appears twice (GlanceSync warns ``Duplicated images
with name <name> will be ignored``, once per name). AMI references become
names (:mod:`glance_sync.rules.ami`).

With several master projects (:class:`~glance_sync.rules.owners.Owners`)
the images of all of them are candidates, and a name is judged across
them: a name two projects use is a duplicate, ignored like a name one
project uses twice. Copies are found by name in the regions (and, with
the target's credentials, under one owner), so two master images of one
name could only fight over one copy. AMI references resolve among all
the candidates: a kernel of one listed project serves an image of
another, as Glance and Nova allow for a kernel its users can see.

Then each target selects from it, in GlanceSync's order
(:func:`is_synchronisable`):

1. a name ending in ``_obsolete``: never;
2. an id listed in ``forcesyncs``: always;
3. with a ``metadata_condition``: what it says;
4. a private image: never;
5. no ``metadata_set``: always;
6. otherwise: when it has one of the ``metadata_set`` properties.

A target's selection depends only on its rules, so it is computed once per
index and shared by all the target's regions (thread-safe).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping

from glance_sync.images import Image
from glance_sync.rules import ami
from glance_sync.rules.condition import Condition
from glance_sync.rules.condition import ConditionEvaluationError
from glance_sync.rules.condition import compile_condition
from glance_sync.rules.options import TargetRules
from glance_sync.rules.owners import Tenant, owned_by
from glance_sync.rules.status import sort_key

__all__ = ['DUPLICATE_WARNING', 'MasterIndex', 'OBSOLETE_SUFFIX',
           'Selection', 'condition_of', 'is_synchronisable', 'owned_by']

LOG = logging.getLogger(__name__)

OBSOLETE_SUFFIX = '_obsolete'
#: GlanceSync's warning for a name used twice in the master (same text).
DUPLICATE_WARNING = 'Duplicated images with name %s will be ignored'



@functools.lru_cache(maxsize=256)
def condition_of(text: str | None) -> Condition | None:
    """The compiled ``metadata_condition`` (cached), ``None`` without one.

    :raises ConditionError: the condition is not allowed.
    """
    if text is None or not text.strip():
        return None
    return compile_condition(text)


def is_synchronisable(image: Image, rules: TargetRules,
                      condition: Condition | None = None) -> bool:
    """Whether the target synchronises this master image.

    :param image: a master image (AMI references as names).
    :param rules: the target's rules.
    :param condition: ``rules.metadata_condition`` compiled; by default it
        is compiled (and cached) here.
    :returns: see the module docstring for the order of the tests.
    """
    if image.name.endswith(OBSOLETE_SUFFIX):
        return False
    if image.id in rules.forcesyncs:
        return True
    if condition is None:
        condition = condition_of(rules.metadata_condition)
    if condition is not None:
        return _evaluate(condition, image, rules)
    if not image.is_public:
        return False
    if not rules.metadata_set:
        return True
    return not rules.metadata_set.isdisjoint(image.user_properties)


def _evaluate(condition: Condition, image: Image, rules: TargetRules) -> bool:
    try:
        return condition(image, rules.metadata_set)
    except ConditionEvaluationError as exc:
        # GlanceSync stopped the whole sync here; one odd image should not.
        # One warning per image and failure: the same evaluation runs for
        # every region of the target and again at each sync.
        if condition.first_report(exc, image.id):
            LOG.warning('%s; target %s does not synchronise it', exc,
                        rules.name)
        else:
            LOG.debug('%s (reported before)', exc)
        return False


class Selection:
    """The master images one target synchronises."""

    __slots__ = ('by_name', 'ordered')

    def __init__(self, images: Iterable[Image]) -> None:
        #: Smallest first (the upload and report order).
        self.ordered: tuple[Image, ...] = tuple(sorted(images, key=sort_key))
        #: The same images by name.
        self.by_name: dict[str, Image] = {i.name: i for i in self.ordered}


class MasterIndex:
    """The master region's images that may be synchronised, by name.

    Build it once per sync with :meth:`build`; it is immutable and
    thread-safe.
    """

    def __init__(self, region: str, images: Mapping[str, Image],
                 references: Mapping[str, ami.References],
                 deactivated: Mapping[str, Image] | None = None) -> None:
        """Prefer :meth:`build`, which applies GlanceSync's filters.

        :param images: the images by name, AMI references as names.
        :param references: AMI references by image name.
        :param deactivated: the master tenant's deactivated images by id
            (never selected; their copies may follow them).
        """
        self.region = region
        self.deactivated: Mapping[str, Image] = dict(deactivated or {})
        self.by_name: Mapping[str, Image] = dict(images)
        self.references: Mapping[str, ami.References] = dict(references)
        self._obsolete = tuple(n for n in self.by_name
                               if n.endswith(OBSOLETE_SUFFIX))
        self._selections: dict[tuple[object, ...], Selection] = {}

    @classmethod
    def build(cls, images: Iterable[Image], tenant_id: Tenant,
              region: str = '') -> MasterIndex:
        """GlanceSync's master dictionary.

        :param images: every image listed in the master region.
        :param tenant_id: the master target's tenant id, or the master
            projects (:class:`~glance_sync.rules.owners.Owners`).
        :param region: the master region's name.
        :returns: the index; duplicated names are warned about, once each.
        """
        images = list(images)
        kept = [image for image in images
                if image.status == 'active' and image.name
                and owned_by(image.owner, tenant_id)]
        cleaned, references = ami.clean_references(_unique(kept))
        deactivated = {image.id: image for image in images
                       if image.status == 'deactivated'
                       and owned_by(image.owner, tenant_id)}
        return cls(region, cleaned, references, deactivated)

    @property
    def obsolete_names(self) -> tuple[str, ...]:
        """The names ending in ``_obsolete``."""
        return self._obsolete

    def selection(self, rules: TargetRules) -> Selection:
        """The images ``rules`` select (computed once per set of rules).

        :raises ConditionError: the target's condition is not allowed.
        """
        key = (rules.metadata_condition, rules.metadata_set,
               rules.forcesyncs)
        # No lock: dict.get and dict.setdefault are atomic, so regions
        # planned at the same time may each compute a selection, but all
        # get the first one stored (a selection is a pure result).
        found = self._selections.get(key)
        if found is None:
            found = self._selections.setdefault(key, self._select(rules))
        return found

    def _select(self, rules: TargetRules) -> Selection:
        condition = condition_of(rules.metadata_condition)
        return Selection(image for image in self.by_name.values()
                         if is_synchronisable(image, rules, condition))


def _unique(images: list[Image]) -> dict[str, Image]:
    """Images by name, without the names that appear more than once."""
    seen: dict[str, Image] = {}
    duplicated: set[str] = set()
    for image in images:
        if image.name not in seen:
            seen[image.name] = image
        elif image.name not in duplicated:
            LOG.warning(DUPLICATE_WARNING, image.name)
            duplicated.add(image.name)
    return {name: image for name, image in seen.items()
            if name not in duplicated}
