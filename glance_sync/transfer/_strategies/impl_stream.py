"""``stream``: read the master image once, feed every region at once.

The default strategy. The master image is downloaded once through the
master's API; every chunk goes to every region's upload through a bounded
queue (see :mod:`glance_sync.transfer.fanout`), so the copies progress
together, memory stays bounded and one region failing does not stop the
others. The data is hashed once and every copy verified.
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

    def _transfer(self, master_region: base.Region, master_image: base.Image,
                  targets: list[Target], stats: TransferStats) -> Results:
        return streaming.stream_copies(
            self.options, master_region, master_image, targets,
            lambda: master_region.download(master_image.id), stats)
