"""The rule settings of one target, as the rules engine consumes them.

``glance_sync.conf`` builds these from a native ``glance-sync.conf`` or a
legacy FIWARE ``glancesync.conf``; the rules never read configuration files.
"""

from __future__ import annotations

import dataclasses

__all__ = ['COPY_OWNERS', 'COPY_OWNER_MASTER', 'COPY_OWNER_PROJECT',
           'MATCH_BY', 'MATCH_BY_ID', 'MATCH_BY_NAME', 'TargetRules',
           'SyncSettings']

#: Copies are found by name, and get the region's own ids (GlanceSync).
MATCH_BY_NAME = 'name'
#: Copies are created with, and found by, the master image's id.
MATCH_BY_ID = 'id'
#: The values of :attr:`TargetRules.match_by`.
MATCH_BY = (MATCH_BY_NAME, MATCH_BY_ID)

#: A copy belongs to the project the target's credentials work in
#: (GlanceSync).
COPY_OWNER_PROJECT = 'project'
#: A copy belongs to its master image's owner (regions that share the
#: master's Keystone).
COPY_OWNER_MASTER = 'master'
#: The values of :attr:`TargetRules.copy_owner`.
COPY_OWNERS = (COPY_OWNER_PROJECT, COPY_OWNER_MASTER)


@dataclasses.dataclass(frozen=True)
class TargetRules:
    """GlanceSync's per-target options, already parsed and validated.

    Checksum lists (``dontupdate``, ``rename``, ``replace``) may contain the
    word ``any``. ``metadata_condition`` is the expression's source text; the
    rules compile it with the safe evaluator (``None``: no condition).
    """

    name: str
    metadata_condition: str | None = None
    metadata_set: frozenset[str] = frozenset()
    forcesyncs: frozenset[str] = frozenset()
    dontupdate: frozenset[str] = frozenset()
    rename: frozenset[str] = frozenset()
    replace: frozenset[str] = frozenset()
    only_tenant_images: bool = True
    support_obsolete_images: bool = True
    obsolete_syncprops: frozenset[str] = frozenset()
    ignore_regions: frozenset[str] = frozenset()
    #: The owner id of the synchronising account in this target's regions.
    tenant_id: str | None = None
    #: Record the master image id on each copy (native configurations);
    #: legacy configurations add nothing, to match GlanceSync exactly.
    record_source: bool = False
    #: How a master image's copy is recognised: :data:`MATCH_BY_NAME` or
    #: :data:`MATCH_BY_ID` (copies keep the master's UUID).
    match_by: str = MATCH_BY_NAME
    #: Extra properties never copied, compared nor removed.
    dont_replicate: frozenset[str] = frozenset()
    #: Deactivate and reactivate the copies glance-sync made (they carry
    #: the source property) with their master image.
    follow_deactivation: bool = True
    #: The target's regions never receive image data: only the metadata
    #: of the copies they already hold follows the master.
    metadata_only: bool = False
    #: Member projects of shared images whose name differs in this
    #: target's Keystone: (master project name, target project name).
    member_project_map: tuple[tuple[str, str], ...] = ()
    #: Stores of each region's Glance that every copy must also be in
    #: (copied there by the region itself, with copy-image).
    stores: frozenset[str] = frozenset()
    #: Who owns the copies this target creates: :data:`COPY_OWNER_PROJECT`
    #: or :data:`COPY_OWNER_MASTER` (the master image's owner).
    copy_owner: str = COPY_OWNER_PROJECT


@dataclasses.dataclass(frozen=True)
class SyncSettings:
    """What the whole sync needs besides the targets' rules."""

    master_region: str
    targets: dict[str, TargetRules]
    preferable_order: tuple[str, ...] = ()
    list_images_timeout: float = 30.0
    #: The master projects whose images are candidates, as configured
    #: (names or ids; resolved by the cloud). Empty: the master
    #: credentials' own project.
    master_projects: tuple[str, ...] = ()
