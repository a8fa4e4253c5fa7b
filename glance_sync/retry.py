"""Exponential backoff: the one way glance-sync retries.

Two uses share the same doubling ceiling (:func:`ceiling`):

- a failed sync task runs again later (:class:`RetryPolicy`), after a wait
  with full jitter;
- a call to a region that is briefly unavailable is made again at once,
  in the same thread (:func:`with_backoff`: the engine's metadata calls,
  the removal of a failed copy), after waits that simply double.

Retry ``n`` (1 for the first retry) waits a uniformly random time between
0 and ``min(maximum, base * 2 ** (n - 1))`` seconds: the "full jitter" of
the AWS Architecture Blog's *Exponential Backoff And Jitter*. Jitter spreads
the retries of many tasks that failed together (a region that went down)
instead of sending them back all at once.

Everything here is pure: the random source and the sleep are parameters.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ['RetryPolicy', 'ceiling', 'full_jitter', 'with_backoff']

#: Past this many doublings the ceiling is ``maximum`` anyway; stopping
#: there keeps the arithmetic finite for any attempt number.
_MAX_DOUBLINGS = 62

Random = Callable[[], float]
_T = TypeVar('_T')


def ceiling(attempt: int, base: float, maximum: float) -> float:
    """The longest wait before retry ``attempt``.

    :param attempt: 1 for the first retry, 2 for the second…
    :param base: the first retry's ceiling, in seconds.
    :param maximum: the cap, in seconds.
    :returns: ``min(maximum, base * 2 ** (attempt - 1))``.
    :raises ValueError: ``attempt`` is below 1 or a duration is negative.
    """
    if attempt < 1:
        raise ValueError('retry attempt must be 1 or more, not %r' % attempt)
    if base < 0 or maximum < 0:
        raise ValueError('backoff durations must not be negative: base %r, '
                         'maximum %r' % (base, maximum))
    return min(maximum, base * (1 << min(attempt - 1, _MAX_DOUBLINGS)))


def full_jitter(attempt: int, base: float, maximum: float,
                rand: Random = random.random) -> float:
    """A random wait in ``[0, ceiling(attempt, base, maximum))``.

    :param rand: returns a float in ``[0, 1)``; tests pass their own.
    """
    return ceiling(attempt, base, maximum) * rand()


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before running a failed task again.

    ``retry_times`` retries are allowed after the first run, so a task runs
    at most ``retry_times + 1`` times.
    """

    retry_times: int = 5
    base: float = 2.0
    maximum: float = 300.0

    @classmethod
    def from_conf(cls, conf: Any) -> RetryPolicy:
        """From ``task_retry_times``, ``retry_backoff``, ``retry_backoff_max``.

        :param conf: a configuration with :mod:`glance_sync.conf.executor`'s
            options registered.
        """
        return cls(conf.task_retry_times, conf.retry_backoff,
                   conf.retry_backoff_max)

    def should_retry(self, runs: int) -> bool:
        """Whether a task that failed on its ``runs``-th run gets another.

        :param runs: runs so far, the failed one included (the journal's
            ``attempts``).
        """
        return runs <= self.retry_times

    def delay(self, runs: int, rand: Random = random.random) -> float:
        """Seconds to wait after the ``runs``-th run failed."""
        return full_jitter(runs, self.base, self.maximum, rand)


def with_backoff(call: Callable[[], _T], *, retries: int, first_wait: float,
                 retry_on: type[Exception] | tuple[type[Exception], ...],
                 sleep: Callable[[float], None],
                 on_retry: Callable[[Exception, float], None] | None = None
                 ) -> _T:
    """Call ``call`` until it returns, retrying the failures ``retry_on``.

    Retry ``n`` comes after ``ceiling(n, first_wait, inf)`` seconds: no
    jitter, the caller is one thread waiting for one region.

    :param retries: how many times to call again; the failure of the last
        call propagates.
    :param first_wait: seconds before the first retry, doubled each time.
    :param sleep: how to wait (tests pass a fake).
    :param on_retry: told each failure and the wait before its retry.
    :returns: what ``call`` returned.
    :raises Exception: the last failure, or any failure not in
        ``retry_on`` at once.
    """
    for attempt in range(1, max(retries, 0) + 1):
        try:
            return call()
        except retry_on as exc:
            wait = ceiling(attempt, first_wait, float('inf'))
            if on_retry is not None:
                on_retry(exc, wait)
            sleep(wait)
    return call()

