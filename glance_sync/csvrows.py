"""Writing one CSV row that reads back exactly as it was written.

A leaf module (standard library only): the backup files of
:mod:`glance_sync.regions.csvfile`, the GlanceSync status report of
:mod:`glance_sync.rules.status` and the command line's CSV output all write
values that come from image names, which may hold any character.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

__all__ = ['write_row']


def write_row(stream: IO[str], row: Iterable[str]) -> None:
    """Write one CSV row, ``\\n``-terminated, that reads back the same.

    :mod:`csv` quotes a field holding a line feed, but not one holding a
    bare carriage return when lines end in ``\\n`` alone, and the reader
    ends the row there. Such a row is written with every field quoted.

    :param stream: opened with ``newline=''``.
    """
    fields = list(row)
    bare_return = any('\r' in field for field in fields)
    csv.writer(stream, lineterminator='\n',
               quoting=csv.QUOTE_ALL if bare_return else csv.QUOTE_MINIMAL
               ).writerow(fields)
