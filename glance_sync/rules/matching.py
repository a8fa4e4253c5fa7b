"""Find, in one region, the copy of each selected master image.

Images are matched by name (ids differ per region), or, with ``match_by =
id``, by the master image's id, which the copies then keep (a copy may
carry another name: the sync renames it). Only the selected images
matter. For each, in the order the region lists them:

- another tenant's image: a warning, and it is skipped when
  ``only_tenant_images`` (the default);
- an image that is not ``active``: a warning, and it is skipped;
- a second image with the same name: a warning; the one with the master's
  checksum wins, otherwise the first one found (by name only: ids are
  unique).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping

from glance_sync.images import Image
from glance_sync.rules.owners import Owners, Tenant

__all__ = ['match']

LOG = logging.getLogger(__name__)


def match(selected: Mapping[str, Image], images: Iterable[Image], *,
          region: str, tenant_id: Tenant, only_tenant_images: bool,
          warn_foreign: bool = True,
          by_id: bool = False) -> dict[str, Image]:
    """The regional copy of each selected master image that has one.

    :param selected: the master images the target synchronises, by name.
    :param images: the region's images, in the order it lists them.
    :param region: the region's name, for the warnings.
    :param tenant_id: the target's tenant id (or its owners).
    :param only_tenant_images: skip other tenants' images.
    :param warn_foreign: warn about other tenants' images.
    :param by_id: match by the master image's id instead of its name.
    :returns: ``{master image name: regional image}``.
    """
    ours = _owner_test(tenant_id)
    if by_id:
        return _match_ids(selected, images, region, ours,
                          only_tenant_images, warn_foreign)
    found: dict[str, Image] = {}
    for image in images:
        master = selected.get(image.name)
        if master is None:
            continue
        if not (image.status == 'active' and ours(image.owner)) and not (
                _usable(image, region, ours, only_tenant_images,
                        warn_foreign)):
            continue
        previous = found.get(image.name)
        if previous is None or _replaces(image, previous, master, region):
            found[image.name] = image
    return found


def _match_ids(selected: Mapping[str, Image], images: Iterable[Image],
               region: str, ours: Callable[[str | None], bool],
               only_tenant_images: bool,
               warn_foreign: bool) -> dict[str, Image]:
    """:func:`match` by id: the region image with the master's id."""
    names = {image.id: name for name, image in selected.items()}
    found: dict[str, Image] = {}
    for image in images:
        name = names.get(image.id)
        if name is None:
            continue
        if (image.status == 'active' and ours(image.owner)) or _usable(
                image, region, ours, only_tenant_images, warn_foreign):
            found[name] = image
    return found


def _owner_test(tenant_id: Tenant) -> Callable[[str | None], bool]:
    """:func:`owned_by` for one tenant, for testing many images."""
    if isinstance(tenant_id, Owners):
        return tenant_id.__contains__
    padded = tenant_id.zfill(32)

    def ours(owner: str | None) -> bool:
        return (not owner or owner == tenant_id
                or owner.zfill(32) == padded)
    return ours


def _usable(image: Image, region: str, ours: Callable[[str | None], bool],
            only_tenant_images: bool, warn_foreign: bool) -> bool:
    """The slow path: warn about another tenant's or an inactive copy."""
    if not ours(image.owner):
        if warn_foreign:
            LOG.warning('%s: image %s (UUID %s) is owned by other tenant: '
                        '%s', region, image.name, image.id, image.owner)
        if only_tenant_images:
            return False
    if image.status != 'active':
        LOG.warning('%s: state of image %s with UUID %s  is not active: %s',
                    region, image.name, image.id, image.status)
        return False
    return True


def _replaces(image: Image, previous: Image, master: Image,
              region: str) -> bool:
    """Whether a duplicate wins over the copy found before it."""
    LOG.warning('%s: image name %s is duplicated. UUIDs: %s %s',
                region, image.name, image.id, previous.id)
    return (image.checksum == master.checksum
            and previous.checksum != master.checksum)
