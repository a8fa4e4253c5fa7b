"""Where sync tasks run: one small interface over futurist pools.

``executor = threads`` (the default) runs tasks in a futurist
``ThreadPoolExecutor``; ``executor = eventlet`` runs them in a futurist
``GreenThreadPoolExecutor``. :class:`KeyedExecutor` adds a per-region limit
on top of either. The daemon does, at start-up::

    executor.monkey_patch_if_needed(conf)  # first; patches only for eventlet
    pool = executor.create_region_executor(conf)
    future = pool.submit(task.region, run_task, task)
    ...
    pool.shutdown(wait=True, timeout=drain_timeout)

This is the only module of glance-sync that imports eventlet, and it does so
only in :func:`monkey_patch_if_needed` and :class:`GreenExecutor`. (futurist
itself imports eventlet when it is installed; importing patches nothing.)
Locks here are looked up in :mod:`threading` when they are created, so that
after monkey-patching they are green ones.
"""

from __future__ import annotations

import abc
import collections
import sys
import threading
import time
from collections.abc import Callable
from concurrent import futures
from typing import Any

import futurist
from futurist import waiters
from oslo_config import cfg

from glance_sync.conf import executor as executor_conf

__all__ = ['Executor', 'ExecutorError', 'GreenExecutor', 'KeyedExecutor',
           'ThreadExecutor', 'create_executor', 'create_region_executor',
           'monkey_patch_if_needed']

_Item = tuple[futures.Future[Any], Callable[..., Any], tuple[Any, ...],
              dict[str, Any]]


class ExecutorError(Exception):
    """The executor cannot take or run the work asked for."""


def monkey_patch_if_needed(conf: cfg.ConfigOpts) -> bool:
    """Monkey-patch the standard library when ``executor = eventlet``.

    Call it once, first thing at start-up, before any thread or socket
    exists. With the default ``threads`` executor it does nothing.

    :returns: whether the process is now monkey-patched.
    """
    executor_conf.register_opts(conf)
    if conf.executor != 'eventlet':
        return False
    # The one import of eventlet in glance-sync (with GreenExecutor's).
    import eventlet
    eventlet.monkey_patch()
    _green_socketserver()
    return True


def _green_socketserver() -> None:
    """Give an already imported ``socketserver`` the green selector.

    socketserver picks its selector class when it is imported, and
    oslo.log (``logging.config``) imports it before the daemon can patch:
    a server's ``serve_forever()`` (the metrics endpoint's) would then wait
    in a real ``poll()`` that blocks every green thread.
    """
    module = sys.modules.get('socketserver')
    if module is not None:
        import selectors  # the green module, now that it is patched
        module._ServerSelector = selectors.SelectSelector  # type: ignore


class Executor(abc.ABC):
    """Runs callables concurrently on at most :attr:`max_workers` workers.

    Thread-safe: :meth:`submit` and :meth:`shutdown` may be called from any
    thread (green thread, in eventlet mode).
    """

    @property
    @abc.abstractmethod
    def max_workers(self) -> int:
        """How many callables run at the same time at most."""

    @abc.abstractmethod
    def submit(self, fn: Callable[..., Any], /, *args: Any,
               **kwargs: Any) -> futures.Future[Any]:
        """Schedule ``fn(*args, **kwargs)``; never blocks.

        :returns: a future with ``fn``'s result or exception.
        :raises ExecutorError: the executor was shut down.
        """

    @abc.abstractmethod
    def shutdown(self, wait: bool = True,
                 timeout: float | None = None) -> bool:
        """Stop taking work and let the work taken finish.

        With ``wait``, block until every submitted callable has finished
        or ``timeout`` seconds have passed. Then callables that have not
        started are cancelled; running ones are left to finish in the
        background (the interpreter waits for them at exit: a process that
        must stop at once should leave with ``os._exit``). Idempotent.

        :returns: True when every submitted callable ran to completion.
        """


class _FuturistExecutor(Executor):
    """:class:`Executor` over a futurist pool; tracks unfinished futures."""

    def __init__(self, pool: futurist.ThreadPoolExecutor |
                 futurist.GreenThreadPoolExecutor, max_workers: int) -> None:
        self._pool = pool
        self._max_workers = max_workers
        self._lock = threading.Lock()
        self._unfinished: set[futures.Future[Any]] = set()
        self._closed = False

    @property
    def max_workers(self) -> int:
        return self._max_workers

    def submit(self, fn: Callable[..., Any], /, *args: Any,
               **kwargs: Any) -> futures.Future[Any]:
        with self._lock:
            if self._closed:
                raise ExecutorError('cannot run %r: the executor is shut '
                                    'down' % (fn,))
            future = self._pool.submit(fn, *args, **kwargs)
            self._unfinished.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: futures.Future[Any]) -> None:
        with self._lock:
            self._unfinished.discard(future)

    def shutdown(self, wait: bool = True,
                 timeout: float | None = None) -> bool:
        with self._lock:
            self._closed = True
            unfinished = list(self._unfinished)
        if wait and unfinished:
            waiters.wait_for_all(unfinished, timeout)
        cancelled = [f for f in unfinished if f.cancel()]
        complete = all(f.done() for f in unfinished) and not cancelled
        # A futurist thread pool drops queued work once told to stop; it
        # was all cancelled above, so nothing is left waiting on it.
        self._pool.shutdown(wait=complete)
        return complete


class ThreadExecutor(_FuturistExecutor):
    """Native threads: a futurist ``ThreadPoolExecutor``."""

    def __init__(self, max_workers: int) -> None:
        super().__init__(futurist.ThreadPoolExecutor(max_workers),
                         max_workers)


class GreenExecutor(_FuturistExecutor):
    """Green threads: a futurist ``GreenThreadPoolExecutor``.

    :raises ExecutorError: the process was not monkey-patched first (see
        :func:`monkey_patch_if_needed`): green threads would then run one
        at a time, each blocking the others on every socket.
    """

    def __init__(self, max_workers: int) -> None:
        from eventlet import patcher
        if not patcher.is_monkey_patched('thread'):
            raise ExecutorError(
                'executor = eventlet needs the process monkey-patched at '
                'start-up: call monkey_patch_if_needed(conf) first')
        super().__init__(futurist.GreenThreadPoolExecutor(max_workers),
                         max_workers)


def create_executor(conf: cfg.ConfigOpts) -> Executor:
    """The executor chosen by ``executor`` with ``max_workers`` workers."""
    executor_conf.register_opts(conf)
    if conf.executor == 'eventlet':
        return GreenExecutor(conf.max_workers)
    return ThreadExecutor(conf.max_workers)


def create_region_executor(conf: cfg.ConfigOpts) -> KeyedExecutor:
    """:func:`create_executor` limited to ``per_region_workers`` per region."""
    return KeyedExecutor(create_executor(conf), conf.per_region_workers)


class KeyedExecutor:
    """At most ``per_key`` callables per key (region) running at once.

    Work over a key's limit waits in a first-in first-out queue of that key
    without holding a worker, so one slow region never starves the others.
    Thread-safe. The futures returned are this class's own: cancelling one
    whose work has not started yet removes it from its queue.
    """

    def __init__(self, executor: Executor, per_key: int) -> None:
        if per_key < 1:
            raise ValueError('per-key limit must be 1 or more, not %r'
                             % per_key)
        self._executor = executor
        self._per_key = per_key
        self._lock = threading.Lock()
        self._running: collections.Counter[str] = collections.Counter()
        self._waiting: dict[str, collections.deque[_Item]] = {}
        self._unfinished: set[futures.Future[Any]] = set()
        self._closed = False

    @property
    def max_workers(self) -> int:
        """The underlying executor's worker count."""
        return self._executor.max_workers

    @property
    def per_key(self) -> int:
        """How many callables of one key may run at once."""
        return self._per_key

    def busy_keys(self) -> set[str]:
        """Keys whose limit is reached: new work for them would wait."""
        with self._lock:
            return {key for key, n in self._running.items()
                    if n >= self._per_key}

    def submit(self, key: str, fn: Callable[..., Any], /, *args: Any,
               **kwargs: Any) -> futures.Future[Any]:
        """Schedule ``fn(*args, **kwargs)`` under ``key``; never blocks.

        :raises ExecutorError: the executor was shut down.
        """
        future: futures.Future[Any] = futurist.Future()
        item: _Item = (future, fn, args, kwargs)
        with self._lock:
            if self._closed:
                raise ExecutorError('cannot run %r for %s: the executor is '
                                    'shut down' % (fn, key))
            self._unfinished.add(future)
            start = self._running[key] < self._per_key
            if start:
                self._running[key] += 1
            else:
                self._waiting.setdefault(key, collections.deque()).append(
                    item)
        future.add_done_callback(self._forget)
        if start and not self._start(key, item):
            self._next(key)
        return future

    def _forget(self, future: futures.Future[Any]) -> None:
        with self._lock:
            self._unfinished.discard(future)

    def _start(self, key: str, item: _Item) -> bool:
        """Hand ``item`` to the executor; False if it is not running."""
        future, fn, args, kwargs = item
        if not future.set_running_or_notify_cancel():
            return False
        try:
            inner = self._executor.submit(fn, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - delivered to the caller
            future.set_exception(exc)
            return False
        inner.add_done_callback(lambda done: self._finished(key, future, done))
        return True

    def _finished(self, key: str, future: futures.Future[Any],
                  inner: futures.Future[Any]) -> None:
        if inner.cancelled():
            future.set_exception(futures.CancelledError(
                'work for %s was cancelled at shutdown' % key))
        elif inner.exception() is not None:
            future.set_exception(inner.exception())
        else:
            future.set_result(inner.result())
        self._next(key)

    def _next(self, key: str) -> None:
        """A slot of ``key`` is free: start its next waiting item, if any."""
        while True:
            with self._lock:
                queue = self._waiting.get(key)
                if not queue:
                    self._waiting.pop(key, None)
                    self._running[key] -= 1
                    if self._running[key] <= 0:
                        del self._running[key]
                    return
                item = queue.popleft()
            if self._start(key, item):
                return

    def shutdown(self, wait: bool = True,
                 timeout: float | None = None) -> bool:
        """As :meth:`Executor.shutdown`, waiting items included."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            self._closed = True
            unfinished = list(self._unfinished)
        if wait and unfinished:
            waiters.wait_for_all(unfinished, timeout)
        cancelled = [f for f in unfinished if f.cancel()]
        remaining = (None if deadline is None
                     else max(0.0, deadline - time.monotonic()))
        complete = self._executor.shutdown(wait, remaining)
        return complete and not cancelled and all(
            f.done() for f in unfinished)
