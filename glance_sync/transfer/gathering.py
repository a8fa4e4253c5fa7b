"""Transfer strategies behind the engine's copier interface.

The engine (:func:`glance_sync.engine.apply_plan`) applies one region's
plan and asks its *copier* for one copy at a time:
``copier(master_region, master_image, region, record) -> Image``. Two
copiers put the configured strategies there:

- :func:`strategy_copier`: each copy through its target's strategy, one
  region per call;
- :class:`GatheringCopier`: when several regions are synchronised at the same
  time (each in its own thread), the copies of one master image that these
  regions ask for are gathered into one
  :meth:`~glance_sync.transfer.base.TransferStrategy.transfer`, so the
  image is read once for all of them::

      copier = GatheringCopier(StrategySelector(conf))
      copier.announce(names)            # the regions about to start

      def sync(region):                 # one thread per region
          with copier.region(region.name):
              plan = plan_region(...)
              copier.plan(region.name, [u.master.id for u in plan.uploads])
              engine.apply_plan(plan, region, master_region=master,
                                copier=copier)

  A region waits at each image until every region that may still copy it
  has arrived: those announced or running whose plan is not known yet, and
  those whose plan holds it (regions apply their uploads in the same
  order, smallest image first). It waits at most ``gather_window`` seconds
  after the first arrival (``[transfer] gather_window``). A region that
  leaves :meth:`GatheringCopier.region` (done, or stopped by a failure) is no
  longer waited for.

  The daemon runs one task per (image, region) instead; a running task
  declares itself with :meth:`GatheringCopier.task`, and the copies of that
  image wait for each other the same way. Only running tasks are waited
  for, never queued ones, so a full worker pool cannot make a copy wait
  for a task that has no thread to run in. A task passes its own
  :class:`~glance_sync.transfer.metering.CopyMeter` to each copy
  (``functools.partial(copier, meter=meter)`` is a copier too): the bytes
  and seconds of its copies, for its record.

Records: the engine's record (an ``ImageRecord``: name, visibility,
properties, formats, ``min_disk``, ``min_ram``) becomes the copy's template;
a ``prepare`` callable may build the :class:`~glance_sync.transfer.targets.
Target` instead (to create the record with a given id, say).
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any

from glance_sync.regions import base
from glance_sync.transfer.base import TransferOptions, TransferStrategy
from glance_sync.transfer.metering import CopyMeter
from glance_sync.transfer.targets import (Copier, RecordLike, Results,
                                          Target)
from glance_sync.transfer.loader import StrategySelector

__all__ = ['GatheringCopier', 'Prepare', 'strategy_copier', 'target_of']


#: ``prepare(region, master_image, record) -> Target``.
Prepare = Callable[[base.Region, base.Image, RecordLike], Target]


def target_of(region: base.Region, master_image: base.Image,
              record: RecordLike) -> Target:
    """The target for an engine record: the master image's record with
    the record's name, visibility, properties, formats, minimums and
    owner (``None``: the region's)."""
    template = master_image.copy(
        name=record.name, visibility=record.visibility,
        owner=record.owner,
        user_properties=dict(record.properties),
        disk_format=record.disk_format,
        container_format=record.container_format,
        min_disk=record.min_disk, min_ram=record.min_ram)
    return Target(region, template)


def _strategy_of(selector: StrategySelector,
                 region: base.Region) -> TransferStrategy:
    return selector.for_target(base.split_name(region.name)[0])


def strategy_copier(selector: StrategySelector,
                    prepare: Prepare = target_of) -> Copier:
    """A copier that copies through each region's configured strategy.

    :param selector: the strategies of the targets.
    :param prepare: builds the target from the engine's record.
    :returns: the copier; it raises ``CopyFailed`` for a failed copy
        (already removed).
    """
    def copy(master_region: base.Region, master_image: base.Image,
             region: base.Region, record: Any) -> base.Image:
        strategy = _strategy_of(selector, region)
        return strategy.copy(master_region, master_image,
                             prepare(region, master_image, record))
    return copy


@dataclasses.dataclass(eq=False)
class _Participant:
    """A region (or a daemon task) that may copy images soon."""

    region: str
    #: The master images it has still to copy, in order; ``None``: not
    #: known yet, maybe any.
    planned: list[str] | None


@dataclasses.dataclass(eq=False)
class _Batch:
    """The copies of one image gathered for one transfer."""

    image_id: str
    deadline: float
    targets: list[Target] = dataclasses.field(default_factory=list)
    launched: bool = False
    #: ``time.monotonic()`` when it was launched.
    started: float = 0.0
    results: Results | None = None


class GatheringCopier:
    """Gathers the regions' copies of an image into one transfer.

    Thread-safe: made to be called by one thread per region.
    """

    def __init__(self, selector: StrategySelector, *,
                 gather_window: float | None = None,
                 prepare: Prepare = target_of,
                 arrival_grace: float = 0.0) -> None:
        """:param selector: the strategies of the targets.
        :param gather_window: seconds an image waits for the regions
            expected to copy it, from the first one's arrival; default:
            ``[transfer] gather_window``.
        :param prepare: builds each target from the engine's record.
        :param arrival_grace: seconds the first copy of an image waits
            before it starts, for the tasks of the same image claimed with
            it but not running yet (the daemon's; within the window).
        """
        self.selector = selector
        self.arrival_grace = arrival_grace
        self.gather_window = (
            TransferOptions.from_conf(selector.conf).gather_window
            if gather_window is None else gather_window)
        self.prepare = prepare
        #: Who may still arrive: a region's name, or a task's own key.
        self._expected: dict[Hashable, _Participant] = {}
        self._open: dict[tuple[str, int], _Batch] = {}
        self._cond = threading.Condition()

    def announce(self, names: Sequence[str]) -> None:
        """Declare regions about to start: images wait for them (within
        the window) until they say what they will copy, or leave."""
        with self._cond:
            for name in names:
                self._expected.setdefault(name, _Participant(name, None))

    def plan(self, name: str, image_ids: Sequence[str]) -> None:
        """Say which master images a region will copy, in order."""
        with self._cond:
            self._expected[name] = _Participant(name, list(image_ids))
            self._cond.notify_all()

    @contextlib.contextmanager
    def region(self, name: str,
               image_ids: Sequence[str] | None = None) -> Iterator[None]:
        """A region being synchronised, for the duration of the block; it
        is no longer waited for once the block ends (normally or not).

        :param image_ids: the master images it will copy, in order, if
            known already (else call :meth:`plan`).
        """
        planned = None if image_ids is None else list(image_ids)
        with self._taking_part(name, _Participant(name, planned)):
            yield

    def passed(self, region: str, image_id: str) -> None:
        """Say that a region will not copy an image it planned (it found
        a copy made meanwhile): the others stop waiting for it."""
        with self._cond:
            self._passed(region, image_id)
            self._cond.notify_all()

    @contextlib.contextmanager
    def task(self, image_id: str, region: str) -> Iterator[None]:
        """A daemon task about to copy ``image_id`` to ``region``, for the
        duration of the block; other regions' copies of the image wait
        for it (within the window) until it arrives or leaves. Several
        tasks of one region may take part at the same time."""
        with self._taking_part(object(), _Participant(region, [image_id])):
            yield

    @contextlib.contextmanager
    def _taking_part(self, key: Hashable,
                     participant: _Participant) -> Iterator[None]:
        with self._cond:
            self._expected[key] = participant
        try:
            yield
        finally:
            with self._cond:
                self._expected.pop(key, None)
                self._cond.notify_all()

    def __call__(self, master_region: base.Region, master_image: base.Image,
                 region: base.Region, record: Any, *,
                 meter: CopyMeter | None = None) -> base.Image:
        """Copy ``master_image`` to ``region``, with the regions that want
        it at the same time.

        :param meter: counts this copy's bytes and times it (from the
            transfer's start, not from the wait for the others); its
            clock must be ``time.monotonic``, its default.
        :returns: the copy, ``active``.
        :raises CopyFailed: this region's copy failed (and was removed).
        """
        strategy = _strategy_of(self.selector, region)
        target = self.prepare(region, master_image, record)
        if meter is not None:
            target = meter.metered(target)
        batch, leader = self._join(master_image.id, id(strategy), target)
        if leader:
            self._launch(batch, strategy, master_region, master_image)
        with self._cond:
            while batch.results is None:
                self._cond.wait()
        outcome = batch.results[region.name]
        if meter is not None:
            meter.ended(batch.started, isinstance(outcome, base.Image))
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _join(self, image_id: str, strategy: int,
              target: Target) -> tuple[_Batch, bool]:
        """Join (or open) the image's batch and wait until it can start.

        :returns: the batch, and whether this thread starts it.
        """
        key = (image_id, strategy)
        with self._cond:
            self._passed(target.region.name, image_id)
            batch = self._open.get(key)
            if batch is not None and any(t.region.name == target.region.name
                                         for t in batch.targets):
                # A second copy to one region (two tasks, two names): a
                # transfer takes each region once, so it goes alone.
                return _Batch(image_id, 0.0, [target], launched=True,
                              started=time.monotonic()), True
            if batch is None:
                batch = _Batch(image_id, time.monotonic() + self.gather_window)
                self._open[key] = batch
            batch.targets.append(target)
            self._cond.notify_all()
            grace_until = (time.monotonic()
                           + min(self.arrival_grace, self.gather_window))
            while not batch.launched:
                now = time.monotonic()
                left = batch.deadline - now
                if left <= 0 or (now >= grace_until
                                 and self._everyone_in(batch)):
                    batch.launched = True
                    batch.started = time.monotonic()
                    del self._open[key]
                    return batch, True
                self._cond.wait(left if now >= grace_until
                                else min(left, grace_until - now))
            return batch, False

    def _passed(self, region: str, image_id: str) -> None:
        """Arriving at an image: the region no longer plans the images
        before it in its list, nor this one."""
        for participant in self._expected.values():
            planned = participant.planned
            if (participant.region == region and planned
                    and image_id in planned):
                del planned[:planned.index(image_id) + 1]

    def _everyone_in(self, batch: _Batch) -> bool:
        arrived = {t.region.name for t in batch.targets}
        return not any(p.planned is None or batch.image_id in p.planned
                       for p in self._expected.values()
                       if p.region not in arrived)

    def _launch(self, batch: _Batch, strategy: TransferStrategy,
                master_region: base.Region, master_image: base.Image) -> None:
        results: Results | None = None
        try:
            results = strategy.transfer(master_region, master_image,
                                        batch.targets)
        except Exception as exc:
            results = {t.region.name: _failed(t, master_image, exc)
                       for t in batch.targets}
        finally:
            if results is None:
                # Interrupted (a signal, a killed green thread): the other
                # regions of the batch must not wait for it for ever.
                stopped = RuntimeError('the transfer was interrupted')
                results = {t.region.name: _failed(t, master_image, stopped)
                           for t in batch.targets}
            with self._cond:
                batch.results = results
                self._cond.notify_all()


def _failed(target: Target, master_image: base.Image,
            exc: Exception) -> base.CopyFailed:
    error = base.CopyFailed(target.region.name, image=master_image.id,
                            reason='the transfer failed: %s' % exc)
    error.__cause__ = exc
    return error
