"""Exponential backoff with full jitter, for retrying sync tasks.

Retry ``n`` (1 for the first retry) waits a uniformly random time between
0 and ``min(maximum, base * 2 ** (n - 1))`` seconds: the "full jitter" of
the AWS Architecture Blog's *Exponential Backoff And Jitter*. Jitter spreads
the retries of many tasks that failed together (a region that went down)
instead of sending them back all at once.

Everything here is pure: the random source is a parameter, nothing sleeps.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from typing import Any

__all__ = ['RetryPolicy', 'ceiling', 'full_jitter']

#: Past this many doublings the ceiling is ``maximum`` anyway; stopping
#: there keeps the arithmetic finite for any attempt number.
_MAX_DOUBLINGS = 62

Random = Callable[[], float]


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
