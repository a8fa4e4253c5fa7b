"""``sequential``: one region after the other, reading the master each time.

The way FIWARE GlanceSync and most scripts copy: the master image is read
once per region, and each region's copy starts when the previous one has
ended. Kept as the baseline the other strategies are measured against
(each copy goes through the same verified path as ``stream``'s, so the
comparison measures the reading, nothing else), and for masters that must
not serve more than one download at a time.
"""

from __future__ import annotations

from glance_sync.regions import base
from glance_sync.transfer import streaming
from glance_sync.transfer.base import TransferStats, TransferStrategy
from glance_sync.transfer.targets import Results, Target

__all__ = ['SequentialStrategy']


class SequentialStrategy(TransferStrategy):
    """N verified copies, one after the other, one read each."""

    name = 'sequential'

    def _transfer(self, master_region: base.Region, master_image: base.Image,
                  targets: list[Target], stats: TransferStats) -> Results:
        results: Results = {}
        for target in targets:
            results.update(streaming.stream_copies(
                self.options, master_region, master_image, [target],
                lambda: master_region.download(master_image.id), stats,
                how='copied'))
        return results
