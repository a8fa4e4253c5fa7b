"""A lightweight Glance v2 images API serving many regions from one process.

The scale benchmark needs a hundred regions of ten thousand images; a
hundred glance-api processes (about 140 MB each) do not fit on one
machine. This WSGI application serves the subset of the Glance v2 images
API that python-glanceclient and the glance-sync driver use, for any
number of regions, each under its own path prefix
(``http://host:port/<region>/v2/images``), so that Keystone's catalog can
list each prefix as one region's ``image`` endpoint:

- ``GET /v2/images`` with Glance's pagination (``limit``, ``marker``,
  ``next``; newest first) and the filters Glance implements: ``name`` and
  ``id`` (exact or ``in:a,b``), ``owner``, ``visibility`` (``all``,
  ``public``, ``private``, ``shared``, ``community``), ``status``,
  ``os_hidden``, ``tag`` and any other key as an exact property filter;
- ``GET``/``PATCH`` (JSON patch)/``DELETE /v2/images/{id}``, ``POST
  /v2/images``, ``PUT``/``GET /v2/images/{id}/file`` (uploads are hashed
  and discarded; downloads regenerate the bytes a loaded image was made
  of), ``POST /v2/images/{id}/actions/(de|re)activate``,
  ``GET /v2/schemas/image(s)`` (glance's own schemas);
- ``/_bench/...``: counters of requests per region and kind, reset, bulk
  load of images, copies of the master into regions, property changes
  and convergence checks that are not counted as requests.

Records live in memory. Tokens are not validated (Keystone is not what is
measured): every caller is an admin of ``--project-id``. ``--delay``
seconds are slept per images-API request to stand in for a real Glance's
service time. Validated against the real glance-api by
``tests/functional/bench/test_fakeglance.py``.

Run under gunicorn (``gthread``): ``python -m tools.bench_scale.fakeglance
--port P --project-id ID [--delay S]``.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import hashlib
import itertools
import json
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ['FakeGlance', 'content', 'main']

#: Columns of a Glance v2 image that are not user properties.
CORE = ('id', 'name', 'status', 'visibility', 'protected', 'os_hidden',
        'checksum', 'os_hash_algo', 'os_hash_value', 'size',
        'virtual_size', 'disk_format', 'container_format', 'min_ram',
        'min_disk', 'owner', 'created_at', 'updated_at', 'tags')
_READ_ONLY = frozenset({'id', 'status', 'checksum', 'os_hash_algo',
                        'os_hash_value', 'size', 'virtual_size', 'owner',
                        'created_at', 'updated_at', 'self', 'file', 'schema',
                        'stores', 'locations', 'direct_url'})
_NOT_FILTERS = frozenset({'limit', 'marker', 'sort_key', 'sort_dir', 'sort',
                          'member_status'})
DEFAULT_LIMIT = 25
MAX_LIMIT = 1000


def content(seed: str, size: int) -> bytes:
    """The bytes of a loaded image: ``size`` bytes derived from ``seed``."""
    block = hashlib.sha512(seed.encode()).digest()
    return (block * (size // len(block) + 1))[:size]


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        '%Y-%m-%dT%H:%M:%SZ')


class _Error(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


class Region:
    """One region's images, newest first, with a cache of filtered views."""

    def __init__(self) -> None:
        self.images: dict[str, dict[str, Any]] = {}
        self.order: dict[str, int] = {}
        self.lock = threading.Lock()
        self.version = 0
        self._views: dict[tuple[Any, ...], tuple[int, list[str],
                                                  dict[str, int]]] = {}
        self._seq = itertools.count()

    def put(self, record: dict[str, Any]) -> None:
        if record['id'] not in self.order:
            self.order[record['id']] = next(self._seq)
        self.images[record['id']] = record
        self.version += 1

    def remove(self, image_id: str) -> None:
        self.images.pop(image_id, None)
        self.order.pop(image_id, None)
        self.version += 1

    def view(self, key: tuple[Any, ...],
             keep: Callable[[dict[str, Any]], bool]
             ) -> tuple[list[str], dict[str, int]]:
        cached = self._views.get(key)
        if cached is not None and cached[0] == self.version:
            return cached[1], cached[2]
        ids = sorted((i for i, r in self.images.items() if keep(r)),
                     key=lambda i: self.order[i], reverse=True)
        where = {image_id: n for n, image_id in enumerate(ids)}
        if len(self._views) > 64:
            self._views.clear()
        self._views[key] = (self.version, ids, where)
        return ids, where


def _in_list(value: str) -> list[str]:
    """Glance's ``in:`` operator: a comma-separated list, items may be
    double-quoted."""
    items = []
    for raw in value[3:].split(','):
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = raw[1:-1]
        items.append(raw)
    return items


def _matcher(key: str, value: str) -> Callable[[dict[str, Any]], bool]:
    if key == 'tag':
        return lambda r: value in r.get('tags', [])
    if key in ('protected', 'os_hidden'):
        wanted = value.lower() == 'true'
        return lambda r: bool(r.get(key)) == wanted
    if value.startswith('in:'):
        allowed = set(_in_list(value))
        return lambda r: _text(r.get(key)) in allowed
    return lambda r: _text(r.get(key)) == value


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


class FakeGlance:
    """The WSGI application (see the module docstring).

    :param project_id: the project every caller belongs to.
    :param delay: seconds slept per images-API request.
    """

    def __init__(self, project_id: str, delay: float = 0.0) -> None:
        self.project_id = project_id
        self.delay = delay
        self.regions: dict[str, Region] = collections.defaultdict(Region)
        self.counts: collections.Counter[tuple[str, str]] = (
            collections.Counter())
        self._counts_lock = threading.Lock()
        self._schemas: dict[str, Any] | None = None

    # -- WSGI -------------------------------------------------------------

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ['REQUEST_METHOD']
        parts = environ.get('PATH_INFO', '').strip('/').split('/')
        query = urllib.parse.parse_qsl(environ.get('QUERY_STRING', ''),
                                       keep_blank_values=True)
        try:
            if parts[0] == '_bench':
                status, body, ctype = self._bench(method, parts[1:], environ)
            else:
                region, rest = parts[0], parts[1:]
                kind = self._kind(method, rest)
                with self._counts_lock:
                    self.counts[(region, kind)] += 1
                if self.delay and rest[:2] == ['v2', 'images']:
                    time.sleep(self.delay)
                status, body, ctype = self._route(
                    method, self.regions[region], rest, dict(query), environ)
        except _Error as exc:
            # Glance's (WebOb's) error page.
            status, ctype = exc.status, 'text/html; charset=UTF-8'
            body = ('<html>\n <head>\n  <title>%s</title>\n </head>\n '
                    '<body>\n  <h1>%s</h1>\n  %s<br /><br />\n\n\n\n '
                    '</body>\n</html>' % (exc.status, exc.status,
                                          exc)).encode()
        headers = [('Content-Type', ctype),
                   ('Content-Length', str(len(body)))]
        start_response(status, headers)
        return [body]

    @staticmethod
    def _kind(method: str, rest: list[str]) -> str:
        """The request's kind for the counters: ``GET image``, ``PUT
        file``, ``GET list``..."""
        if rest[:2] != ['v2', 'images']:
            return '%s %s' % (method, '/'.join(rest[:2]))
        if len(rest) == 2:
            return '%s %s' % (method, 'list' if method == 'GET' else 'images')
        if len(rest) == 3:
            return '%s image' % method
        return '%s %s' % (method, rest[3])

    def _route(self, method: str, region: Region, rest: list[str],
               query: dict[str, str], environ: dict[str, Any]
               ) -> tuple[str, bytes, str]:
        if rest[:2] == ['v2', 'schemas'] and method == 'GET':
            return self._json('200 OK', self._schema(rest[2:]))
        if rest[:2] != ['v2', 'images']:
            raise _Error('404 Not Found', 'no such resource')
        if len(rest) == 2:
            if method == 'GET':
                return self._json('200 OK', self._list(region, query))
            if method == 'POST':
                return self._json('201 Created',
                                  self._create(region, _body(environ)))
        elif len(rest) == 3:
            return self._image_call(method, region, rest[2], environ)
        elif rest[3] == 'file':
            return self._file(method, region, rest[2], environ)
        elif rest[3] == 'actions' and len(rest) == 5 and method == 'POST':
            return self._action(region, rest[2], rest[4])
        raise _Error('405 Method Not Allowed', 'not supported here')

    @staticmethod
    def _json(status: str, body: Any) -> tuple[str, bytes, str]:
        return status, json.dumps(body).encode(), 'application/json'

    def _schema(self, which: list[str]) -> dict[str, Any]:
        if self._schemas is None:
            # glance's own schemas: what glanceclient validates against.
            from glance.api.v2 import images as glance_images
            self._schemas = {
                'image': glance_images.get_schema().raw(),
                'images': glance_images.get_collection_schema().raw()}
        if which and which[0] in self._schemas:
            return self._schemas[which[0]]
        raise _Error('404 Not Found', 'no such schema')

    # -- images -----------------------------------------------------------

    def _get(self, region: Region, image_id: str) -> dict[str, Any]:
        record = region.images.get(image_id)
        if record is None:
            raise _Error('404 Not Found',
                         'No image found with ID %s' % image_id)
        return record

    @staticmethod
    def _show(record: dict[str, Any]) -> dict[str, Any]:
        shown = {key: value for key, value in record.items()
                 if not key.startswith('_')}
        shown['self'] = '/v2/images/%s' % record['id']
        shown['file'] = '/v2/images/%s/file' % record['id']
        shown['schema'] = '/v2/schemas/image'
        if record['status'] == 'active':
            shown['stores'] = 'local'
        return shown

    def _visible(self, visibility: str | None
                 ) -> Callable[[dict[str, Any]], bool]:
        # The caller is an admin: Glance shows admins every image but
        # other projects' community ones, unless asked for a visibility.
        if visibility == 'all':
            return lambda r: True
        if visibility is not None:
            return lambda r: r['visibility'] == visibility
        return lambda r: (r['visibility'] != 'community'
                          or r['owner'] == self.project_id)

    def _list(self, region: Region, query: dict[str, str]
              ) -> dict[str, Any]:
        limit = min(int(query.get('limit', DEFAULT_LIMIT)), MAX_LIMIT)
        filters = {k: v for k, v in query.items()
                   if k not in _NOT_FILTERS and k != 'visibility'}
        if 'os_hidden' not in filters:
            filters['os_hidden'] = 'false'
        tests = [self._visible(query.get('visibility'))]
        tests += [_matcher(k, v) for k, v in filters.items()]
        key = (query.get('visibility'), tuple(sorted(filters.items())))
        with region.lock:
            ids, where = region.view(key, lambda r: all(t(r) for t in tests))
            start = 0
            marker = query.get('marker')
            if marker:
                if marker not in where:
                    raise _Error('400 Bad Request',
                                 'marker %s not found' % marker)
                start = where[marker] + 1
            page = [self._show(region.images[i])
                    for i in ids[start:start + limit]]
        body: dict[str, Any] = {
            'images': page, 'schema': '/v2/schemas/images',
            'first': '/v2/images?' + urllib.parse.urlencode(
                {k: v for k, v in query.items() if k != 'marker'})}
        if start + limit < len(ids):
            params = dict(query, marker=page[-1]['id'], limit=str(limit))
            body['next'] = '/v2/images?' + urllib.parse.urlencode(params)
        return body

    def _create(self, region: Region, body: dict[str, Any]
                ) -> dict[str, Any]:
        bad = _READ_ONLY.intersection(body) - {'id'}
        if bad:
            raise _Error('403 Forbidden', 'Attribute %r is read-only.'
                         % sorted(bad)[0])
        now = _now()
        record: dict[str, Any] = {
            'name': None, 'disk_format': None, 'container_format': None,
            'visibility': 'shared', 'size': None, 'virtual_size': None,
            'status': 'queued', 'checksum': None, 'protected': False,
            'min_ram': 0, 'min_disk': 0, 'owner': self.project_id,
            'os_hidden': False, 'os_hash_algo': None, 'os_hash_value': None,
            'id': str(uuid.uuid4()), 'created_at': now, 'updated_at': now,
            'tags': []}
        record.update(body)
        with region.lock:
            if record['id'] in region.images:
                raise _Error('409 Conflict', 'Image with identifier %s '
                             'already exists!' % record['id'])
            region.put(record)
        return self._show(record)

    def _image_call(self, method: str, region: Region, image_id: str,
                    environ: dict[str, Any]) -> tuple[str, bytes, str]:
        if method == 'GET':
            return self._json('200 OK', self._show(self._get(region,
                                                             image_id)))
        if method == 'DELETE':
            with region.lock:
                record = self._get(region, image_id)
                if record.get('protected'):
                    raise _Error('403 Forbidden', 'Image %s is protected '
                                 'and cannot be deleted.' % image_id)
                region.remove(image_id)
            return '204 No Content', b'', 'text/plain'
        if method == 'PATCH':
            return self._json('200 OK', self._patch(
                region, image_id, _body(environ)))
        raise _Error('405 Method Not Allowed', 'not supported here')

    def _patch(self, region: Region, image_id: str,
               changes: list[dict[str, Any]]) -> dict[str, Any]:
        with region.lock:
            record = dict(self._get(region, image_id))
            for change in changes:
                name = change['path'].lstrip('/')
                if name in _READ_ONLY:
                    raise _Error('403 Forbidden',
                                 'Attribute %s is read-only.' % name)
                if change['op'] == 'remove':
                    if name in CORE or name not in record:
                        raise _Error('409 Conflict', 'Property %s does not '
                                     'exist.' % name)
                    del record[name]
                elif change['op'] in ('add', 'replace'):
                    record[name] = change['value']
                else:
                    raise _Error('400 Bad Request', 'bad op')
            record['updated_at'] = _now()
            region.put(record)
        return self._show(record)

    def _action(self, region: Region, image_id: str,
                action: str) -> tuple[str, bytes, str]:
        with region.lock:
            record = dict(self._get(region, image_id))
            transitions = {'deactivate': ('active', 'deactivated'),
                           'reactivate': ('deactivated', 'active')}
            if action not in transitions:
                raise _Error('404 Not Found', 'no such action')
            before, after = transitions[action]
            if record['status'] not in (before, after):
                raise _Error('403 Forbidden', 'Not allowed to %s image in '
                             'status %r' % (action, record['status']))
            record['status'] = after
            region.put(record)
        return '204 No Content', b'', 'text/plain'

    def _file(self, method: str, region: Region, image_id: str,
              environ: dict[str, Any]) -> tuple[str, bytes, str]:
        record = self._get(region, image_id)
        if method == 'GET':
            seed = record.get('_seed')
            if record['status'] != 'active' or seed is None:
                return '204 No Content', b'', 'text/plain'
            return ('200 OK', content(seed, record['size']),
                    'application/octet-stream')
        if method != 'PUT':
            raise _Error('405 Method Not Allowed', 'not supported here')
        md5, sha512, size = hashlib.md5(), hashlib.sha512(), 0
        for chunk in _read_body(environ):
            md5.update(chunk)
            sha512.update(chunk)
            size += len(chunk)
        with region.lock:
            record = dict(self._get(region, image_id))
            if record['status'] != 'queued':
                raise _Error('409 Conflict', 'Image status transition from '
                             '%s to saving is not allowed'
                             % record['status'])
            record.update(status='active', size=size,
                          checksum=md5.hexdigest(), os_hash_algo='sha512',
                          os_hash_value=sha512.hexdigest(),
                          updated_at=_now())
            region.put(record)
        return '204 No Content', b'', 'text/plain'

    # -- benchmark control -------------------------------------------------

    def _bench(self, method: str, parts: list[str], environ: dict[str, Any]
               ) -> tuple[str, bytes, str]:
        if parts == ['stats'] and method == 'GET':
            with self._counts_lock:
                stats: dict[str, dict[str, int]] = collections.defaultdict(
                    dict)
                for (region, kind), count in self.counts.items():
                    stats[region][kind] = count
            return self._json('200 OK', stats)
        if parts == ['reset'] and method == 'POST':
            body = _body(environ)
            with self._counts_lock:
                self.counts.clear()
            if 'delay' in body:
                self.delay = float(body['delay'])
            return self._json('200 OK', {})
        if parts == ['load'] and method == 'POST':
            return self._json('200 OK', self._load(_body(environ)))
        if parts == ['copy'] and method == 'POST':
            return self._json('200 OK', self._copy(_body(environ)))
        if parts == ['patch'] and method == 'POST':
            body = _body(environ)
            changes = [{'op': 'add', 'path': '/' + k, 'value': v}
                       for k, v in body['properties'].items()]
            return self._json('200 OK', self._patch(
                self.regions[body['region']], body['id'], changes))
        if parts == ['sources'] and method == 'POST':
            body = _body(environ)
            region = self.regions[body['region']]
            with region.lock:
                sources = [r.get('glance_sync_source')
                           for r in region.images.values()
                           if r.get(body['property']) == body['value']]
            return self._json('200 OK', {'sources': sources})
        if parts == ['clear'] and method == 'POST':
            self.regions.clear()
            return self._json('200 OK', {})
        raise _Error('404 Not Found', 'no such bench call')

    def _load(self, body: dict[str, Any]) -> dict[str, int]:
        """Active images in a region: ``{"region", "images": [{"name",
        "size", "visibility", "properties": {...}}]}``."""
        region = self.regions[body['region']]
        now = _now()
        with region.lock:
            for spec in body['images']:
                image_id = spec.get('id') or str(uuid.uuid4())
                data = content(image_id, spec.get('size', 1024))
                record = {
                    'name': spec['name'], 'disk_format': 'raw',
                    'container_format': 'bare',
                    'visibility': spec.get('visibility', 'public'),
                    'size': len(data), 'virtual_size': None,
                    'status': 'active',
                    'checksum': hashlib.md5(data).hexdigest(),
                    'protected': False, 'min_ram': 0, 'min_disk': 0,
                    'owner': spec.get('owner', self.project_id),
                    'os_hidden': False, 'os_hash_algo': 'sha512',
                    'os_hash_value': hashlib.sha512(data).hexdigest(),
                    'id': image_id, 'created_at': now, 'updated_at': now,
                    'tags': [], '_seed': image_id}
                record.update(spec.get('properties', {}))
                region.put(record)
        return {'images': len(body['images'])}

    def _copy(self, body: dict[str, Any]) -> dict[str, int]:
        """Copies of every image of ``source`` into each of ``regions``, as
        glance-sync makes them (``properties`` added to each copy,
        ``{source_id}`` replaced by the master image's id)."""
        source = self.regions[body['source']]
        with source.lock:
            originals = [dict(r) for r in source.images.values()]
        for name in body['regions']:
            region = self.regions[name]
            with region.lock:
                for original in originals:
                    record = dict(original, id=str(uuid.uuid4()))
                    record.pop('_seed', None)
                    for key, value in body.get('properties', {}).items():
                        record[key] = value.replace('{source_id}',
                                                    original['id'])
                    region.put(record)
        return {'copies': len(originals) * len(body['regions'])}


def _read_body(environ: dict[str, Any]) -> Iterator[bytes]:
    stream = environ['wsgi.input']
    length = environ.get('CONTENT_LENGTH')
    if length:
        remaining = int(length)
        while remaining > 0:
            chunk = stream.read(min(65536, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk
        return
    # Chunked (glanceclient's uploads): the server decodes it.
    while True:
        chunk = stream.read(65536)
        if not chunk:
            return
        yield chunk


def _body(environ: dict[str, Any]) -> Any:
    raw = b''.join(_read_body(environ))
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise _Error('400 Bad Request', 'the body is not JSON') from exc


def main(argv: list[str] | None = None) -> None:
    """Serve under gunicorn (threads, one worker: records are in memory)."""
    parser = argparse.ArgumentParser(prog='fakeglance')
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--project-id', required=True)
    parser.add_argument('--delay', type=float, default=0.0)
    parser.add_argument('--threads', type=int, default=16)
    args = parser.parse_args(argv)
    from gunicorn.app.base import BaseApplication

    app = FakeGlance(args.project_id, args.delay)

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {'bind': '127.0.0.1:%d' % args.port,
                               'workers': 1, 'worker_class': 'gthread',
                               'threads': args.threads, 'timeout': 900,
                               'graceful_timeout': 2,
                               'keepalive': 30, 'loglevel': 'warning',
                               'accesslog': None}.items():
                self.cfg.set(key, value)

        def load(self) -> FakeGlance:
            return app

    _Server().run()


if __name__ == '__main__':
    main()
