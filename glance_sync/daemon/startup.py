"""Parse the daemon's command line and configuration files, lightly.

:func:`parse_args` runs before the process is monkey-patched (``executor
= eventlet``), so it imports nothing that opens sockets or starts
threads: only the option modules and oslo.log's options (which must be
known before parsing, since some are command-line options). The sync
options (``[sync]``, the targets) are registered later, by
:mod:`glance_sync.daemon.service`; oslo.config reads them from the files
parsed here.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
from collections.abc import Sequence

from oslo_config import cfg
from oslo_log import log as logging

from glance_sync.conf import checks, coordination, daemon, database
from glance_sync.conf import executor
from glance_sync.conf.errors import ConfigError

__all__ = ['PROG', 'PROJECT', 'parse_args']

PROG = 'glance-sync'
PROJECT = 'glance-sync'


def parse_args(conf: cfg.ConfigOpts,
               argv: Sequence[str] | None = None) -> None:
    """Register the daemon's static options and parse into ``conf``.

    Without ``--config-file``, oslo.config's default places are read
    (``/etc/glance-sync/glance-sync.conf``...).

    :param argv: the arguments (default: ``sys.argv[1:]``).
    :raises ConfigError: a file is missing or cannot be parsed.
    """
    for module in (executor, daemon, database, coordination):
        module.register_opts(conf)
    logging.register_options(conf)
    args = sys.argv[1:] if argv is None else list(argv)
    _check_utf8(args)
    try:
        conf(args, project=PROJECT, prog=PROG,
             validate_default_values=True)
    except UnicodeDecodeError:
        # _check_utf8 missed it (a file of a --config-dir read later...).
        raise ConfigError(None, reason='a configuration file is not UTF-8 '
                          'text') from None
    except cfg.ConfigFilesNotFoundError as exc:
        raise ConfigError(', '.join(exc.config_files),
                          reason='cannot read the file') from exc
    except cfg.ConfigFileParseError as exc:
        raise ConfigError(exc.config_file, reason=str(exc.msg)) from exc
    except cfg.Error as exc:
        raise ConfigError(', '.join(conf.config_file) or None,
                          reason=str(exc)) from exc


def _check_utf8(args: Sequence[str]) -> None:
    """oslo.config lets a UnicodeDecodeError escape from a file that is not
    UTF-8: find the files it will read and name the bad one and its line.

    :raises ConfigError: a file is not UTF-8.
    """
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--config-file', action='append', default=[])
    parser.add_argument('--config-dir', action='append', default=[])
    known, _ = parser.parse_known_args(args)
    files = list(known.config_file) or list(
        cfg.find_config_files(project=PROJECT, prog=PROG))
    for folder in known.config_dir:
        files += sorted(glob.glob(os.path.join(folder, '*.conf')))
    for path in files:
        try:
            checks.read_utf8(path)
        except OSError:
            continue  # oslo.config reports it
        except ValueError as exc:
            raise ConfigError(path, reason=str(exc)) from None
