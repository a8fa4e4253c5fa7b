"""FIWARE GlanceSync backup files: one CSV row per image.

A backup folder holds one ``backup_<region>.csv`` per region, written by
``glance-sync-manage backup`` (or GlanceSync's ``sync.py --make-backups``)
and read by the in-memory region driver. Each row is::

    region,name,id,status,size,checksum,owner,is_public,user_properties

``is_public`` is ``True``/``False`` (it maps to ``visibility`` ``public`` or
``private``) and ``user_properties`` is a Python dict literal, parsed with
:func:`ast.literal_eval` only: a backup file is data, never code. Writing
an image and reading it back gives the same :class:`Image`, field by field,
whatever its name holds (commas, quotes, line breaks, a bare carriage
return, NUL): :func:`glance_sync.csvrows.write_row` quotes what the reader
would split.

Values are written as they are, never altered for spreadsheets: a name
starting with ``=``, ``+``, ``-`` or ``@`` stays so, since FIWARE
GlanceSync reads these files back. A backup is data, not a spreadsheet;
open it in a spreadsheet program only as text.

Usage::

    images = csvfile.read_backup('/tmp/s1/backup_Burgos.csv')
    csvfile.write_backup('/tmp/out/backup_Burgos.csv', images)
"""

from __future__ import annotations

import ast
import csv
import io
import os
from collections.abc import Iterable
from typing import Any, TextIO

from glance_sync import csvrows
from glance_sync.regions import safefiles
from glance_sync.regions.base import Image

__all__ = ['BackupFormatError', 'backup_path', 'format_row', 'list_backups',
           'parse_row', 'read_backup', 'region_of', 'write_backup']

PREFIX = 'backup_'
SUFFIX = '.csv'
FIELDS = ('region', 'name', 'id', 'status', 'size', 'checksum', 'owner',
          'is_public', 'user_properties')


class BackupFormatError(ValueError):
    """A backup row that cannot be read; names the file, line and cause."""

    message = 'Bad backup row in %(path)s, line %(line)s: %(reason)s'

    def __init__(self, path: str, line: int, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__(self.message % {'path': path, 'line': line,
                                         'reason': reason})


def region_of(path: str) -> str | None:
    """The region a backup file describes, from its name.

    :param path: a path ending in ``backup_<region>.csv``.
    :returns: ``<region>``, or ``None`` when the name does not match.
    """
    base = os.path.basename(path)
    if base.startswith(PREFIX) and base.endswith(SUFFIX):
        return base[len(PREFIX):-len(SUFFIX)] or None
    return None


def backup_path(folder: str, region: str) -> str:
    """Where the backup of ``region`` lives in ``folder``."""
    return os.path.join(folder, PREFIX + region + SUFFIX)


def list_backups(folder: str) -> dict[str, str]:
    """Every backup file of a folder, by region name, in name order.

    :param folder: the folder to scan (not recursively).
    :returns: ``{region: path}``.
    :raises OSError: the folder cannot be read.
    """
    found = {}
    for entry in sorted(os.listdir(folder)):
        region = region_of(entry)
        if region is not None:
            found[region] = os.path.join(folder, entry)
    return found


def parse_row(row: list[str]) -> Image:
    """One image from the nine fields of a backup row.

    :param row: the fields, as :mod:`csv` splits them.
    :returns: the image.
    :raises ValueError: wrong field count, size or properties.
    """
    if len(row) != len(FIELDS):
        raise ValueError('%d fields instead of %d (%s)'
                         % (len(row), len(FIELDS), ','.join(FIELDS)))
    region, name, image_id, status, size, checksum, owner, public, props = row
    return Image(
        id=image_id, name=name, region=region, owner=owner or None,
        visibility='public' if public.strip() == 'True' else 'private',
        status=status, size=_parse_size(size), checksum=checksum or None,
        user_properties=_parse_properties(props))


def _parse_size(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError('size %r is not an integer' % text) from None


def _parse_properties(text: str) -> dict[str, Any]:
    """The ``user_properties`` dict literal (``u''`` strings accepted)."""
    if not text.strip():
        return {}
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        raise ValueError('user_properties %r is not a dict literal: %s'
                         % (text, exc)) from None
    if not isinstance(value, dict):
        raise ValueError('user_properties %r is a %s, not a dict'
                         % (text, type(value).__name__))
    return value


def format_row(image: Image) -> list[str]:
    """The nine fields of ``image``'s backup row (inverse of parse_row)."""
    return [image.region, image.name, image.id, image.status,
            '' if image.size is None else str(image.size),
            image.checksum or '', image.owner or '', str(image.is_public),
            repr(dict(image.user_properties))]


def read_backup(path: str) -> list[Image]:
    """Every image of one backup file, in file order; blank lines skipped.

    :raises BackupFormatError: a row cannot be read.
    :raises OSError: the file cannot be read.
    """
    with open(path, 'rb') as stream:
        data = stream.read()
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as exc:
        line = data.count(b'\n', 0, exc.start) + 1
        raise BackupFormatError(path, line, 'not UTF-8 text') from None
    # newline='': the csv module sees the line ends as written, as with a
    # file opened with newline=''.
    return _read_rows(path, io.StringIO(text, newline=''))


def _read_rows(path: str, stream: TextIO) -> list[Image]:
    images: list[Image] = []
    reader = csv.reader(stream)
    line = 0
    while True:
        line += 1
        try:
            row = next(reader)
        except StopIteration:
            return images
        except csv.Error as exc:
            # A field over csv.field_size_limit() (128 KiB), a NUL...
            raise BackupFormatError(path, reader.line_num,
                                    'not a CSV row: %s' % exc) from None
        if not row:
            continue
        try:
            images.append(parse_row(row))
        except ValueError as exc:
            raise BackupFormatError(path, line, str(exc)) from exc


def write_backup(path: str, images: Iterable[Image]) -> None:
    """Write one backup file, replaced atomically (through a new file of
    its own: a link planted in the folder is never written through).

    :raises OSError: the file cannot be written.
    """
    with safefiles.atomic_write(path, newline='',
                                encoding='utf-8') as stream:
        for image in images:
            csvrows.write_row(stream, format_row(image))
