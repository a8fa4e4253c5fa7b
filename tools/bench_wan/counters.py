"""Bytes over each site link, from the veth counters (pure arithmetic).

Each site's shaped link is a veth pair: the site's end in its namespace,
the core's end on the core bridge. Its counters
(``/sys/class/net/<dev>/statistics/{rx,tx}_bytes``) are read on the
core's end: what it receives left the site, what it sends entered it.
They count everything on the wire, Ethernet, IP and TCP headers and ACKs
included (a few per cent over the image bytes).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

__all__ = ['LinkBytes', 'Snapshot', 'link_bytes', 'parse_counters']

#: ``{device: (rx_bytes, tx_bytes)}`` at one moment.
Snapshot = Mapping[str, tuple[int, int]]


@dataclasses.dataclass(frozen=True)
class LinkBytes:
    """Bytes over one site's link during a measurement."""

    out: int
    into: int

    def as_dict(self, image_size: int) -> dict[str, float | int]:
        """The figures, also in images of ``image_size`` bytes."""
        return {'out_bytes': self.out, 'in_bytes': self.into,
                'out_images': round(self.out / image_size, 2),
                'in_images': round(self.into / image_size, 2)}


def parse_counters(text: str) -> dict[str, tuple[int, int]]:
    """Read ``<dev> <rx_bytes> <tx_bytes>`` lines.

    :raises ValueError: for a line that is not three fields, two numbers.
    """
    found = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 3:
            raise ValueError('bad counter line %r' % line)
        found[fields[0]] = (int(fields[1]), int(fields[2]))
    return found


def link_bytes(before: Snapshot, after: Snapshot,
               devices: Mapping[str, str]) -> dict[str, LinkBytes]:
    """Bytes over each link between two snapshots.

    :param devices: the core's end of each site's link, by site.
    :returns: by site: bytes out of the site (received by the core's end)
        and into it (sent by the core's end).
    :raises ValueError: when a counter went down (the device was made
        again between the snapshots: the figures would be wrong).
    """
    result = {}
    for site, dev in devices.items():
        rx = after[dev][0] - before[dev][0]
        tx = after[dev][1] - before[dev][1]
        if rx < 0 or tx < 0:
            raise ValueError('the counters of %s went down: it was '
                             'recreated during the measurement' % dev)
        result[site] = LinkBytes(out=rx, into=tx)
    return result
