"""Relay copies in the daemon: one task's source, slots and fallback.

:mod:`glance_sync.transfer.relays` decides; this module brings it the
facts and acts on its choice, for one task (one image, one region):

- the candidates come from the journal: regions whose task for the image
  is done (relays) or running (receiving while it holds its *receiving*
  lock, i.e. while its copy is under way; otherwise a relay like the
  others, if its copy passes the check);
- a relay is checked with one targeted read of its region before use:
  an active copy with the master's size, md5, ``os_hash_algo`` and
  ``os_hash_value``, recorded as made from the master image (or holding
  its id, ``match_by = id``);
- copy slots are coordinator locks ``relay-slot:<source>:<image>:<k>``,
  ``copies_per_source`` per source and image, shared by every daemon of
  the coordination backend (process-local without one: the same bound
  for a single daemon); the choice itself is made under the lock
  ``relay-choice:<image>`` so that two tasks deciding at once see each
  other;
- a task that must wait ends with :attr:`~glance_sync.daemon.runner.
  Kind.WAIT` and a note (``waiting for a copy slot of RegionTwo (busy)
  since ...``) that carries the start of the wait across runs and
  daemons, so that ``relay_wait`` holds;
- the copy goes through :class:`RelayCopy.copier`: from the master
  through the shared gathering copier (regions copying from the master at
  the same time still share one read), from a relay through the
  strategy's :meth:`~glance_sync.transfer.base.TransferStrategy.
  copy_from`; a failed relay copy is removed and the next source tried,
  the master last.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import time
from collections.abc import Callable, Iterator

from glance_sync import coordination
from glance_sync.daemon import waits
from glance_sync.daemon.context import SyncContext
from glance_sync.db import data_models as dm
from glance_sync.db.repositories import Journal
from glance_sync.images import Image
from glance_sync.regions.base import (CopyFailed, ImageQuery, Region,
                                      RegionError, split_name)
from glance_sync.rules.metadata import SOURCE_PROPERTY
from glance_sync.transfer import relays
from glance_sync.transfer.base import TransferOptions
from glance_sync.transfer.gathering import GatheringCopier
from glance_sync.transfer.metering import CopyMeter
from glance_sync.transfer.targets import Copier, RecordLike

__all__ = ['WAIT_POLL', 'RelayCopy', 'Relays', 'Waiting', 'is_relay_copy',
           'wait_message', 'waiting_since']

LOG = logging.getLogger(__name__)

#: Seconds between two runs of a copy waiting for a source.
WAIT_POLL = 3.0
#: Seconds a task waits for another task's choice of source.
CHOICE_TIMEOUT = 30.0

_WAIT = waits.WaitNote('waiting for a copy slot of', '%s (%s)')
_WHY = {relays.Availability.BUSY: 'busy',
        relays.Availability.RECEIVING: 'still receiving the image'}


def wait_message(source: str, why: str, since: datetime.datetime) -> str:
    """The ``last_error`` of a task waiting for a source."""
    return _WAIT.message(source, why, since=since)


def waiting_since(last_error: str | None) -> datetime.datetime | None:
    """When the wait recorded by :func:`wait_message` began, if it is one."""
    return _WAIT.since(last_error)


def is_relay_copy(copy: Image, master: Image) -> bool:
    """Whether ``copy`` may be the source of other copies of ``master``:
    active, the master's fingerprints, and made from it."""
    made_from = (copy.user_properties.get(SOURCE_PROPERTY) == master.id
                 or copy.id == master.id)
    return (made_from and copy.status == 'active'
            and (copy.size, copy.checksum, copy.os_hash_algo,
                 copy.os_hash_value)
            == (master.size, master.checksum, master.os_hash_algo,
                master.os_hash_value))


def _slot(source: str, image_id: str) -> str:
    return 'relay-slot:%s:%s' % (source, image_id)


def _receiving(image_id: str, region: str) -> str:
    return 'relay-receiving:%s:%s' % (image_id, region)


@dataclasses.dataclass(frozen=True)
class Waiting:
    """A task that waits for a source: what the worker records."""

    #: For the log.
    detail: str
    #: The task's ``last_error`` until its next run.
    note: str
    #: Seconds until the next run.
    retry_in: float


@dataclasses.dataclass
class _Reading:
    """A source being read, its copy slot held."""

    source: relays.Source
    region: Region
    image_id: str
    slot: coordination.Held


class RelayCopy:
    """One task's copy with relays: its source, the fallbacks, the locks.

    Use it as a context manager: its slot and receiving lock are released
    at the end. Not thread-safe (one task, one thread).
    """

    def __init__(self, relays_: Relays, context: SyncContext,
                 master_image: Image, region: str,
                 ranked: list[relays.Source]) -> None:
        self._relays = relays_
        self._context = context
        self.master_image = master_image
        self.region = region
        self.ranked = ranked
        self.reading: _Reading | None = None
        self._receiving: coordination.Held | None = None
        #: The source the copy came from, once done.
        self.used: relays.Source | None = None

    def __enter__(self) -> RelayCopy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the slot and the receiving lock."""
        if self.reading is not None:
            self.reading.slot.release()
            self.reading = None
        if self._receiving is not None:
            self._receiving.release()
            self._receiving = None

    def choose(self, waited_out: bool) -> relays.Choice:
        """Choose the source (its slot taken) among :attr:`ranked`."""
        choice = relays.choose(self.ranked, self._availability,
                               waited_out=waited_out)
        if choice.source is not None and self._receiving is None:
            self._receiving = self._relays.coordinator.try_hold(
                _receiving(self.master_image.id, self.region))
        return choice

    def _availability(self, source: relays.Source) -> relays.Availability:
        coordinator = self._relays.coordinator
        if source.receiving and coordinator.is_held(
                _receiving(self.master_image.id, source.region)):
            return relays.Availability.RECEIVING
        # A running task not copying has not started its copy, or has
        # just finished it (its end is not recorded yet): a relay if its
        # copy passes the check.
        if source.master:
            region, image_id = self._context.cloud.master(), \
                self.master_image.id
        else:
            found = self._relay_copy(source.region)
            if found is None:
                return relays.Availability.UNUSABLE
            region, image_id = found
        slot = coordinator.take_slot(_slot(source.region,
                                           self.master_image.id),
                                     self._relays.options(
                                         self._context).copies_per_source)
        if slot is None:
            return relays.Availability.BUSY
        self.reading = _Reading(source, region, image_id, slot)
        return relays.Availability.FREE

    def _relay_copy(self, name: str) -> tuple[Region, str] | None:
        """The relay's checked copy (one targeted read), or ``None``."""
        master = self.master_image
        try:
            region = self._context.cloud.region(name)
            found = region.find_images(ImageQuery(
                ids=frozenset([master.id]), sources=frozenset([master.id]),
                source_property=SOURCE_PROPERTY))
        except RegionError as exc:
            LOG.warning('Region %s is not a relay of image %s: %s', name,
                        master.id, exc)
            return None
        for copy in found:
            if is_relay_copy(copy, master):
                return region, copy.id
        LOG.info('Region %s holds no verified copy of image %s: not a '
                 'relay', name, master.id)
        return None

    def copier(self, inner: GatheringCopier,
               meter: CopyMeter | None = None) -> Copier:
        """The engine's copier for this task: the master image from the
        chosen source (falling back), anything else (a kernel, a
        ramdisk) through ``inner``; ``meter`` counts and times them."""

        def copy(master_region: Region, master_image: Image, region: Region,
                 record: RecordLike) -> Image:
            if master_image.id != self.master_image.id:
                return inner(master_region, master_image, region, record,
                             meter=meter)
            return self._copy(inner, master_region, master_image, region,
                              record, meter)
        return copy

    def _copy(self, inner: GatheringCopier, master_region: Region,
              master_image: Image, region: Region,
              record: RecordLike, meter: CopyMeter | None) -> Image:
        while True:
            reading = self.reading
            if reading is None:
                raise CopyFailed(region.name, image=self.master_image.id,
                                 reason='no source to copy from')
            try:
                new = self._read(inner, reading, master_region,
                                 master_image, region, record, meter)
            except CopyFailed as exc:
                if reading.source.master:
                    raise
                LOG.warning('Copy of image %s to %s from %s failed (%s); '
                            'trying the next source', self.master_image.id,
                            region.name, reading.source.describe(), exc)
                if not self._fall_back():
                    raise
                continue
            self.used = reading.source
            return new

    def _read(self, inner: GatheringCopier, reading: _Reading,
              master_region: Region, master_image: Image, region: Region,
              record: RecordLike, meter: CopyMeter | None) -> Image:
        LOG.info('Copying image %s to %s from %s', master_image.id,
                 region.name, reading.source.describe())
        if reading.source.master:
            return inner(master_region, master_image, region, record,
                         meter=meter)
        # Not in the master's batch: the others must not wait for it.
        inner.passed(region.name, master_image.id)
        strategy = inner.selector.for_target(split_name(region.name)[0])
        # The record and the fingerprints to check are the master's.
        target = inner.prepare(region, master_image, record)
        if meter is None:
            return strategy.copy_from(reading.region, reading.image_id,
                                      master_image, target)
        started, arrived = time.monotonic(), False
        try:
            new = strategy.copy_from(reading.region, reading.image_id,
                                     master_image, meter.metered(target))
            arrived = True
        finally:
            meter.ended(started, arrived)
        return new

    def _fall_back(self) -> bool:
        """Release the failed source, take the next free one (the master
        last), without waiting.

        :returns: whether one was taken.
        """
        failed = self.reading
        assert failed is not None
        failed.slot.release()
        self.reading = None
        after = self.ranked[self.ranked.index(failed.source) + 1:]
        rest = [s for s in after if not s.receiving]
        rest += [s for s in self.ranked if s.master and s not in rest]
        self.ranked = rest
        return self.choose(waited_out=True).source is not None


class Relays:
    """Starts the relay copies of the tasks; thread-safe.

    :param journal: where the other regions' tasks are.
    :param coordinator: the copy slots and receiving locks.
    :param clock: naive UTC now (the journal's clock).
    """

    def __init__(self, journal: Journal,
                 coordinator: coordination.Coordinator,
                 clock: Callable[[], datetime.datetime]) -> None:
        self.journal = journal
        self.coordinator = coordinator
        self._clock = clock

    @staticmethod
    def options(context: SyncContext) -> TransferOptions:
        """The ``[transfer]`` options of the context."""
        return context.transfer_options

    def applies(self, context: SyncContext, region: str) -> bool:
        """Whether a copy to ``region`` may read a relay: ``relay`` is on,
        the region's strategy relays, and it shares no store with the
        master (zero-copy keeps its location path)."""
        options = self.options(context)
        if not options.relay or region in options.sites.shared_stores:
            return False
        strategy = context.copier.selector.for_target(
            split_name(region)[0])
        return strategy.relays

    def start(self, context: SyncContext, task: dm.Task, master: Region,
              image: Image) -> RelayCopy | Waiting:
        """Choose the source of ``task``'s copy of ``image``.

        :returns: the copy (its source's slot held: use it as a context
            manager), or how to wait.
        :raises CoordinationError: the coordination backend failed.
        """
        options = self.options(context)
        now = self._clock()
        since = waiting_since(task.last_error)
        waited = 0.0 if since is None else (now - since).total_seconds()
        with self._choosing(image.id):
            copy = RelayCopy(self, context, image, task.region,
                             self._ranked(context, task, master, options))
            choice = copy.choose(waited_out=waited >= options.relay_wait)
        if choice.source is not None:
            if choice.source.master and since is not None:
                LOG.info('Task %s waited %d s for a relay: reading the '
                         'master', task.id, waited)
            return copy
        copy.close()
        wanted = choice.waiting_for
        name = wanted.region if wanted is not None else master.name
        why = _WHY.get(choice.why or relays.Availability.BUSY, 'busy')
        left = max(options.relay_wait - waited, 0.0)
        return Waiting('waiting for a copy slot of %s (%s)' % (name, why),
                       wait_message(name, why, since or now),
                       min(WAIT_POLL, left) or WAIT_POLL)

    def _ranked(self, context: SyncContext, task: dm.Task, master: Region,
                options: TransferOptions) -> list[relays.Source]:
        known = set(context.topology().selector.regions)
        tasks = [t for t in self.journal.list_tasks(image_id=task.image_id)
                 if t.region in known and t.region != task.region]
        return relays.rank(
            task.region, master.name,
            done=[t.region for t in tasks if t.state is dm.TaskState.DONE],
            receiving=[t.region for t in tasks
                       if t.state is dm.TaskState.RUNNING],
            topology=options.sites)

    def _choosing(self, image_id: str) -> _Choosing:
        return _Choosing(self.coordinator, 'relay-choice:%s' % image_id)


class _Choosing:
    """The lock under which one task at a time chooses a source for an
    image; given up after :data:`CHOICE_TIMEOUT` (the choice is then
    made without it: at worst two copies read the same costlier
    source)."""

    def __init__(self, coordinator: coordination.Coordinator,
                 name: str) -> None:
        self._coordinator = coordinator
        self._name = name
        self._held: coordination.Held | None = None

    def __enter__(self) -> None:
        for _ in self._tries():
            self._held = self._coordinator.try_hold(self._name)
            if self._held is not None:
                return
        LOG.warning('Lock %s not taken in %d s: choosing without it',
                    self._name, CHOICE_TIMEOUT)

    def _tries(self) -> Iterator[None]:
        deadline = time.monotonic() + CHOICE_TIMEOUT
        yield
        while time.monotonic() < deadline:
            time.sleep(0.05)
            yield

    def __exit__(self, *exc: object) -> None:
        if self._held is not None:
            self._held.release()
