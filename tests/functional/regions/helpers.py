"""What the region and transfer functional tests share: our own sessions.

The base class's sessions come from the cloud's description; these are
built the way glance-sync builds them (:mod:`glance_sync.regions.auth`),
with short timeouts so an unavailable region fails a test quickly.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from keystoneauth1 import session as ksa_session

from glance_sync.regions import auth
from glance_sync.regions.drivers import glance
from tests.functional import base

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 60.0

_lock = threading.Lock()
_sessions: dict[str, ksa_session.Session] = {}


class RegionTestCase(base.FunctionalTestCase):
    """A functional test that drives the cloud through :class:`GlanceRegion`.
    """

    def target_session(self, target: str = 'master') -> ksa_session.Session:
        """The target's session, shared by the tests of this process.

        :param target: ``master`` or ``other``.
        """
        with _lock:
            if target not in _sessions:
                creds = self.cloud.target(target).credentials
                _sessions[target] = auth.make_session(
                    creds.auth(), connect_timeout=CONNECT_TIMEOUT,
                    read_timeout=READ_TIMEOUT)
            return _sessions[target]

    def region(self, name: str, **kwargs: Any) -> glance.GlanceRegion:
        """Our driver for a region of the cloud, endpoint from the catalog.

        :param name: ``RegionOne`` or ``target:Region``.
        :param kwargs: more arguments for :class:`GlanceRegion`.
        """
        info = self.use_region(name)
        session = kwargs.pop('session', None) or self.target_session(
            info.target)
        return glance.GlanceRegion(info.qualified_name, session, **kwargs)

    def delete_later(self, region: glance.GlanceRegion,
                     image_id: str) -> None:
        """Delete an image at cleanup (a no-op if it is gone already)."""
        self.addCleanup(region.delete, image_id)

    def unique_name(self, prefix: str = 'functional') -> str:
        """An image name no other test uses."""
        return '%s-%s-%s' % (prefix, self.id().rpartition('.')[2],
                             uuid.uuid4().hex[:8])
