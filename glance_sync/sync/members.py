"""Members of shared images follow the master (issue 14, item 4).

For each selected master image with ``visibility = shared`` that has a
copy in the region, the copy's members are made the master's
(:func:`glance_sync.rules.members.plan_members`):

- in a region of the ``master`` target (the same Keystone), with the same
  project ids;
- in another target, each master project is looked up by name in the
  master's Keystone (``member_project_map`` renames it), then by that name
  in the target's Keystone. A project not found is *unmapped*: logged,
  reported in the sync's result, and never guessed.

Only membership follows: accepting or rejecting a shared image is the
member project's own decision, in each region. Regions or masters that
cannot list members (offline backups) are left alone. Member changes do
not go through Glance's image repository, so no event announces them:
they reach the regions with the next sync or task of the image.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping

from glance_sync.images import MASTER_TARGET, Image
from glance_sync.regions.base import Refused, Region, split_name
from glance_sync.regions.members import ImageMembers, ProjectDirectory
from glance_sync.rules import members as rules_members
from glance_sync.rules.options import TargetRules
from glance_sync.sync.cloud import Cloud, OnlineCloud
from glance_sync.sync.projects import KeystoneProjects

__all__ = ['SHARED', 'Translate', 'directories', 'follow_images',
           'follow_members', 'translator']

LOG = logging.getLogger(__name__)

#: The visibility whose members follow.
SHARED = 'shared'

#: Master project ids → their ids in a target (``None``: not found).
Translate = Callable[[Iterable[str]], Mapping[str, 'str | None']]


def directories(cloud: Cloud
                ) -> Callable[[str], ProjectDirectory | None]:
    """Each target's Keystone projects, one directory per target and run
    (``None`` offline: backups know no projects)."""
    made: dict[str, ProjectDirectory] = {}

    def directory(target: str) -> ProjectDirectory | None:
        if not isinstance(cloud, OnlineCloud):
            return None
        if target not in made:
            made[target] = KeystoneProjects(cloud.session(target), target)
        return made[target]
    return directory


def translator(target: str, rules: TargetRules,
               directories: Callable[[str], ProjectDirectory | None]
               ) -> Translate:
    """How master member ids become the target's.

    :param target: the copy's target.
    :param rules: its rules (``member_project_map``).
    :param directories: a target's project directory, ``None`` when it
        has none (offline).
    """
    if target == MASTER_TARGET:
        return lambda ids: {project: project for project in ids}
    renames = dict(rules.member_project_map)

    def translate(ids: Iterable[str]) -> dict[str, str | None]:
        master_dir = directories(MASTER_TARGET)
        target_dir = directories(target)
        found: dict[str, str | None] = {}
        for project in ids:
            name = master_dir.name_of(project) if master_dir else None
            if name is not None and target_dir is not None:
                found[project] = target_dir.id_of(renames.get(name, name))
            else:
                found[project] = None
        return found
    return translate


def follow_members(master: Region, image: Image, region: Region,
                   copy_id: str, translate: Translate
                   ) -> rules_members.MemberChanges:
    """Make one copy's members its master's (see the module docstring).

    :returns: what changed, with the unmapped master members.
    :raises RegionError: a region failed.
    """
    if (image.visibility != SHARED or not isinstance(master, ImageMembers)
            or not isinstance(region, ImageMembers)):
        return rules_members.MemberChanges()
    wanted = master.members(image.id)
    changes = rules_members.plan_members(wanted, translate(wanted),
                                         region.members(copy_id))
    for project in sorted(changes.add):
        try:
            region.add_member(copy_id, project)
        except Refused as exc:
            # A copy that is not (yet) shared has no members: reported,
            # and tried again at the image's next sync; the region's
            # other images go on.
            LOG.warning('%s: cannot share image %s with %s: %s',
                        region.name, image.name, project, exc)
    for project in sorted(changes.remove):
        region.remove_member(copy_id, project)
    if changes.add or changes.remove:
        LOG.info('%s: members of %s: added %s, removed %s', region.name,
                 image.name, ', '.join(sorted(changes.add)) or 'none',
                 ', '.join(sorted(changes.remove)) or 'none')
    if changes.unmapped:
        LOG.warning('%s: image %s is shared with project(s) %s, which have '
                    'no project of the same name in target %s (see '
                    'member_project_map): not shared with them there',
                    region.name, image.name,
                    ', '.join(sorted(changes.unmapped)),
                    split_name(region.name)[0])
    return changes


def follow_images(master: Region, images: Iterable[Image], region: Region,
                  copies: Mapping[str, str], translate: Translate
                  ) -> dict[str, frozenset[str]]:
    """:func:`follow_members` for each shared image with a copy.

    :param copies: the copy's regional id by master image name.
    :returns: the unmapped master members, by image name (only images
        that have some).
    :raises RegionError: a region failed.
    """
    unmapped: dict[str, frozenset[str]] = {}
    for image in images:
        copy_id = copies.get(image.name)
        if image.visibility != SHARED or copy_id is None:
            continue
        changes = follow_members(master, image, region, copy_id, translate)
        if changes.unmapped:
            unmapped[image.name] = changes.unmapped
    return unmapped
