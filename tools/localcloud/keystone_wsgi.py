"""WSGI entry point of a local Keystone, for gunicorn.

Keystone parses ``sys.argv`` through oslo.config when its application is
built, and gunicorn's own arguments make it fail: forget them before
importing keystone. The configuration comes from ``OS_KEYSTONE_CONFIG_DIR``.
On the first start, :mod:`tools.localcloud.keystone_setup` creates the
database and the cloud's identity data before the application is built.
"""

import importlib
import os
import pathlib
import sys
from typing import Any

from tools.localcloud import keystone_setup
from tools.localcloud import sqlite_tuning


def _application() -> Any:
    sys.argv = sys.argv[:1]
    sqlite_tuning.install()
    # Loaded before the set-up forks, so that its children reuse it.
    importlib.import_module('keystone.cmd.cli')
    from keystone.server import wsgi
    keystone_setup.run(pathlib.Path(os.environ['OS_KEYSTONE_CONFIG_DIR']))
    return wsgi.initialize_public_application()


application = _application()
