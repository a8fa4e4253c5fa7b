"""Where the FIWARE conformance data is, for tests that read it in place.

The data is third-party and lives outside the repository
(``../shared/conformance/fiware``, or ``$GLANCE_SYNC_FIWARE_DIR``). When it
is absent the tests skip with a message, except under ``CI=true``, where
its absence is a failure.
"""

import glob
import os

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_ROOT = os.path.join(os.path.dirname(TOP), 'shared', 'conformance',
                            'fiware')


#: The data folder: ``$GLANCE_SYNC_FIWARE_DIR``, else :data:`DEFAULT_ROOT`.
DATA_DIR = os.environ.get('GLANCE_SYNC_FIWARE_DIR') or DEFAULT_ROOT


def root(test):
    """The data folder; skips (or fails under CI) the test when absent."""
    path = DATA_DIR
    if not os.path.isdir(path):
        message = 'FIWARE conformance data not found at %s' % path
        if os.environ.get('CI', '').lower() == 'true':
            test.fail(message)
        test.skipTest(message)
    return path


def config_paths(test):
    """Every legacy configuration file of the conformance data."""
    top = root(test)
    return sorted(glob.glob(os.path.join(top, '*', 'config'))) + [
        os.path.join(top, 'default.config')]
