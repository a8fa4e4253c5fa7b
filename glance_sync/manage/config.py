"""Which configuration ``glance-sync-manage`` reads, and its logging.

In this order:

1. ``--config-file FILE`` (repeatable): a native ``glance-sync.conf``;
2. ``--glancesync-config FILE``, else ``$GLANCESYNC_CONFIG``: a FIWARE
   ``glancesync.conf``;
3. ``/etc/glance-sync/glance-sync.conf`` (and oslo.config's other default
   places) if it exists;
4. ``/etc/glancesync.conf`` if it exists (GlanceSync's default);
5. no file: GlanceSync's ``OS_*`` environment variables alone.

``--config key=value`` overrides apply to either format. Logging goes
through oslo.log, to standard error, so standard output only carries the
command's result; the native file's ``[DEFAULT]`` logging options apply.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

from oslo_config import cfg
from oslo_log import log as logging

from glance_sync.conf import legacy, native
from glance_sync.conf.errors import ConfigError
from glance_sync.conf.loaded import SyncConfig

__all__ = ['LEGACY_DEFAULT', 'load', 'setup_logging']

PROJECT = 'glance-sync'
#: GlanceSync's default configuration file.
LEGACY_DEFAULT = '/etc/glancesync.conf'
ENV_VARIABLE = 'GLANCESYNC_CONFIG'


def load(args: argparse.Namespace, environ: Mapping[str, str] | None = None
         ) -> tuple[cfg.ConfigOpts, SyncConfig]:
    """Read the sync configuration and set up logging.

    :param args: ``config_file``, ``glancesync_config``, ``config`` and
        ``debug``.
    :returns: the options (logging's among them) and the configuration.
    :raises ConfigError: no usable configuration.
    """
    env = os.environ if environ is None else environ
    conf = cfg.ConfigOpts()
    logging.register_options(conf)
    conf.set_default('use_stderr', True)
    native_files, legacy_path = _choose(args, env)
    if native_files:
        # Loaded first, so that --config overrides logging options too.
        loaded = native.load(native.parse_files(native_files, conf),
                             args.config or [])
        setup_logging(conf, args.debug)
        return conf, loaded
    conf([], project=PROJECT, default_config_files=[])
    setup_logging(conf, args.debug)
    return conf, legacy.load(legacy_path, args.config or [], env)


def _choose(args: argparse.Namespace, env: Mapping[str, str]
            ) -> tuple[list[str], str | None]:
    """The native files to read, else the legacy file (or none)."""
    if args.config_file and args.glancesync_config:
        raise ConfigError(None, reason='give either --config-file (native) '
                          'or --glancesync-config (GlanceSync), not both')
    if args.config_file:
        return list(args.config_file), None
    legacy_path = args.glancesync_config or env.get(ENV_VARIABLE) or None
    if legacy_path:
        return [], legacy_path
    found = cfg.find_config_files(project=PROJECT)
    if found:
        return found, None
    return [], LEGACY_DEFAULT if os.path.exists(LEGACY_DEFAULT) else None


def setup_logging(conf: cfg.ConfigOpts, debug: bool = False) -> None:
    """oslo.log, to standard error; ``debug`` forces DEBUG records."""
    if debug:
        conf.set_override('debug', True)
    logging.setup(conf, 'glance-sync-manage')
