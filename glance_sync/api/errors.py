"""The API's errors: each one carries its HTTP code and a snake_case type.

Controllers raise these; :class:`glance_sync.api.faults.FaultMiddleware`
turns them into FIWARE GlanceSync's error body::

    {"error": {"message": "Region RegionNine does not exist", "code": 410}}

Messages are class-level templates filled from keyword arguments, so each
names the region, task or method it is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    'ApiError', 'BadRequest', 'Forbidden', 'MasterRegion',
    'MethodNotAllowed', 'NotFound', 'ServiceUnavailable', 'TaskNotFound',
    'TaskRunning', 'Unauthorized', 'UnknownRegion',
]


class ApiError(Exception):
    """Base class: an error the API answers with a JSON body."""

    code = 500
    error_type = 'internal_error'
    message = 'Internal error'

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        super().__init__(self.message % kwargs)

    def headers(self) -> list[tuple[str, str]]:
        """Extra response headers (``Allow`` for a 405)."""
        return []


class BadRequest(ApiError):
    """The request is malformed; ``reason`` says how."""

    code = 400
    error_type = 'bad_request'
    message = 'Bad request: %(reason)s'


class MasterRegion(BadRequest):
    """The master region holds the images: it is not synchronised."""

    error_type = 'master_region'
    message = ('Region %(region)s is the master region: it is the source '
               'of the images and has no synchronisation status')


class Unauthorized(ApiError):
    """No token, or Keystone did not accept it."""

    code = 401
    error_type = 'unauthorized'
    message = 'Authentication required: %(reason)s'


class Forbidden(ApiError):
    """The policy does not allow the caller to do this."""

    code = 403
    error_type = 'forbidden'
    message = 'Policy does not allow %(rule)s'


class NotFound(ApiError):
    """No resource at this path."""

    code = 404
    error_type = 'not_found'
    message = 'No resource at %(path)s'


class TaskNotFound(NotFound):
    """No synchronisation task with that id in that region."""

    error_type = 'task_not_found'
    message = 'Task %(task_id)s of region %(region)s does not exist'


class MethodNotAllowed(ApiError):
    """The path exists, the method does not."""

    code = 405
    error_type = 'method_not_allowed'
    message = 'Method %(method)s is not allowed on %(path)s (allowed: ' \
              '%(allowed)s)'

    def __init__(self, method: str, path: str,
                 allowed: Sequence[str]) -> None:
        self.allowed = list(allowed)
        super().__init__(method=method, path=path,
                         allowed=', '.join(self.allowed))

    def headers(self) -> list[tuple[str, str]]:
        return [('Allow', ', '.join(self.allowed))]


class TaskRunning(ApiError):
    """A task still synchronising cannot be deleted."""

    code = 409
    error_type = 'task_running'
    message = ('Task %(task_id)s of region %(region)s is still syncing: '
               'delete it once it is synced or failed')


class UnknownRegion(ApiError):
    """No target's Keystone catalog lists the region (FIWARE's 410)."""

    code = 410
    error_type = 'unknown_region'
    message = 'Region %(region)s does not exist'


class ServiceUnavailable(ApiError):
    """A Keystone, a Glance or the journal did not answer."""

    code = 503
    error_type = 'service_unavailable'
    message = 'Service unavailable: %(reason)s'
