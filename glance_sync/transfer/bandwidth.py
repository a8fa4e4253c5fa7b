"""Bandwidth caps: token buckets shared by every copy over a link.

Operators must leave room on their long links for their users' traffic.
Each cap is a :class:`TokenBucket`; a copy to a region takes its bytes
from the bucket of the region (``[region:<name>] max_rate``) and from the
bucket of the link between the source's site and the region's site
(``[site:<name>] link_rates``), so every copy crossing a link shares its
rate, whichever strategy or task it belongs to::

    limiter = bandwidth.limiter_for(topology)
    chunks = limiter.throttle('RegionOne', 'other:RegionFour', chunks)

Buckets live as long as the process and are shared by every strategy in
it (:func:`limiter_for` hands out the same bucket for the same cap). Each
daemon caps its own traffic: site workers each copy over their own link.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator

from glance_sync.conf.sites import SiteTopology

__all__ = ['BURST_SECONDS', 'Limiter', 'TokenBucket', 'limiter_for']

#: Seconds of traffic a bucket lets through at once after an idle time.
BURST_SECONDS = 0.25


class TokenBucket:
    """``rate`` bytes per second, on average, for every caller together.

    :meth:`take` blocks the caller until its bytes fit; a chunk larger
    than the burst goes through and leaves the bucket in debt, so later
    callers wait for it: the rate holds whatever the chunk size.
    Thread-safe.
    """

    def __init__(self, rate: int, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        """:param rate: bytes per second, at least 1."""
        if rate < 1:
            raise ValueError('a rate must be at least 1 byte per second, '
                             'not %r' % rate)
        self.rate = rate
        self.burst = max(1.0, rate * BURST_SECONDS)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._stamp = clock()
        self._lock = threading.Lock()

    def take(self, count: int) -> float:
        """Take ``count`` bytes; block until they may go.

        :returns: the seconds waited.
        """
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens
                               + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= count
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


_BUCKETS: dict[tuple[str, ...], TokenBucket] = {}
_BUCKETS_LOCK = threading.Lock()


def _bucket(key: tuple[str, ...], rate: int) -> TokenBucket:
    # The rate is part of the key: a reload that changes a cap gets a new
    # bucket, copies under way keep the old one.
    full = key + (str(rate),)
    with _BUCKETS_LOCK:
        if full not in _BUCKETS:
            _BUCKETS[full] = TokenBucket(rate)
        return _BUCKETS[full]


class Limiter:
    """The caps of one :class:`~glance_sync.conf.sites.SiteTopology`."""

    def __init__(self, topology: SiteTopology) -> None:
        self.topology = topology

    def buckets(self, source: str, region: str) -> list[TokenBucket]:
        """The buckets a copy from region ``source`` to ``region`` takes
        its bytes from: the region's cap, the link's cap."""
        found = []
        rate = self.topology.region_rates.get(region)
        if rate:
            found.append(_bucket(('region', region), rate))
        link = self.topology.link_of(source, region)
        rate = self.topology.link_rate(source, region)
        if link is not None and rate:
            found.append(_bucket(('link',) + link, rate))
        return found

    def cap(self, source: str, region: str) -> int | None:
        """The lowest cap on a copy from ``source`` to ``region``, bytes
        per second; ``None`` when nothing caps it."""
        rates = [b.rate for b in self.buckets(source, region)]
        return min(rates) if rates else None

    def throttle(self, source: str, region: str,
                 chunks: Iterable[bytes]) -> Iterable[bytes]:
        """``chunks``, each let through when every cap allows it."""
        buckets = self.buckets(source, region)
        if not buckets:
            return chunks
        return _throttled(chunks, buckets)


def _throttled(chunks: Iterable[bytes],
               buckets: list[TokenBucket]) -> Iterator[bytes]:
    for chunk in chunks:
        for bucket in buckets:
            bucket.take(len(chunk))
        yield chunk


def limiter_for(topology: SiteTopology) -> Limiter:
    """The limiter of a topology; its buckets are shared with every other
    limiter of the process that has the same caps."""
    return Limiter(topology)
