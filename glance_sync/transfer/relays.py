"""Relay copies: which region a copy reads the image from.

With ``[transfer] relay = True`` the daemon may copy a master image into
a region from another region that already holds a verified copy of it (a
*relay*) instead of from the master, so that an image crosses each long
link once and the copies spread as a tree::

    ranked = rank('RegionThree', 'RegionOne', done=['RegionTwo'],
                  receiving=[], topology=topology)
    choice = choose(ranked, availability, waited_out=False)
    if choice.source is None:
        ...     # wait for choice.waiting_for, run again soon

The decisions, all made here and nowhere else (this module is pure: the
caller brings the facts):

- Candidates: the master region, the regions whose task for the image is
  done (relays, used only once their copy is checked: active, the
  master's size, md5, ``os_hash_algo`` and ``os_hash_value``, and our
  source property or the master's id) and the regions whose task is
  running (*receiving* while their copy is under way: not read then, but
  worth waiting for; else checked and read like the relays).
- Rank: the cost of the link between the candidate's site and the
  target's (:meth:`~glance_sync.conf.sites.SiteTopology.link_cost`),
  lowest first; on equal cost a relay (or a receiving region) before the
  master, which saves the master site's uplink; then a candidate of the
  target's own site; then the name.
- Bound: each source feeds at most ``copies_per_source`` copies at the
  same time (copy slots, held through the coordination backend), so a
  source is *busy* when none of its slots is free.
- Wait: when the best-ranked usable candidate is busy or receiving and
  no candidate as good (a relay over a link of the same cost) is free,
  the copy does not read a costlier source: it waits (the task ends and
  runs again soon). Once it has waited ``relay_wait`` seconds it takes the best
  free candidate, whatever its cost.
- Fallback: a copy from a relay that fails is removed and the copy goes on
  with the next free candidate, down to the master, without waiting.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterable, Sequence

from glance_sync.conf.sites import SiteTopology

__all__ = ['Availability', 'Choice', 'Source', 'choose', 'rank']


@dataclasses.dataclass(frozen=True)
class Source:
    """A candidate source of one copy."""

    region: str
    #: The master region (else a relay, or a receiving region).
    master: bool = False
    #: Its own copy is still under way: it cannot be read yet.
    receiving: bool = False
    #: The cost of its link to the target region.
    cost: int = 0

    def describe(self) -> str:
        """How outcome lines name it: ``RegionTwo (relay)``."""
        return '%s (%s)' % (self.region, 'master' if self.master else 'relay')


class Availability(enum.Enum):
    """What a candidate can do for a copy now."""

    #: A copy slot was taken: read it.
    FREE = 'free'
    #: Every copy slot is taken.
    BUSY = 'busy'
    #: Its own copy is under way.
    RECEIVING = 'receiving'
    #: Not a source after all (its copy failed the check, it is gone).
    UNUSABLE = 'unusable'


@dataclasses.dataclass(frozen=True)
class Choice:
    """The source to read, or the candidate to wait for."""

    source: Source | None
    waiting_for: Source | None = None
    #: With :attr:`waiting_for`: why it cannot be read now.
    why: Availability | None = None


def rank(target: str, master: str, *, done: Iterable[str],
         receiving: Iterable[str], topology: SiteTopology) -> list[Source]:
    """Every candidate source of a copy to ``target``, best first.

    :param target: the qualified region to copy to (never a candidate).
    :param master: the master region.
    :param done: regions whose task for the image is done.
    :param receiving: regions whose task for the image is running.
    """
    site = topology.site_of(target)
    found = {master: Source(master, master=True,
                            cost=topology.link_cost(master, target))}
    for names, busy in ((receiving, True), (done, False)):
        for name in names:
            if name not in (target, master):
                found[name] = Source(name, receiving=busy,
                                     cost=topology.link_cost(name, target))

    def key(source: Source) -> tuple[int, bool, bool, str]:
        return (source.cost, source.master,
                topology.site_of(source.region) != site, source.region)

    return sorted(found.values(), key=key)


def choose(ranked: Sequence[Source],
           availability: Callable[[Source], Availability], *,
           waited_out: bool) -> Choice:
    """The source to read, walking the ranking.

    ``availability`` is asked about candidates in order, and only until
    the choice is made: it may take the copy slot of the candidate it
    calls free (the caller reads that one, nothing else is left held).

    :param waited_out: the copy has waited ``relay_wait`` seconds already
        (or is a fallback): take the best free candidate, whatever its
        cost.
    :returns: a source; else the best candidate to wait for (a copy with
        no candidate free at all waits even when waited out).
    """
    wait: Choice | None = None
    for source in ranked:
        if (wait is not None and not waited_out
                and not _as_good(source, wait.waiting_for)):
            # Everything from here on is costlier than what is awaited.
            return wait
        state = availability(source)
        if state is Availability.FREE:
            return Choice(source)
        if state is Availability.UNUSABLE:
            continue
        # Busy or receiving: the best to wait for, unless a candidate as
        # good as it (another relay over a link of the same cost) is free:
        # waiting for one relay while its equal idles would turn the tree
        # back into a star around the first relay.
        if wait is None:
            wait = Choice(None, source, state)
    return wait or Choice(None)


def _as_good(source: Source, awaited: Source | None) -> bool:
    """Whether ``source`` is worth reading instead of waiting for
    ``awaited``: a link of the same cost, and a relay if it is one."""
    return (awaited is not None and source.cost == awaited.cost
            and source.master == awaited.master)
