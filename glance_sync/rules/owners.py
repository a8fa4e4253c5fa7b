"""Whose images count: the master projects, or a target's own images.

GlanceSync knew one project per target: the master's images were those
of the master tenant, a region's copies those of the target's tenant.
With several master projects (``[target:master] master_projects``) the
master's candidates are the images of every listed project, and a
target whose copies keep their master image's owner (``copy_owner =
master``) finds its copies under any of those projects as well as its
own. :class:`Owners` is such a set of projects; every rule that used to
take a tenant id takes a :data:`Tenant`: one id, as before, or an
:class:`Owners`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Union

__all__ = ['Owners', 'Tenant', 'owned_by', 'owners_of', 'primary_of']


class Owners:
    """Project ids whose images count as one side's own; immutable.

    Ids compare as GlanceSync's did, up to leading zeros (``zfill(32)``:
    Keystone ids and the backups' numeric ones).

    :param primary: the project the side's credentials work in: the
        owner of the copies it creates unless told otherwise.
    :param others: more projects (duplicates are dropped).
    """

    __slots__ = ('primary', 'ids', '_padded')

    def __init__(self, primary: str, others: Iterable[str] = ()) -> None:
        self.primary = primary
        #: Every id, the primary first, each once.
        self.ids: tuple[str, ...] = tuple(dict.fromkeys([primary, *others]))
        self._padded = frozenset(i.zfill(32) for i in self.ids)

    def __contains__(self, owner: object) -> bool:
        """No owner (GlanceSync's rule), or one of the ids."""
        if not owner:
            return True
        return isinstance(owner, str) and (owner in self.ids
                                           or owner.zfill(32) in self._padded)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Owners) and self.primary == other.primary
                and self._padded == other._padded)

    def __hash__(self) -> int:
        return hash((self.primary, self._padded))

    def __repr__(self) -> str:
        return 'Owners(%s)' % ', '.join(self.ids)


#: What a rule accepts as "the tenant": one project id, or several.
Tenant = Union[str, Owners]


def owners_of(tenant: Tenant) -> Owners:
    """``tenant`` as :class:`Owners` (one id: a set of one)."""
    return tenant if isinstance(tenant, Owners) else Owners(tenant)


def primary_of(tenant: Tenant) -> str:
    """The one project id of ``tenant`` (its primary for a set)."""
    return tenant.primary if isinstance(tenant, Owners) else tenant


def owned_by(owner: str | None, tenant: Tenant) -> bool:
    """GlanceSync's owner test: no owner, or the same id up to leading
    zeros (``zfill(32)``), or, for :class:`Owners`, any of its ids.
    """
    if isinstance(tenant, Owners):
        return owner in tenant
    if not owner or owner == tenant:
        return True
    return owner.zfill(32) == tenant.zfill(32)
