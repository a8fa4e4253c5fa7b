"""The plan for one region: every image's status and the ordered actions.

:func:`plan_region` is GlanceSync's ``sync_region`` without the doing;
:func:`status_region` is its ``export_sync_region_status``. Both are pure:
they take the images already listed and return data (and log GlanceSync's
warnings).

The statuses come in upload order, smallest image first, which is also the
order of GlanceSync's status report. The actions come in the order the
engine must apply them:

1. obsolete images renamed and updated;
2. metadata updates of copies whose content is already right;
3. uploads, replacements and renames, smallest first (so a kernel and a
   ramdisk are uploaded before the AMI image that needs them);
4. kernel/ramdisk fix-ups of images whose kernel or ramdisk was just
   uploaded.

With ``match_by = id`` the copies are found by the master's id and
created with it; a copy with another name is renamed (a metadata update),
and a copy with other content can be neither replaced nor renamed (its id
is the master's, and Glance never reuses an id): ``error_checksum``.

Usage::

    master = MasterIndex.build(master_region.list_images(True), tenant)
    plan = plan_region(master, region.list_images(True), rules, 'Burgos')
    for action in plan.actions: ...
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from glance_sync.images import Image
from glance_sync.rules import activation, ami, attributes, checksum
from glance_sync.rules import matching, metadata, metadata_only, obsolete
from glance_sync.rules import renames
from glance_sync.rules.actions import (Action, FixAmi, ImageRecord,
                                       Reactivate, Rename, RenameCopy,
                                       Replace, UpdateMetadata, Upload)
from glance_sync.rules.options import (COPY_OWNER_MASTER, MATCH_BY_ID,
                                       TargetRules)
from glance_sync.rules.owners import Tenant
from glance_sync.rules.selection import MasterIndex, Selection
from glance_sync.rules.status import ImageStatus, Status, format_status

__all__ = ['RegionPlan', 'TenantUnknown', 'plan_region', 'status_region']

LOG = logging.getLogger(__name__)

#: Why a copy matched by id cannot be replaced or renamed.
ID_CONFLICT_WARNING = (
    '%(region)s: image %(name)s (UUID %(id)s) has the master\'s id but '
    'another checksum (%(checksum)s); with match_by = id it can be neither '
    'replaced nor renamed: delete it, or list its checksum in dontupdate.')


class TenantUnknown(ValueError):
    """The target's tenant id is needed to tell its images from others'."""

    message = ('The tenant id of target %(target)s is unknown: set it in '
               'the rules or pass tenant_id')

    def __init__(self, target: str) -> None:
        self.target = target
        super().__init__(self.message % {'target': target})


@dataclasses.dataclass(frozen=True)
class RegionPlan:
    """What one region needs; see the module docstring for the order."""

    region: str
    #: The selected master images, smallest first.
    images: tuple[Image, ...]
    #: The status of each of :attr:`images`, in the same order.
    codes: tuple[Status, ...]
    #: The actions, in the order to apply them.
    actions: tuple[Action, ...]
    #: The regional copy of each selected image that has one, by name.
    matched: Mapping[str, Image]

    @functools.cached_property
    def region_ids(self) -> dict[str, str]:
        """The regional id of each matched copy, by name (AMI references
        start from these; the engine adds the images it uploads)."""
        return {name: image.id for name, image in self.matched.items()}

    @functools.cached_property
    def statuses(self) -> tuple[ImageStatus, ...]:
        """One status per selected master image, smallest first."""
        # Built on demand: planning many big regions should not allocate
        # one object per image and status.
        return tuple(ImageStatus(code, self.region, image)
                     for code, image in zip(self.codes, self.images))

    @property
    def synchronised(self) -> bool:
        """Nothing to do (errors may remain, see :attr:`statuses`)."""
        return not self.actions

    @property
    def uploads(self) -> list[Upload]:
        """The uploads, replacements and renames, smallest first."""
        return [a for a in self.actions if isinstance(a, Upload)]

    @property
    def upload_bytes(self) -> int:
        """Bytes the uploads will copy."""
        return sum(upload.size for upload in self.uploads)

    def status_report(self) -> str:
        """GlanceSync's ``status,region,image`` report of this region."""
        return format_status(self.statuses)


def plan_region(master: MasterIndex, images: Iterable[Image],
                rules: TargetRules, region: str, *,
                tenant_id: Tenant | None = None) -> RegionPlan:
    """Plan the sync of one region, as GlanceSync's ``sync_region`` would.

    Logs GlanceSync's warnings (duplicates, other tenants' images when
    ``only_tenant_images`` is off, inactive copies, checksum conflicts).

    :param master: the master index (:meth:`MasterIndex.build`).
    :param images: every image the region lists, public ones of other
        tenants included (``list_images(include_public=True)``).
    :param rules: the rules of the region's target.
    :param region: the qualified region name.
    :param tenant_id: the target's tenant id; ``rules.tenant_id`` by
        default. :class:`~glance_sync.rules.owners.Owners` when the
        target's copies may belong to several projects (``copy_owner``).
    :returns: the statuses and the ordered actions.
    :raises TenantUnknown: no tenant id given either way.
    :raises ConditionError: the target's condition is not allowed.
    """
    tenant = _tenant(rules, tenant_id)
    images = list(images)
    updates: list[Action] = list(
        obsolete.plan_obsolete(master, images, rules, tenant))
    images, reactivate = _reactivations(master, images, rules, tenant)
    updates.extend(reactivate)
    updates.extend(_deactivations(master, images, rules, tenant))
    # GlanceSync's sync drops other tenants' images silently (its status
    # report warns about them).
    planner = _Planner(master, rules, region, tenant, images,
                       warn_foreign=not rules.only_tenant_images)
    planner.run()
    actions = tuple(updates + planner.actions())
    if rules.metadata_only:
        actions = metadata_only.without_data(actions)
    return RegionPlan(region, planner.selection.ordered,
                      _pending(planner, reactivate), actions,
                      planner.matched)


def status_region(master: MasterIndex, images: Iterable[Image],
                  rules: TargetRules, region: str, *,
                  tenant_id: Tenant | None = None) -> tuple[ImageStatus, ...]:
    """Every selected image's status in one region, smallest first.

    GlanceSync's ``export_sync_region_status``: same statuses as
    :func:`plan_region`, no checksum warnings, but warnings about other
    tenants' copies even when they are skipped.

    :raises TenantUnknown: no tenant id given either way.
    :raises ConditionError: the target's condition is not allowed.
    """
    tenant = _tenant(rules, tenant_id)
    images, reactivate = _reactivations(master, list(images), rules, tenant)
    planner = _Planner(master, rules, region, tenant, images,
                       warn_checksum=False)
    planner.run()
    return tuple(ImageStatus(code, region, image) for code, image in zip(
        _pending(planner, reactivate), planner.selection.ordered))


def _reactivations(master: MasterIndex, images: list[Image],
                   rules: TargetRules, tenant: Tenant
                   ) -> tuple[list[Image], list[Reactivate]]:
    """The deactivated copies to reactivate, and the images to plan
    with (those copies shown active)."""
    if not activation.follows(rules):
        return images, []
    return activation.reactivations(master.selection(rules).by_name,
                                    images, tenant)


def _deactivations(master: MasterIndex, images: list[Image],
                   rules: TargetRules, tenant: Tenant) -> list[Action]:
    if not activation.follows(rules):
        return []
    return list(activation.deactivations(master.deactivated, images,
                                         tenant))


def _pending(planner: _Planner,
             reactivate: list[Reactivate]) -> tuple[Status, ...]:
    """The statuses, with a copy still to reactivate not ``ok``."""
    if not reactivate:
        return tuple(planner.codes)
    ids = {action.image_id for action in reactivate}
    return tuple(
        Status.PENDING_METADATA if code is Status.OK
        and getattr(planner.matched.get(image.name), 'id', None) in ids
        else code
        for code, image in zip(planner.codes, planner.selection.ordered))


def _tenant(rules: TargetRules, tenant_id: Tenant | None) -> Tenant:
    tenant = tenant_id or rules.tenant_id
    if not tenant:
        raise TenantUnknown(rules.name)
    return tenant


class _Planner:
    """One pass over the selected images, GlanceSync's
    ``image_list_to_sync`` with the actions alongside."""

    def __init__(self, master: MasterIndex, rules: TargetRules, region: str,
                 tenant: Tenant, images: list[Image], *,
                 warn_checksum: bool = True,
                 warn_foreign: bool = True) -> None:
        self.master = master
        self.rules = rules
        self.region = region
        self.warn_checksum = warn_checksum
        self.by_id = rules.match_by == MATCH_BY_ID
        self.selection: Selection = master.selection(rules)
        #: The matched copies, as found (the engine's starting ids).
        self.matched = matching.match(
            self.selection.by_name, images, region=region, tenant_id=tenant,
            only_tenant_images=rules.only_tenant_images,
            warn_foreign=warn_foreign, by_id=self.by_id)
        #: Native configurations: copies whose master was renamed.
        self.moved = (renames.moved_copies(self.selection.by_name, images,
                                           tenant)
                      if rules.record_source and not self.by_id else {})
        #: The status of each selected image, in selection order.
        self.codes: list[Status] = []
        self._metadata: list[UpdateMetadata] = []
        self._uploads: list[Upload] = []
        self._fixes: list[UpdateMetadata] = []

    def actions(self) -> list[Action]:
        """Metadata updates, then uploads, then AMI fix-ups."""
        return [*self._metadata, *self._uploads, *self._fixes]

    def run(self) -> None:
        """Compute every status and action, smallest image first."""
        # Copies being replaced stop counting as present, and uploads
        # count as pending, for the AMI images that come after them.
        present = dict(self.matched)
        pending: set[str] = set()
        compare = self._comparer()
        references = self.master.references
        append = self.codes.append
        for image in self.selection.ordered:
            copy = present.get(image.name)
            moved = self.moved.get(image.id) if self.moved else None
            if moved is not None and (
                    copy is None or not renames.made_from(copy, image)):
                append(self._renamed(image, moved, copy, present))
                continue
            if copy is None:
                append(self._missing(image, pending))
                continue
            diff = compare(image, copy)
            props = copy.user_properties
            if (diff is metadata.Difference.NONE
                    and image.name not in references
                    and 'kernel_id' not in props
                    and 'ramdisk_id' not in props):
                status = Status.OK  # the common case, kept fast
            else:
                status = self._status(image, copy, diff, present, pending)
            append(status)

    def _comparer(self) -> Callable[[Image, Image], metadata.Difference]:
        base = metadata.comparer(self.rules.metadata_set,
                                 self.rules.dont_replicate)
        rules = self.rules

        def compare_v2(image: Image, copy: Image) -> metadata.Difference:
            # Tags and, for native configurations, Glance v2 attributes.
            diff = base(image, copy)
            if (diff is metadata.Difference.NONE
                    and attributes.differs(image, copy, rules)):
                return metadata.Difference.PROPERTIES
            return diff
        if not self.by_id:
            return compare_v2  # matched by name: names are equal

        def compare_names(image: Image, copy: Image) -> metadata.Difference:
            diff = compare_v2(image, copy)
            if diff is metadata.Difference.NONE and copy.name != image.name:
                return metadata.Difference.PROPERTIES
            return diff
        return compare_names

    def _missing(self, image: Image, pending: set[str]) -> Status:
        pending.add(image.name)
        self._uploads.append(self._upload(image, Upload))
        return Status.PENDING_UPLOAD

    def _status(self, image: Image, copy: Image, diff: metadata.Difference,
                present: dict[str, Image], pending: set[str]) -> Status:
        if diff is metadata.Difference.CHECKSUM:
            return self._conflict(image, copy, present, pending)
        refs = self.master.references.get(image.name, {})
        state = ami.check(refs, copy.user_properties, present, pending)
        return self._follow(image, copy, refs, diff, state)

    def _follow(self, image: Image, copy: Image, refs: ami.References,
                diff: metadata.Difference, state: ami.AmiState) -> Status:
        """The status (and update) of a copy with the right content."""
        if state is ami.AmiState.MISSING:
            return Status.ERROR_AMI
        if state is ami.AmiState.PENDING:
            self._fixes.append(self._update(image, copy, refs, FixAmi))
            return Status.PENDING_AMI
        if diff is metadata.Difference.NONE and state is ami.AmiState.READY:
            return Status.OK
        self._metadata.append(self._update(image, copy, refs,
                                           UpdateMetadata))
        return Status.PENDING_METADATA

    def _renamed(self, image: Image, moved: Image, other: Image | None,
                 present: dict[str, Image]) -> Status:
        """A copy made before its master was renamed: renamed in place;
        another image under the new name gets the checksum policy."""
        extra: dict[str, Any] = {}
        status = Status.PENDING_METADATA
        if other is not None:
            status = checksum.decide(other.checksum, self.rules)
            if self.warn_checksum:
                LOG.warning(renames.CONFLICT_WARNING, {
                    'region': self.region, 'id': image.id, 'old': moved.name,
                    'name': image.name, 'other': other.id,
                    'checksum': other.checksum, 'status': status})
            if status is Status.PENDING_REPLACE:
                extra = {'displaced_id': other.id, 'displace_delete': True}
            elif status is Status.PENDING_RENAME:
                extra = {'displaced_id': other.id,
                         'displaced_name': image.name + checksum.OLD_SUFFIX}
            else:
                return status  # the other image stays; so does the copy
        refs = self.master.references.get(image.name, {})
        self._metadata.append(self._update(image, moved, refs, RenameCopy,
                                           **extra))
        present[image.name] = self.matched[image.name] = moved
        return status

    def _conflict(self, image: Image, copy: Image,
                  present: dict[str, Image], pending: set[str]) -> Status:
        """A copy with other content: :func:`checksum.decide` decides."""
        status = checksum.decide(copy.checksum, self.rules)
        if self.by_id and status in (Status.PENDING_REPLACE,
                                     Status.PENDING_RENAME):
            LOG.warning(ID_CONFLICT_WARNING, {
                'region': self.region, 'name': copy.name, 'id': copy.id,
                'checksum': copy.checksum})
            return Status.ERROR_CHECKSUM
        if status is Status.PENDING_REPLACE:
            self._uploads.append(self._upload(image, Replace, old=copy))
        elif status is Status.PENDING_RENAME:
            self._uploads.append(self._upload(image, Rename, old=copy))
        elif status is Status.ERROR_CHECKSUM and self.warn_checksum:
            LOG.warning(checksum.CHECKSUM_WARNING, {
                'name': copy.name, 'checksum': copy.checksum,
                'region': self.region})
        if status in (Status.PENDING_REPLACE, Status.PENDING_RENAME):
            del present[image.name]
            pending.add(image.name)
        return status

    def _upload(self, image: Image, kind: type[Upload],
                old: Image | None = None) -> Upload:
        refs = self.master.references.get(image.name, {})
        props = metadata.upload_properties(image, self.rules.metadata_set,
                                           self.rules.dont_replicate)
        props.update(_unresolved(image, refs))
        if self.rules.record_source:
            props[metadata.SOURCE_PROPERTY] = image.id
        record = ImageRecord(
            name=image.name, visibility=image.visibility, properties=props,
            disk_format=image.disk_format,
            container_format=image.container_format,
            min_disk=image.min_disk, min_ram=image.min_ram,
            image_id=image.id if self.by_id else None,
            tags=attributes.upload_tags(image, self.rules),
            protected=image.protected and self.rules.record_source,
            owner=(image.owner or None) if self.rules.copy_owner
            == COPY_OWNER_MASTER else None)
        extra: dict[str, Any] = {}
        if old is not None:
            extra['old_id'] = old.id
        if kind is Replace and old is not None and old.protected:
            # Only a copy glance-sync made is unprotected to be replaced.
            extra['old_protected'] = renames.made_from(old, image)
        if kind is Rename:
            extra['old_name'] = image.name + checksum.OLD_SUFFIX
        return kind(master=image, record=record, ami=_resolvable(refs),
                    **extra)

    def _update(self, image: Image, copy: Image, refs: ami.References,
                kind: type[UpdateMetadata], **extra: Any) -> UpdateMetadata:
        to_set, to_remove = metadata.changes(image, copy,
                                             self.rules.metadata_set,
                                             self.rules.dont_replicate)
        to_set.update(_unresolved(image, refs))
        visibility = attributes.visibility_change(image, copy, self.rules)
        add_tags, remove_tags = attributes.tag_changes(image, copy,
                                                       self.rules)
        # Only a copy matched by id can have another name.
        new_name = image.name if copy.name != image.name else None
        return kind(image_id=copy.id, image_name=copy.name,
                    new_name=new_name, visibility=visibility,
                    set_properties=to_set,
                    remove_properties=to_remove, ami=_resolvable(refs),
                    add_tags=add_tags, remove_tags=remove_tags,
                    attributes=attributes.attribute_changes(
                        image, copy, self.rules), **extra)


def _resolvable(refs: ami.References) -> dict[str, str]:
    return {prop: name for prop, name in refs.items() if name is not None}


def _unresolved(image: Image, refs: ami.References) -> dict[str, str]:
    """References to images outside the master index, marked missing."""
    return {prop: ami.MISSING_PREFIX + str(image.user_properties[prop])
            for prop, name in refs.items() if name is None}
