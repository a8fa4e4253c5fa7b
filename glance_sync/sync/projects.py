"""A target's Keystone as a :class:`~glance_sync.regions.members.
ProjectDirectory`: project names and ids, read through the target's own
keystoneauth session (``GET /v3/projects``), cached for the run.

The credentials must be allowed to read the projects concerned (a reader
role on them, or a system reader); a project they may not see counts as
missing, so its member is reported as unmapped, never guessed.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ksa_session

from glance_sync.regions.members import ProjectDirectory

__all__ = ['KeystoneProjects']

LOG = logging.getLogger(__name__)

_IDENTITY = {'service_type': 'identity', 'interface': 'public',
             'version': (3, 0)}


class KeystoneProjects(ProjectDirectory):
    """Projects of the Keystone a session authenticates with; thread-safe.

    :param session: the target's session.
    :param target: the target's name, for logs.
    """

    def __init__(self, session: ksa_session.Session, target: str) -> None:
        self._session = session
        self._target = target
        self._lock = threading.Lock()
        self._names: dict[str, str | None] = {}
        self._ids: dict[str, str | None] = {}

    def name_of(self, project_id: str) -> str | None:
        """See :meth:`ProjectDirectory.name_of`."""
        with self._lock:
            if project_id in self._names:
                return self._names[project_id]
        body = self._get('/projects/%s' % project_id)
        name = body.get('project', {}).get('name') if body else None
        with self._lock:
            self._names[project_id] = name
        return name

    def id_of(self, name: str) -> str | None:
        """See :meth:`ProjectDirectory.id_of`."""
        with self._lock:
            if name in self._ids:
                return self._ids[name]
        body = self._get('/projects', params={'name': name})
        found = [p['id'] for p in (body or {}).get('projects', [])
                 if p.get('name') == name]
        if len(found) > 1:
            LOG.warning('Target %s has %d projects named %s (in different '
                        'domains): none is chosen', self._target, len(found),
                        name)
        project = found[0] if len(found) == 1 else None
        with self._lock:
            self._ids[name] = project
        return project

    def _get(self, path: str, **kwargs: Any) -> dict[str, Any] | None:
        try:
            resp = self._session.get(path, endpoint_filter=_IDENTITY,
                                     raise_exc=False, **kwargs)
        except ks_exceptions.ClientException as exc:
            LOG.warning('Target %s: cannot read %s from Keystone: %s',
                        self._target, path, exc)
            return None
        if resp.status_code in (403, 404):
            return None
        if resp.status_code >= 400:
            LOG.warning('Target %s: Keystone answered %d to %s',
                        self._target, resp.status_code, path)
            return None
        body: dict[str, Any] = resp.json()
        return body
