"""Turn python-glanceclient, keystoneauth1 and requests errors into ours.

Where each error comes from, as observed with glanceclient 4.x:

* Glance answered with an HTTP error: glanceclient asks keystoneauth not to
  raise (``raise_exc=False``) and raises one of its ``HTTP*`` classes; an
  unknown status becomes a bare ``HTTPException`` whose ``code`` is 'N/A'.
* Glance could not be reached: keystoneauth's ``ConnectFailure`` or
  ``ConnectTimeout`` (the latter also for *read* timeouts), which
  glanceclient renames ``CommunicationError`` and ``InvalidEndpoint``.
* Keystone refused the credentials, failed, or lacks an image endpoint for
  the region: keystoneauth's own exceptions, untouched by glanceclient (so a
  keystoneauth ``HttpError`` always comes from Keystone, never from Glance).
* A download broke after its headers: ``requests`` exceptions, raised while
  iterating the body.
"""

from __future__ import annotations

import contextlib
import http.client
import re
from collections.abc import Iterator

import requests
from glanceclient import exc as glance_exc
from keystoneauth1 import exceptions as ksa_exc

from glance_sync.regions import base

__all__ = ['dropped_connection', 'translate', 'translated']

_DROPPED = (http.client.RemoteDisconnected, ConnectionResetError,
            ConnectionAbortedError)

#: Enough of an error to recognise it, not a whole HTML document. Both
#: ends are kept: connection errors put the cause ("Connection refused")
#: at the end of a long repetition of the URL.
_HEAD = 160
_TAIL = 160

_UNREACHABLE = (glance_exc.CommunicationError, glance_exc.InvalidEndpoint,
                ksa_exc.ConnectionError, ksa_exc.DiscoveryFailure,
                requests.exceptions.RequestException)
_STATUS_LINE = re.compile(r'\s*([1-5][0-9][0-9])\b')
_KEYSTONE_REFUSED = (ksa_exc.HTTPClientError, ksa_exc.AuthorizationFailure,
                     ksa_exc.AuthPluginException)


def _short(text: object) -> str:
    reason = ' '.join(str(text).split())
    if len(reason) > _HEAD + _TAIL + 5:
        return '%s ... %s' % (reason[:_HEAD], reason[-_TAIL:])
    return reason


def _status(exc: glance_exc.HTTPException) -> int | None:
    """The HTTP status of a glanceclient error, even an unmapped one."""
    if isinstance(exc.code, int):
        return exc.code
    # glanceclient has classes for a dozen statuses only; for the others
    # (415 from glance 33's format inspection, 410, 504, ...) it raises a
    # bare HTTPException whose code is 'N/A'. Glance's error pages start
    # with the status line ("415 Unsupported Media Type: ..."), which is
    # where we read it back from.
    match = _STATUS_LINE.match(str(exc.details or ''))
    return int(match.group(1)) if match else None


def _glance_reason(exc: glance_exc.HTTPException) -> str:
    status = _status(exc)
    details = str(exc.details)
    if status is None or details.startswith(str(status)):
        return _short('HTTP %s' % details)
    return _short('HTTP %s: %s' % (status, details))


def _while(action: str, image: str | None) -> str:
    return ' (while %s)' % (
        '%s image %s' % (action, image) if image else action)


def _from_glance(exc: glance_exc.HTTPException, region: str, action: str,
                 image: str | None) -> base.RegionError:
    reason = _glance_reason(exc)
    if isinstance(exc, glance_exc.HTTPNotFound) and image:
        return base.ImageNotFound(region, image=image)
    if isinstance(exc, glance_exc.HTTPConflict):
        return base.Conflict(region, image=image or '-',
                             reason=reason + _while(action, None))
    if isinstance(exc, glance_exc.HTTPUnauthorized):
        return base.AuthFailed(
            region, reason='Glance refused the token: %s%s'
            % (reason, _while(action, image)))
    # An unknown status is taken as the service failing. A 404 without an
    # image means the endpoint itself is wrong.
    status = _status(exc)
    if status is None or status >= 500 or status == 404:
        return base.RegionUnavailable(region,
                                      reason=reason + _while(action, image))
    what = '%s image %s' % (action, image) if image else action
    return base.Refused(region, action=what, reason=reason)


def translate(exc: BaseException, region: str, action: str,
              image: str | None = None) -> base.RegionError | None:
    """The region error that stands for a client library's error.

    :param exc: the error raised by glanceclient, keystoneauth or requests.
    :param region: the qualified region name, for the message.
    :param action: what was being done, e.g. ``'uploading'``; the message
        ends with "(while <action> image <image>)".
    :param image: the image id (or name) concerned, if any.
    :returns: the error to raise instead, or ``None`` when ``exc`` is not a
        client error (a bug, or an error of ours passing through).
    """
    if isinstance(exc, glance_exc.HTTPException):
        return _from_glance(exc, region, action, image)
    detail = _short(exc) + _while(action, image)
    if isinstance(exc, ksa_exc.HttpServerError):
        return base.RegionUnavailable(region,
                                      reason='Keystone failed: ' + detail)
    if isinstance(exc, _KEYSTONE_REFUSED):
        return base.AuthFailed(
            region, reason='Keystone refused the credentials: ' + detail)
    if isinstance(exc, ksa_exc.CatalogException):
        return base.RegionUnavailable(
            region, reason='no usable image endpoint in the catalog: '
            + detail)
    if isinstance(exc, _UNREACHABLE):
        return base.RegionUnavailable(region, reason=detail)
    return None


@contextlib.contextmanager
def translated(region: str, action: str,
               image: str | None = None) -> Iterator[None]:
    """Run a block, raising region errors for client library errors.

    Errors that are not client errors (ours included) pass unchanged.

    :param region: the qualified region name.
    :param action: what the block does, see :func:`translate`.
    :param image: the image concerned, if any.
    :raises RegionError: the translation of a client error, chained to it.
    """
    try:
        yield
    except Exception as exc:
        mapped = translate(exc, region, action, image)
        if mapped is None:
            raise
        raise mapped from exc


def dropped_connection(exc: BaseException) -> bool:
    """Whether an error comes from a connection the server closed or reset
    under a request: a kept-alive connection its server had just let go
    (gunicorn closes idle ones after 2 s) fails the next request that way,
    before the server saw it. A refused connection is not one.
    """
    # requests and urllib3 keep the cause in their arguments as well as in
    # the chain: ConnectionError(ProtocolError('...', RemoteDisconnected)).
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, _DROPPED):
            return True
        todo += [arg for arg in getattr(current, 'args', ())
                 if isinstance(arg, BaseException)]
        todo += [e for e in (current.__cause__, current.__context__)
                 if e is not None]
    return False
