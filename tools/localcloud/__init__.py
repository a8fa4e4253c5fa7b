"""A real multi-region OpenStack cloud on this machine, for tests and demos.

Two Keystones and four glance-api, all from the project's test requirements,
served by gunicorn on 127.0.0.1; see ``layout`` for the topology and
``python -m tools.localcloud -h`` for the command line. Python users load
the description ``up`` wrote::

    from tools import localcloud

    cloud = localcloud.load(run_dir)            # CloudInfo
    sess = cloud.session('master')              # keystoneauth1 session
    region = cloud.region('other:RegionFour')   # RegionInfo (url, port, ...)
"""

from tools.localcloud.info import CloudInfo
from tools.localcloud.info import CloudNotFound
from tools.localcloud.info import Credentials
from tools.localcloud.info import KeystoneInfo
from tools.localcloud.info import load
from tools.localcloud.info import make_session
from tools.localcloud.info import RegionInfo
from tools.localcloud.info import TargetInfo

__all__ = ['CloudInfo', 'CloudNotFound', 'Credentials', 'KeystoneInfo',
           'RegionInfo', 'TargetInfo', 'load', 'make_session']
