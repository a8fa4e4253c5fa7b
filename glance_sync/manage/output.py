"""Tabular output of ``glance-sync-manage``: ``-f csv|table|json``.

``csv`` (the default when standard output is not a terminal) prints bare
rows without a header, so the status report reads exactly like
GlanceSync's (``status,region,image``); ``table`` (the default on a
terminal) aligns columns under a header; ``json`` prints a list of
objects. :func:`write_status_counts` adds, under a status table, one line
per region with its count of each status, coloured on a terminal.
"""

from __future__ import annotations

import collections
import csv
import json
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from glance_sync.rules.status import Status

__all__ = ['FORMATS', 'default_format', 'use_colour', 'write_rows',
           'write_status_counts']

FORMATS = ('csv', 'table', 'json')

#: ANSI colours of the status counts: done, needs an operator, pending.
_GREEN, _RED, _YELLOW, _RESET = '\033[32m', '\033[31m', '\033[33m', '\033[0m'


def default_format(stream: TextIO) -> str:
    """``table`` on a terminal, ``csv`` (GlanceSync's output) otherwise."""
    return 'table' if _isatty(stream) else 'csv'


def use_colour(stream: TextIO) -> bool:
    """Colour on a terminal, unless ``NO_COLOR`` is set (no-color.org)."""
    return _isatty(stream) and not os.environ.get('NO_COLOR')


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, 'isatty', None)
    return bool(isatty and isatty())


def write_rows(stream: TextIO, fmt: str, columns: Sequence[str],
               rows: Sequence[Mapping[str, Any]],
               csv_columns: Sequence[str] | None = None) -> None:
    """Print rows in one of :data:`FORMATS`.

    :param columns: the keys to print, in order (the table's header).
    :param csv_columns: the keys the ``csv`` format prints (default:
        ``columns``).
    :raises ValueError: unknown format.
    """
    if fmt == 'csv':
        writer = csv.writer(stream, lineterminator='\n')
        keys = csv_columns or columns
        writer.writerows([_text(row.get(k)) for k in keys] for row in rows)
    elif fmt == 'table':
        stream.write(_table(columns, rows))
    elif fmt == 'json':
        json.dump([{k: row.get(k) for k in columns} for row in rows], stream,
                  indent=2, sort_keys=False)
        stream.write('\n')
    else:
        raise ValueError('unknown output format %r (use %s)'
                         % (fmt, ', '.join(FORMATS)))


def _text(value: Any) -> str:
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    return str(value)


def _table(columns: Sequence[str], rows: Sequence[Mapping[str, Any]],
           paint: Callable[[str, str], str] | None = None) -> str:
    """Aligned columns under a header; ``paint(column, cell)`` may
    decorate body cells (escape codes do not count in the widths)."""
    cells = [list(columns)] + [[_text(row.get(k)) for k in columns]
                               for row in rows]
    widths = [max(len(line[i]) for line in cells)
              for i in range(len(columns))]
    lines = []
    for number, line in enumerate(cells):
        decorate = paint if paint and number else None
        lines.append('  '.join(
            (decorate(column, cell) if decorate else cell)
            + ' ' * (width - len(cell))
            for column, cell, width in zip(columns, line, widths)).rstrip())
    lines.insert(1, '  '.join('-' * width for width in widths))
    return '\n'.join(lines) + '\n'


def write_status_counts(stream: TextIO, rows: Sequence[Mapping[str, Any]],
                        colour: bool = False) -> None:
    """One line per region: how many images are in each status.

    :param rows: ``status``/``region``/``image`` rows, as the status
        report prints them.
    :param colour: green for final statuses, red for errors, yellow for
        pending ones (counts above zero only).
    """
    counts: dict[str, collections.Counter[str]] = {}
    for row in rows:
        counts.setdefault(row['region'], collections.Counter())[
            row['status']] += 1
    statuses = [s.value for s in Status
                if any(c[s.value] for c in counts.values())]
    columns = ['region', *statuses, 'total']
    table = [{'region': region, 'total': sum(c.values()),
              **{s: c[s] for s in statuses}}
             for region, c in counts.items()]
    stream.write(_table(columns, table, _paint if colour else None))


def _paint(column: str, cell: str) -> str:
    """A count cell in its status's colour (zero counts stay plain)."""
    shade = _shade(column) if cell not in ('', '0') else None
    return shade + cell + _RESET if shade else cell


def _shade(column: str) -> str | None:
    try:
        status = Status(column)
    except ValueError:
        return None
    if status.is_final:
        return _GREEN
    return _RED if status.is_error else _YELLOW
