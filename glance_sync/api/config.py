"""The configuration of the API process: one ``glance-sync.conf``.

Files, in this order: ``$GLANCE_SYNC_CONFIG_FILE`` (comma-separated, for
the WSGI application), the ``--config-file`` options of
``glance-sync-api``, else oslo.config's usual places
(``/etc/glance-sync/glance-sync.conf``...).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from oslo_config import cfg
from oslo_log import log as logging

from glance_sync.conf import api as api_conf
from glance_sync.conf import daemon as daemon_conf
from glance_sync.conf import database as database_conf
from glance_sync.conf import native
from glance_sync.conf.errors import ConfigError
from glance_sync.conf.loaded import SyncConfig

__all__ = ['ENV_VARIABLE', 'config_files', 'load']

PROJECT = 'glance-sync'
ENV_VARIABLE = 'GLANCE_SYNC_CONFIG_FILE'


def config_files(argv_files: Sequence[str] = (),
                 environ: Mapping[str, str] | None = None) -> list[str]:
    """The configuration files to read (see the module docstring).

    :raises ConfigError: none given and none found.
    """
    env = os.environ if environ is None else environ
    if env.get(ENV_VARIABLE):
        return [path for path in env[ENV_VARIABLE].split(',') if path]
    if argv_files:
        return list(argv_files)
    found = cfg.find_config_files(project=PROJECT)
    if not found:
        raise ConfigError(None, reason='no configuration file: set %s or '
                          'create /etc/glance-sync/glance-sync.conf'
                          % ENV_VARIABLE)
    return list(found)


def load(paths: Sequence[str]) -> tuple[cfg.ConfigOpts, SyncConfig]:
    """Parse the files, set up logging and load the sync configuration.

    :raises ConfigError: a file is missing or wrong.
    """
    conf = cfg.ConfigOpts()
    logging.register_options(conf)
    api_conf.register_opts(conf)
    database_conf.register_opts(conf)
    # The daemon's selection of regions: the API shows what it will do.
    daemon_conf.register_opts(conf)
    config = native.load(native.parse_files(paths, conf))
    logging.setup(conf, 'glance-sync-api')
    return conf, config
