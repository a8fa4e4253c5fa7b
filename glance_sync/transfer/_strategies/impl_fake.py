"""``fake``: copies without data, for in-memory regions and tests.

Every interface ships a fake: this one copies the record and the master
image's size, checksum and hashes to each target without reading any data
(GlanceSync's mock did the same; it reports the size to the target's
``on_bytes`` as a copy would), and records every call it receives in
:attr:`FakeStrategy.calls`. It only writes to regions whose driver can
record an upload without data (:class:`~glance_sync.regions.base.
DatalessCopy`: the in-memory driver); any other target fails like a copy
would. An offline sync (``--offline DIR``) copies with it.
"""

from __future__ import annotations

from typing import NamedTuple

from oslo_config import cfg

from glance_sync.regions import base
from glance_sync.transfer import records
from glance_sync.transfer.base import TransferStats, TransferStrategy
from glance_sync.transfer.targets import Results, Target

__all__ = ['FakeStrategy', 'FakeTransfer']


class FakeTransfer(NamedTuple):
    """One recorded call: the master image's id and the target regions."""

    image_id: str
    regions: tuple[str, ...]


class FakeStrategy(TransferStrategy):
    """Data-less copies into in-memory regions; records its calls."""

    name = 'fake'

    def __init__(self, conf: cfg.ConfigOpts | None = None) -> None:
        super().__init__(conf)
        #: Every transfer asked for, in order.
        self.calls: list[FakeTransfer] = []

    def _transfer(self, master_region: base.Region, master_image: base.Image,
                  targets: list[Target], stats: TransferStats) -> Results:
        self.calls.append(FakeTransfer(
            master_image.id, tuple(t.region.name for t in targets)))
        results: Results = {}
        for target in targets:
            try:
                results[target.region.name] = _copy(target, master_image)
            except base.CopyFailed as exc:
                results[target.region.name] = exc
        return results


def _copy(target: Target, master_image: base.Image) -> base.Image:
    region = target.region
    if not isinstance(region, base.DatalessCopy):
        raise base.CopyFailed(region.name, image=records.label(master_image),
                              reason='the fake strategy only writes to '
                                     'in-memory regions')
    record = records.record_for(target, master_image)
    if target.on_bytes is not None:
        # Reported as a real copy would, for progress and copy records.
        target.on_bytes(master_image.size or 0)
    return region.set_data_info(
        record.id, size=master_image.size, checksum=master_image.checksum,
        os_hash_algo=master_image.os_hash_algo,
        os_hash_value=master_image.os_hash_value)
