"""``store``: read the master's bytes from its backend, feed every region.

Like ``stream``, but the one read of the image goes straight to the
master's storage with glance_store (see :mod:`glance_sync.transfer._store`
and ``[transfer_store]``) instead of through the master's API: for
deployments where the master's glance-api is the bottleneck. This is the
modern form of Tricircle's store-level copy and of FIWARE GlanceSync's
``images_dir``. When the image cannot be read that way (no
``[transfer_store]``, no location shown, a driver or read error before the
first byte), the copy is streamed through the API instead, and the log
says why.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

from glance_sync.regions import base
from glance_sync.transfer import _store, streaming
from glance_sync.transfer import capabilities
from glance_sync.transfer.base import TransferStats, TransferStrategy
from glance_sync.transfer.targets import Results, Target

__all__ = ['StoreStrategy']

LOG = logging.getLogger(__name__)


class StoreStrategy(TransferStrategy):
    """One read from the master's backend, N concurrent uploads."""

    name = 'store'

    @functools.cached_property
    def reader(self) -> _store.StoreReader:
        """The master's backend, configured from ``[transfer_store]``."""
        return _store.StoreReader(self.options.store_config_file,
                                  self.options.store_datadir,
                                  self.options.chunk_size)

    def prepare(self) -> None:
        """Load glance_store's driver(s) for the master's backend now."""
        if not self.reader.configured:
            LOG.warning('store: [transfer_store] is not set: every copy will '
                        'be streamed through the master\'s API')
            return
        try:
            self.reader.prepare()
        except _store.StoreUnavailable as exc:
            LOG.warning('store: the master\'s backend cannot be used (%s): '
                        'copies will be streamed through its API', exc)

    def _transfer(self, master_region: base.Region, master_image: base.Image,
                  targets: list[Target], stats: TransferStats) -> Results:
        try:
            data = self._open(master_region, master_image)
        except Exception as exc:
            # Whatever the reason (a driver's own errors included), no byte
            # was read yet: the API can still serve every region.
            LOG.warning('store: image %(name)s (%(id)s) cannot be read from '
                        'the backend of region %(src)s (%(why)s): streaming '
                        'it through the API instead', {
                            'name': master_image.name, 'id': master_image.id,
                            'src': master_region.name, 'why': exc})
            for target in targets:
                stats.fallbacks[target.region.name] = str(exc)
            return streaming.stream_copies(
                self.options, master_region, master_image, targets,
                lambda: master_region.download(master_image.id), stats)
        return streaming.stream_copies(
            self.options, master_region, master_image, targets,
            lambda: data, stats, how='copied from the store')

    def _open(self, master_region: base.Region,
              master_image: base.Image) -> Iterable[bytes]:
        """The image's data from the master's backend, opened now so that
        a failure can still fall back to the API."""
        if not self.reader.configured:
            raise _store.StoreUnavailable('[transfer_store] is not set')
        found = capabilities.locations(master_region, master_image.id)
        return self.reader.open(master_image.id, found)
