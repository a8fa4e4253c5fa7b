"""The transfer strategy contract: one master image to N regions.

A :class:`TransferStrategy` moves the data of one master image to several
regions in one call and says, region by region, whether the copy arrived
intact::

    strategy = get_strategy('stream', conf)
    results = strategy.transfer(master_region, image,
                                [(two, None), (four, record)])
    for region, outcome in results.items():
        ...   # an active Image, or the CopyFailed that explains why not

Every strategy keeps the same guarantees: a copy counts only when its size,
md5 and secure hash match the master image's; a copy that does not, or
whose upload fails, is deleted (unless the target asks to keep a ``queued``
record), so a failure never leaves a ``queued`` or corrupt image behind.
One region failing never stops the others.

Implementations live in :mod:`glance_sync.transfer._strategies` as
``impl_<name>.py`` and are registered as entry points of
:data:`NAMESPACE`; :func:`glance_sync.transfer.loader.get_strategy` loads
one by name.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Sequence
from typing import ClassVar

from oslo_config import cfg

from glance_sync.conf import sites as sites_conf
from glance_sync.conf import transfer as transfer_conf
from glance_sync.regions import base
from glance_sync.transfer import records, sharing
from glance_sync.transfer.targets import (Results, Target, TargetLike,
                                          as_targets)

__all__ = ['NAMESPACE', 'TransferOptions', 'TransferStats',
           'TransferStrategy']

#: The stevedore namespace of the strategies.
NAMESPACE = transfer_conf.STRATEGY_NAMESPACE


@dataclasses.dataclass
class TransferStats:
    """What one transfer did, filled in by the strategy as it goes."""

    #: Bytes this process read from the master (its API or its store).
    source_bytes: int = 0
    #: Regions served by another strategy than the one asked, name -> why.
    fallbacks: dict[str, str] = dataclasses.field(default_factory=dict)
    #: Regions that pulled the image from the master themselves.
    pulled: list[str] = dataclasses.field(default_factory=list)
    #: Regions given a location in a store they share with the master.
    shared: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class TransferOptions:
    """The ``[transfer]`` and ``[transfer_store]`` options, read once."""

    chunk_size: int = 1024 * 1024
    queue_chunks: int = 16
    stall_timeout: float = 300.0
    gather_window: float = 60.0
    cleanup_attempts: int = 6
    import_poll_interval: float = 2.0
    import_timeout: float = 3600.0
    store_config_file: str | None = None
    store_datadir: str | None = None
    #: Relay copies (daemon, ``stream``): see :mod:`~glance_sync.transfer.
    #: relays`.
    relay: bool = False
    copies_per_source: int = 2
    relay_wait: float = 600.0
    #: Sites, links and per-region caps and shared stores.
    sites: sites_conf.SiteTopology = dataclasses.field(
        default_factory=sites_conf.SiteTopology)

    @classmethod
    def from_conf(cls, conf: cfg.ConfigOpts | None) -> TransferOptions:
        """Read the options (registering them first if needed).

        :param conf: parsed options; ``None`` gives the defaults.
        """
        if conf is None:
            return cls()
        transfer_conf.register_opts(conf)
        group, store = conf.transfer, conf.transfer_store
        return cls(chunk_size=group.chunk_size,
                   queue_chunks=group.queue_chunks,
                   stall_timeout=group.stall_timeout,
                   gather_window=group.gather_window,
                   cleanup_attempts=group.cleanup_attempts,
                   import_poll_interval=group.import_poll_interval,
                   import_timeout=group.import_timeout,
                   store_config_file=store.config_file,
                   store_datadir=store.filesystem_store_datadir,
                   relay=group.relay,
                   copies_per_source=group.copies_per_source,
                   relay_wait=group.relay_wait,
                   sites=sites_conf.load_topology(conf))


class TransferStrategy(metaclass=abc.ABCMeta):
    """How the data of a master image reaches several regions.

    Thread safety: a strategy object holds only its options and caches, so
    one may serve several transfers at the same time, from several threads.
    :meth:`transfer` blocks until every region's copy is complete or has
    failed (and been removed).
    """

    #: The entry point name, for logs.
    name: ClassVar[str] = ''
    #: Whether :meth:`copy_from` reads a relay region (relay copies).
    relays: ClassVar[bool] = False

    def __init__(self, conf: cfg.ConfigOpts | None = None) -> None:
        """:param conf: options with (or to register) ``[transfer]`` and
            ``[transfer_store]``; ``None`` uses the defaults.
        """
        self.conf = conf
        self.options = TransferOptions.from_conf(conf)

    def transfer(self, master_region: base.Region, master_image: base.Image,
                 targets: Sequence[TargetLike], *,
                 stats: TransferStats | None = None) -> Results:
        """Copy one master image to every target region, verified.

        :param master_region: where the image is.
        :param master_image: the image, ``active``, with the size, md5 and
            secure hash every copy must match.
        :param targets: the regions and their records, each region once.
        :param stats: filled in with what the transfer did, if given.
        :returns: for every target region's name, its new active image or
            the :class:`~glance_sync.regions.base.CopyFailed` raised for
            it (naming the image, the region and both fingerprints, the
            cause chained).
        :raises ValueError: a region is given twice.
        """
        found = as_targets(targets)
        why = records.inactive_reason(master_region, master_image)
        if why is not None:
            return {t.region.name: records.refused(t, master_region,
                                                   master_image, why)
                    for t in found}
        if not found:
            return {}
        stats = stats if stats is not None else TransferStats()
        # Regions that read the master's store get a location, not a copy.
        results, found = sharing.share(
            self.options.sites, master_region, master_image, found,
            sharing.ShareOptions(self.options.import_poll_interval,
                                 self.options.import_timeout,
                                 self.options.cleanup_attempts))
        stats.shared += [name for name, outcome in results.items()
                         if isinstance(outcome, base.Image)]
        if found:
            results.update(self._transfer(master_region, master_image,
                                          found, stats))
        return results

    def prepare(self) -> None:
        """Get ready ahead of the first transfer: load drivers, read the
        settings they need. Optional (the first transfer does it anyway)
        and idempotent; never raises for what a transfer would fall back
        from, only logs it.
        """

    @abc.abstractmethod
    def _transfer(self, master_region: base.Region, master_image: base.Image,
                  targets: list[Target], stats: TransferStats) -> Results:
        """The strategy's own part of :meth:`transfer`.

        Called with an active master image and at least one target, each
        region once. Must return a result for every target and never
        raise for one region's failure.
        """

    def copy_from(self, source_region: base.Region, source_image_id: str,
                  master_image: base.Image, target: Target) -> base.Image:
        """Copy the master image into one region, reading the verified
        copy another region holds (a relay, see :mod:`~glance_sync.
        transfer.relays`) instead of the master.

        The copy is checked against the master image's size, md5 and
        secure hash, and its record comes from ``target`` (built from the
        master image), never from the relay's image. Bandwidth caps apply
        to the link between the source region and the target region.

        :param source_region: the relay region.
        :param source_image_id: its copy of the master image.
        :returns: the copy, ``active``.
        :raises CopyFailed: the copy failed and was removed.
        :raises NotImplementedError: the strategy does not relay
            (:attr:`relays` is false).
        """
        raise NotImplementedError('the %s strategy reads the master only'
                                  % self.name)

    def copy(self, master_region: base.Region, master_image: base.Image,
             target: TargetLike) -> base.Image:
        """:meth:`transfer` to one region, raising its failure.

        :returns: the copy, ``active``.
        :raises CopyFailed: the copy failed and was removed.
        """
        (outcome,) = self.transfer(master_region, master_image,
                                   [target]).values()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
