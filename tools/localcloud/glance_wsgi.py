"""WSGI entry point of a local glance-api, for gunicorn.

Exactly ``glance.wsgi.api:application``, with SQLite made safe for
gunicorn's threads first (see :mod:`tools.localcloud.sqlite_tuning`). The
configuration comes from ``OS_GLANCE_CONFIG_DIR``. When
``LOCALCLOUD_GLANCE_DB_SYNC`` is set (first start), ``glance-manage
db_sync`` runs first, in a forked child that reuses the modules imported
here.
"""

import importlib
import os
import pathlib
import sys
from typing import Any

from tools.localcloud import forked
from tools.localcloud import sqlite_tuning


def _db_sync() -> None:
    from glance.cmd import manage
    conf = pathlib.Path(os.environ['OS_GLANCE_CONFIG_DIR']) / 'glance-api.conf'
    sys.argv = ['glance-manage', '--config-file', str(conf), 'db_sync']
    manage.main()


def _application() -> Any:
    sqlite_tuning.install()
    if os.environ.pop('LOCALCLOUD_GLANCE_DB_SYNC', None):
        # What glance.wsgi.api needs, loaded before the fork so that the
        # child reuses it; glance.wsgi.api itself builds the application.
        importlib.import_module('glance.common.wsgi_app')
        importlib.import_module('glance.cmd.manage')
        forked.run_in_child('glance db_sync', _db_sync)
    return importlib.import_module('glance.wsgi.api').application


application = _application()
