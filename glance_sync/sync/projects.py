"""A target's Keystone as a :class:`~glance_sync.regions.members.
ProjectDirectory`: project names and ids, read through the target's own
keystoneauth session (``GET /v3/projects``), cached for the run.

The credentials must be allowed to read the projects concerned (a reader
role on them, or a system reader); a project they may not see counts as
missing, so its member is reported as unmapped, never guessed.

:func:`resolve` turns ``[target:master] master_projects`` (names or ids)
into ids, strictly: a project that is not there is a configuration error,
a Keystone that does not answer is a region error (try again later).
"""

from __future__ import annotations

import logging
import urllib.parse
import threading
from typing import Any

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ksa_session

from glance_sync.conf.errors import ConfigError
from glance_sync.regions import base
from glance_sync.regions.drivers import glance_errors
from glance_sync.regions.members import ProjectDirectory

__all__ = ['KeystoneProjects', 'resolve']

#: Where ``master_projects`` is set, for its errors.
_GROUP = 'target:master'
_OPTION = 'master_projects'

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


def resolve(session: ksa_session.Session, values: tuple[str, ...],
            source: str | None) -> list[str]:
    """The project ids of ``values`` (each a name or an id), in order,
    each once, through the master's Keystone.

    A value is an id when ``GET /v3/projects/<value>`` finds it, else a
    name (``GET /v3/projects?name=<value>``), which must name exactly one
    project.

    :param source: the configuration file, for errors.
    :raises ConfigError: a value names no project the credentials may
        see, or several (same name in different domains: give the id).
    :raises AuthFailed: Keystone refused the credentials.
    :raises RegionUnavailable: Keystone did not answer.
    """
    found: list[str] = []
    for value in values:
        body = _read(session, '/projects/%s'
                     % urllib.parse.quote(value, safe=''))
        if body is not None and body.get('project', {}).get('id') == value:
            found.append(value)
            continue
        body = _read(session, '/projects', params={'name': value})
        ids = [p['id'] for p in (body or {}).get('projects', [])
               if p.get('name') == value]
        if len(ids) != 1:
            why = ('no project of that name or id in the master Keystone '
                   '(or the master credentials may not see it)' if not ids
                   else '%d projects of that name (different domains): '
                   'give its id' % len(ids))
            raise ConfigError(source, _GROUP, _OPTION,
                              'unknown project %r: %s' % (value, why))
        found.append(ids[0])
    return list(dict.fromkeys(found))


def _read(session: ksa_session.Session, path: str,
          **kwargs: Any) -> dict[str, Any] | None:
    """A Keystone read; ``None`` when Keystone says not found (or not
    yours to see).

    :raises AuthFailed: Keystone refused the credentials.
    :raises RegionUnavailable: Keystone did not answer.
    """
    with glance_errors.translated(base.MASTER_TARGET, 'reading %s' % path):
        resp = session.get(path, endpoint_filter=_IDENTITY, raise_exc=False,
                           **kwargs)
    if resp.status_code in (403, 404):
        return None
    if resp.status_code >= 400:
        raise base.RegionUnavailable(
            base.MASTER_TARGET, reason='Keystone answered %d to %s'
            % (resp.status_code, path))
    body: dict[str, Any] = resp.json()
    return body
