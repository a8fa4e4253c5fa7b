"""Tabular output of ``glance-sync-manage``: ``-f csv|table|json``.

``csv`` (the default when standard output is not a terminal) prints bare
rows without a header, so the status report reads exactly like
GlanceSync's (``status,region,image``); ``table`` (the default on a
terminal) aligns columns under a header; ``json`` prints a list of
objects. :func:`write_status_counts` adds, under a status table, one line
per region with its count of each status, coloured on a terminal.

Image names and other values come from the regions and may hold control
characters. A table is for a terminal, so its cells show every character
that is not printable as an escape (``\\x1b``, ``\\r``, ``\\n``,
``\\u2028``, ...): a name can neither move the cursor, recolour the
screen nor forge a row. ``csv`` and ``json`` are data for programs and
keep values exact: JSON escapes control characters itself, CSV writes
them quoted where needed (:func:`~glance_sync.csvrows.write_row`)
and leaves a leading ``=``, ``+``, ``-`` or ``@`` as it is (CSV output is
not meant for a spreadsheet).
"""

from __future__ import annotations

import collections
import json
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from glance_sync import csvrows
from glance_sync.rules.status import Status

__all__ = ['FORMATS', 'default_format', 'human_rate', 'printable',
           'use_colour', 'write_rows', 'write_status_counts']

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
        keys = csv_columns or columns
        for row in rows:
            csvrows.write_row(stream, [_text(row.get(k)) for k in keys])
    elif fmt == 'table':
        stream.write(_table(columns, rows))
    elif fmt == 'json':
        json.dump([{k: row.get(k) for k in columns} for row in rows], stream,
                  indent=2, sort_keys=False)
        stream.write('\n')
    else:
        raise ValueError('unknown output format %r (use %s)'
                         % (fmt, ', '.join(FORMATS)))


#: Decimal units, as link rates and ``max_rate`` are given.
_RATE_UNITS = ('B/s', 'kB/s', 'MB/s', 'GB/s', 'TB/s')


def human_rate(per_second: float) -> str:
    """A rate in bytes per second as a person reads it: ``12.3 MB/s``
    (decimal units: a ``max_rate`` of 50000000 reads ``50.0 MB/s``)."""
    value = float(per_second)
    for unit in _RATE_UNITS[:-1]:
        if abs(value) < 999.95:
            break
        value /= 1000
    else:
        unit = _RATE_UNITS[-1]
    return ('%d %s' if unit == 'B/s' else '%.1f %s') % (value, unit)


def _text(value: Any) -> str:
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    return str(value)


#: The short escapes of :func:`printable`; other characters use repr's.
_SHORT_ESCAPES = {'\t': '\\t', '\n': '\\n', '\r': '\\r'}


def printable(text: str) -> str:
    """``text`` with every non-printable character escaped as repr does
    (``'\\x1b[31m'`` for ESC ``[31m``), for a terminal."""
    if text.isprintable():
        return text
    return ''.join(char if char.isprintable() else
                   _SHORT_ESCAPES.get(char) or repr(char)[1:-1]
                   for char in text)


def _table(columns: Sequence[str], rows: Sequence[Mapping[str, Any]],
           paint: Callable[[str, str], str] | None = None) -> str:
    """Aligned columns under a header; ``paint(column, cell)`` may
    decorate body cells (escape codes do not count in the widths)."""
    cells = [list(columns)] + [[printable(_text(row.get(k)))
                                for k in columns] for row in rows]
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
