"""Which members a copy of a shared image must gain and lose.

A master image with ``visibility = shared`` is shared with projects (its
members). Its copies are shared with the same projects, as the copy's
target knows them: under the master's Keystone the ids are the same;
under another Keystone each project is found by name (see
:mod:`glance_sync.sync.members`). A project that cannot be found there is
*unmapped*: it is reported, never guessed, and no member is added for it.

Pure: :func:`plan_members` takes the ids already translated.

Usage::

    changes = plan_members(['p1', 'p2'], {'p1': 'q1', 'p2': None}, ['q9'])
    # add q1, remove q9, p2 unmapped
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

__all__ = ['MemberChanges', 'plan_members']


@dataclasses.dataclass(frozen=True)
class MemberChanges:
    """The member changes of one copy."""

    #: Target project ids to add as members.
    add: frozenset[str] = frozenset()
    #: Target project ids to remove.
    remove: frozenset[str] = frozenset()
    #: Master project ids with no project in the copy's target.
    unmapped: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        """Nothing to change and nothing to report."""
        return not (self.add or self.remove or self.unmapped)


def plan_members(master_members: Iterable[str],
                 translated: Mapping[str, str | None],
                 copy_members: Iterable[str]) -> MemberChanges:
    """The changes that make a copy's members follow its master's.

    :param master_members: the master image's member project ids.
    :param translated: each master member → its id in the copy's target,
        ``None`` when it has none (a missing entry counts as ``None``).
    :param copy_members: the copy's member project ids.
    :returns: what to add and remove, and the unmapped master members.
    """
    wanted: set[str] = set()
    unmapped: set[str] = set()
    for project in master_members:
        target = translated.get(project)
        if target is None:
            unmapped.add(project)
        else:
            wanted.add(target)
    present = set(copy_members)
    return MemberChanges(frozenset(wanted - present),
                         frozenset(present - wanted), frozenset(unmapped))
