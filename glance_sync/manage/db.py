"""``glance-sync-manage db sync|version``: the journal's schema.

The journal lives where the native configuration's ``[database]
connection`` says (the same file as the daemon's). ``db sync`` creates or
upgrades the tables (idempotent); ``db version`` prints the current and
the latest revision and exits 1 while they differ.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TextIO, TypeVar

from oslo_config import cfg

from glance_sync.conf import database
from glance_sync.conf.errors import ConfigError
from glance_sync.conf.loaded import SyncConfig
from glance_sync.conf.native import NativeConfig
from glance_sync.manage import output

__all__ = ['add_parser', 'database_conf', 'db_command',
           'opening']

_T = TypeVar('_T')


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser],
               region_help: str) -> None:
    """Add ``db sync`` and ``db version`` to the subcommands."""
    db = subparsers.add_parser('db', parents=parents,
                               help='create or upgrade the task journal.')
    db.set_defaults(handler=db_command)
    verbs = db.add_subparsers(dest='db_command', metavar='VERB',
                              required=True)
    verbs.add_parser('sync', parents=parents,
                     help='create or upgrade the journal\'s tables.')
    verbs.add_parser('version', parents=parents,
                     help='print the current and latest schema revisions.')


def database_conf(config: SyncConfig) -> cfg.ConfigOpts:
    """The options holding ``[database]``, from a native configuration.

    :raises ConfigError: the configuration is a legacy one.
    """
    if not isinstance(config, NativeConfig):
        raise ConfigError(config.source, 'database', 'connection',
                          'the journal is configured in a native '
                          'glance-sync.conf: give --config-file FILE')
    database.register_opts(config.conf)
    return config.conf


def opening(conf: cfg.ConfigOpts, call: Callable[[], _T]) -> _T:
    """``call()``, with database failures as one-line configuration errors.

    :raises ConfigError: the database cannot be reached or used.
    """
    try:
        return call()
    except ConfigError:
        raise
    except Exception as exc:  # any driver error: one line, no traceback
        if type(exc).__module__.split('.')[0] not in ('sqlalchemy',
                                                      'oslo_db', 'alembic'):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc) else ''
        raise ConfigError(', '.join(conf.config_file) or None, 'database',
                          'connection', 'the journal database cannot be '
                          'used (%s): %s' % (type(exc).__name__, first)
                          ) from exc


def db_command(args: argparse.Namespace, config: SyncConfig,
               out: TextIO) -> int:
    """``db sync`` or ``db version``."""
    # alembic costs every other verb a second of start-up when imported
    # with the module: only the db verbs pay for it.
    from glance_sync.db import migration

    conf = database_conf(config)
    if args.db_command == 'sync':
        opening(conf, lambda: migration.upgrade(conf))
    current = opening(conf, lambda: migration.current_revision(conf))
    head = migration.head_revision()
    output.write_rows(out, args.format, ('current', 'head'),
                      [{'current': current, 'head': head}])
    return 0 if current == head else 1


