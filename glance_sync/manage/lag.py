"""The sync lag of each region, from the daemon's journal, for ``status``.

``glance-sync-manage status`` (table format) ends with how far behind
each region is: the age of its oldest pending task in the journal, the
same number as the daemon's ``glance_sync_region_lag_seconds`` metric.
Only a native configuration names a journal; when it has none yet (no
SQLite file, no schema) or cannot be read, the section is left out and
the status report stays GlanceSync's.
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Callable, Sequence
from typing import TextIO

import sqlalchemy as sa

from glance_sync.conf.loaded import SyncConfig
from glance_sync.conf.native import NativeConfig
from glance_sync.db.repositories import Journal, utcnow
from glance_sync.manage import output
from glance_sync.manage.db import database_conf

__all__ = ['COLUMNS', 'journal_lags', 'write_lags']

LOG = logging.getLogger(__name__)

COLUMNS = ('region', 'sync_lag_seconds', 'pending_since')
#: The lag of a region the journal has never had a task for.
UNKNOWN = '-'

Lags = dict[str, datetime.datetime | None]


def journal_lags(config: SyncConfig) -> Lags | None:
    """Since when each region of the journal is behind (``None``: it is
    up to date).

    :returns: ``None`` when there is no journal to read.
    """
    if not isinstance(config, NativeConfig):
        return None
    conf = database_conf(config)
    url = sa.engine.make_url(conf.database.connection)
    if url.get_backend_name() == 'sqlite' and (
            not url.database or not os.path.exists(url.database)):
        return None  # never create an empty journal file
    try:
        journal = Journal(conf)
    except Exception as exc:  # noqa: BLE001 - the report goes on
        LOG.debug('No sync lag: the journal cannot be opened: %s', exc)
        return None
    try:
        return journal.pending_since()
    except Exception as exc:  # noqa: BLE001 - the report goes on
        LOG.debug('No sync lag: the journal cannot be read: %s', exc)
        return None
    finally:
        journal.dispose()


def write_lags(out: TextIO, regions: Sequence[str], lags: Lags,
               clock: Callable[[], datetime.datetime] = utcnow) -> None:
    """A table of the regions' sync lag, in seconds."""
    now = clock()
    rows: list[dict[str, object]] = []
    for region in regions:
        if region not in lags:
            rows.append({'region': region, 'sync_lag_seconds': UNKNOWN,
                         'pending_since': ''})
            continue
        since = lags[region]
        seconds = 0 if since is None else max(
            0, int((now - since).total_seconds()))
        rows.append({'region': region, 'sync_lag_seconds': seconds,
                     'pending_since': since.isoformat(
                         timespec='seconds') if since else ''})
    output.write_rows(out, 'table', COLUMNS, rows)
