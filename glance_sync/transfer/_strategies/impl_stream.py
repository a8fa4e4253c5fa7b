"""``stream``: read the master image once, feed every region at once.

The default strategy. The master image is downloaded once through the
master's API; every chunk goes to every region's upload through a bounded
queue (see :mod:`glance_sync.transfer.fanout`), so the copies progress
together, memory stays bounded and one region failing does not stop the
others. The data is hashed once and every copy verified.

It is also the strategy of relay copies (:meth:`StreamStrategy.copy_from`):
the daemon reads another region's verified copy through that region's
API, with that region's target's credentials, and writes the target.
"""

from __future__ import annotations

from glance_sync.regions import base
from glance_sync.transfer import streaming
from glance_sync.transfer.base import TransferStats, TransferStrategy
from glance_sync.transfer.targets import Results, Target

__all__ = ['StreamStrategy']


class StreamStrategy(TransferStrategy):
    """One download from the master, N concurrent uploads."""

    name = 'stream'
    relays = True

    def _transfer(self, master_region: base.Region, master_image: base.Image,
                  targets: list[Target], stats: TransferStats) -> Results:
        return streaming.stream_copies(
            self.options, master_region, master_image, targets,
            lambda: master_region.download(master_image.id), stats)

    def copy_from(self, source_region: base.Region, source_image_id: str,
                  master_image: base.Image, target: Target) -> base.Image:
        results = streaming.stream_copies(
            self.options, source_region, master_image, [target],
            lambda: source_region.download(source_image_id),
            TransferStats(), how='relayed')
        outcome = results[target.region.name]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
