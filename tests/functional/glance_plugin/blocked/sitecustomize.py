"""Makes the modules named in ``$GLANCE_SYNC_TEST_BLOCKED`` unimportable.

Put on ``PYTHONPATH`` of one process only (a glance-api started by
``test_broken_plugin``): Python imports ``sitecustomize`` at start-up, and
the finder below makes each named module fail to import the way a
missing or broken dependency does, whatever the environment holds.
"""

import importlib.abc
import os
import sys

BLOCKED = set(filter(None, os.environ.get('GLANCE_SYNC_TEST_BLOCKED',
                                          '').split(',')))


class _Blocker(importlib.abc.MetaPathFinder):

    def find_spec(self, name, path=None, target=None):
        if name in BLOCKED:
            raise ModuleNotFoundError('No module named %r (blocked by the '
                                      'test)' % name, name=name)
        return None


sys.meta_path.insert(0, _Blocker())
