"""Locks that serialise the work on one (image, region) pair.

With ``[coordination] backend_url`` set, the locks are tooz locks shared by
every daemon using that backend (Redis, etcd, ZooKeeper, a database…);
unset, they are local to the process, which is all a single daemon needs::

    coordinator = coordination.Coordinator.from_conf(conf)
    coordinator.start()
    with coordinator.lock(task.image_id, task.region):
        ...                                  # nobody else works on this pair
    coordinator.stop()

Thread-safe: one coordinator serves every worker of the daemon. The lock is
not reentrant: a worker must not take the same pair twice.

Relay copies also need locks that outlive a ``with`` block and are only
tried, never waited for: :meth:`Coordinator.try_hold` takes one named lock
if it is free, :meth:`Coordinator.take_slot` one of ``count`` slots of a
resource (``count`` holders at most, in every daemon together)::

    held = coordinator.take_slot('relay-slot:RegionTwo:<image id>', 2)
    if held is not None:
        try:
            ...                              # one of at most 2 users
        finally:
            held.release()
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from oslo_config import cfg
from tooz import coordination as tooz_coordination

from glance_sync.conf import coordination as coordination_conf

__all__ = ['CoordinationError', 'Coordinator', 'Held', 'LockNotAcquired',
           'lock_name']

LOG = logging.getLogger(__name__)


class CoordinationError(Exception):
    """The coordination backend failed."""


class LockNotAcquired(CoordinationError):
    """The pair's lock was held by someone else for longer than allowed."""

    def __init__(self, image_id: str, region: str) -> None:
        super().__init__('image %s in region %s is locked by another worker'
                         % (image_id, region))
        self.image_id = image_id
        self.region = region


def lock_name(image_id: str, region: str) -> str:
    """The name of the lock of (image, region), the same for every daemon."""
    return 'glance-sync.image.%s.region.%s' % (image_id, region)


def default_member_id() -> str:
    """A member id unique to this process: host, pid and a random part."""
    return '%s-%d-%s' % (socket.gethostname(), os.getpid(),
                         uuid.uuid4().hex[:8])


class _LocalLocks:
    """Named locks of one process; a name's lock lives while in use."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[Any, int]] = {}
        #: Names taken by :meth:`try_take`, until released.
        self._taken: set[str] = set()

    def try_take(self, name: str) -> bool:
        """Take ``name`` if nobody holds it (neither a :meth:`hold` nor
        another :meth:`try_take`); never waits."""
        with self._guard:
            if name in self._taken or name in self._locks:
                return False
            self._taken.add(name)
            return True

    def give_back(self, name: str) -> None:
        """Release what :meth:`try_take` took."""
        with self._guard:
            self._taken.discard(name)

    @contextlib.contextmanager
    def hold(self, name: str, timeout: float) -> Iterator[bool]:
        # Names taken by try_take are never held this way: the two kinds
        # of lock use different names.
        with self._guard:
            lock, users = self._locks.get(name, (None, 0))
            lock = lock or threading.Lock()
            self._locks[name] = (lock, users + 1)
        acquired = lock.acquire(timeout=timeout)
        try:
            yield acquired
        finally:
            if acquired:
                lock.release()
            with self._guard:
                lock, users = self._locks[name]
                if users == 1:
                    del self._locks[name]
                else:
                    self._locks[name] = (lock, users - 1)


class Held:
    """A named lock taken by :meth:`Coordinator.try_hold`; release it
    once (releasing twice does nothing)."""

    def __init__(self, name: str, release: Callable[[], None]) -> None:
        self.name = name
        self._release: Callable[[], None] | None = release

    def release(self) -> None:
        """Let the lock go."""
        release, self._release = self._release, None
        if release is not None:
            release()


class Coordinator:
    """Pair locks through tooz, or local ones without a backend.

    :param backend_url: a tooz URL; None for process-local locks.
    :param member_id: this daemon's id in the backend (default: host, pid
        and a random part).
    """

    def __init__(self, backend_url: str | None,
                 member_id: str | None = None) -> None:
        self.backend_url = backend_url
        self.member_id = member_id or default_member_id()
        self._local = _LocalLocks()
        self._tooz: Any = None

    @classmethod
    def from_conf(cls, conf: cfg.ConfigOpts,
                  member_id: str | None = None) -> Coordinator:
        """A coordinator for ``[coordination] backend_url``."""
        coordination_conf.register_opts(conf)
        return cls(conf.coordination.backend_url, member_id)

    @property
    def distributed(self) -> bool:
        """True when locks are shared with other processes."""
        return self.backend_url is not None

    def start(self) -> None:
        """Connect to the backend and start its heartbeat. Idempotent.

        :raises CoordinationError: the backend cannot be reached.
        """
        if self.backend_url is None or self._tooz is not None:
            return
        try:
            coordinator = tooz_coordination.get_coordinator(
                self.backend_url, self.member_id.encode())
            coordinator.start(start_heart=True)
        except tooz_coordination.ToozError as exc:
            raise CoordinationError('cannot start coordination as %s: %s'
                                    % (self.member_id, exc)) from exc
        self._tooz = coordinator
        LOG.info('Coordinating through the tooz backend as %s',
                 self.member_id)

    def stop(self) -> None:
        """Leave the backend; the locks still held expire there. Idempotent."""
        coordinator, self._tooz = self._tooz, None
        if coordinator is not None:
            try:
                coordinator.stop()
            except tooz_coordination.ToozError as exc:
                LOG.warning('Stopping coordination as %s failed: %s',
                            self.member_id, exc)

    @contextlib.contextmanager
    def lock(self, image_id: str, region: str,
             timeout: float | None = None) -> Iterator[None]:
        """Hold the lock of (image, region) for the ``with`` block.

        :param timeout: seconds to wait for it; None waits as long as it
            takes, 0 does not wait.
        :raises LockNotAcquired: the lock was not free in time.
        :raises CoordinationError: the backend failed, or :meth:`start`
            was not called on a distributed coordinator.
        """
        name = lock_name(image_id, region)
        if not self.distributed:
            with self._local.hold(name, -1 if timeout is None
                                  else timeout) as acquired:
                if not acquired:
                    raise LockNotAcquired(image_id, region)
                yield
            return
        with self._tooz_lock(name, image_id, region, timeout):
            yield

    def try_hold(self, name: str) -> Held | None:
        """Take the lock ``name`` if it is free, without waiting; it stays
        held (in every daemon of the backend) until released.

        :returns: the held lock, or ``None`` when someone holds it.
        :raises CoordinationError: the backend failed, or :meth:`start`
            was not called on a distributed coordinator.
        """
        full = 'glance-sync.%s' % name
        if not self.distributed:
            if not self._local.try_take(full):
                return None
            return Held(name, lambda: self._local.give_back(full))
        if self._tooz is None:
            raise CoordinationError('lock %s asked before '
                                    'Coordinator.start()' % name)
        lock = self._tooz.get_lock(full.encode())
        try:
            acquired = lock.acquire(blocking=False)
        except tooz_coordination.ToozError as exc:
            raise CoordinationError('cannot take lock %s: %s'
                                    % (name, exc)) from exc
        if not acquired:
            return None
        return Held(name, lambda: self._release_named(lock, name))

    def take_slot(self, resource: str, count: int) -> Held | None:
        """Take one of the ``count`` slots of ``resource`` (the locks
        ``<resource>:0`` to ``<resource>:<count - 1>``), without waiting.

        :returns: the held slot, or ``None`` when all are taken.
        :raises CoordinationError: as :meth:`try_hold`.
        """
        for index in range(max(count, 1)):
            held = self.try_hold('%s:%d' % (resource, index))
            if held is not None:
                return held
        return None

    def is_held(self, name: str) -> bool:
        """Whether someone holds the lock ``name`` (taken and released at
        once to find out).

        :raises CoordinationError: as :meth:`try_hold`.
        """
        held = self.try_hold(name)
        if held is None:
            return True
        held.release()
        return False

    def _release_named(self, lock: Any, name: str) -> None:
        try:
            lock.release()
        except tooz_coordination.ToozError as exc:
            LOG.warning('Releasing the lock %s failed (it will expire): %s',
                        name, exc)

    @contextlib.contextmanager
    def _tooz_lock(self, name: str, image_id: str, region: str,
                   timeout: float | None) -> Iterator[None]:
        if self._tooz is None:
            raise CoordinationError('lock of image %s in region %s asked '
                                    'before Coordinator.start()'
                                    % (image_id, region))
        lock = self._tooz.get_lock(name.encode())
        blocking: bool | float = True if timeout is None else timeout
        try:
            acquired = lock.acquire(blocking=blocking or False)
        except tooz_coordination.ToozError as exc:
            raise CoordinationError('cannot lock image %s in region %s: %s'
                                    % (image_id, region, exc)) from exc
        if not acquired:
            raise LockNotAcquired(image_id, region)
        try:
            yield
        finally:
            self._release(lock, image_id, region)

    def _release(self, lock: Any, image_id: str, region: str) -> None:
        try:
            lock.release()
        except tooz_coordination.ToozError as exc:
            LOG.warning('Releasing the lock of image %s in region %s failed '
                        '(it will expire): %s', image_id, region, exc)
