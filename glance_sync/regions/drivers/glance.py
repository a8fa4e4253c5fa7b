"""A region served by a real Glance, through its v2 API.

Built on python-glanceclient and a keystoneauth1 session. The session
belongs to the target (see :mod:`glance_sync.regions.auth`) and is shared by
all its regions; each :class:`GlanceRegion` only picks its endpoint from the
catalog by region name and interface.

Every call blocks until Glance has answered or a timeout of the session has
expired. Client library errors are translated by
:mod:`~glance_sync.regions.drivers.glance_errors`, so callers only see the
exceptions of :mod:`glance_sync.regions.base`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import requests
from glanceclient import client as glance_client
from keystoneauth1 import session as ksa_session

from glance_sync.regions import base
from glance_sync.regions import catalog
from glance_sync.regions import streams
from glance_sync.regions.drivers import glance_attributes
from glance_sync.regions.drivers import glance_errors
from glance_sync.regions.drivers import glance_image
from glance_sync.regions.drivers import glance_listing
from glance_sync.regions.drivers import glance_patch
from glance_sync.regions.drivers import glance_members
from glance_sync.regions.drivers import glance_stores
from glance_sync.regions.drivers import glance_transfer
from glance_sync.regions.drivers import glance_query

__all__ = ['DEFAULT_CHUNK_SIZE', 'DEFAULT_PAGE_SIZE', 'GlanceRegion',
           'regions_of_target']

LOG = logging.getLogger(__name__)

#: Images per page when listing (Glance's default ``api_limit_max`` is 1000).
DEFAULT_PAGE_SIZE = 200
#: Bytes per chunk when downloading; glanceclient also uploads by 1 MiB.
DEFAULT_CHUNK_SIZE = 1024 * 1024
#: Tries of a read whose connection the server dropped.
READ_ATTEMPTS = 3

_translated = glance_errors.translated
_T = TypeVar('_T')


class GlanceRegion(base.Region, glance_transfer.GlanceTransfer,
                   glance_attributes.GlanceAttributes,
                   glance_members.GlanceMembers, glance_stores.GlanceStores):
    """One region's Glance v2 API, used with a target's session, with the
    optional capabilities of :class:`~glance_sync.regions.drivers.
    glance_transfer.GlanceTransfer`.

    Thread-safe: the keystoneauth session and glanceclient's HTTP adapter
    may be shared by threads; no call keeps state between requests.
    """

    def __init__(self, name: str, session: ksa_session.Session, *,
                 region_name: str | None = None, interface: str = 'public',
                 project_id: str | None = None,
                 owners: Callable[[], Sequence[str]] | None = None,
                 endpoint_override: str | None = None,
                 page_size: int = DEFAULT_PAGE_SIZE,
                 chunk_size: int = DEFAULT_CHUNK_SIZE,
                 list_timeout: float | None = None) -> None:
        """Prepare the client; nothing is requested until the first call.

        :param name: the qualified region name (``Region`` or
            ``target:Region``), used in records and messages.
        :param session: the target's session.
        :param region_name: the region in the target's catalog; defaults to
            the region part of ``name``.
        :param interface: the catalog interface of the image endpoint.
        :param project_id: the project whose images are listed; defaults to
            the session's project.
        :param owners: gives the projects whose images are listed instead
            (several master projects, copies that keep their master's
            owner); called once, on the first read.
        :param endpoint_override: the Glance URL to use instead of the
            catalog's (a proxy, a private network).
        :param page_size: images per page when listing.
        :param chunk_size: bytes per chunk when downloading.
        :param list_timeout: seconds a whole listing may take (GlanceSync's
            ``list_images_timeout``); checked between pages, each request
            being bounded by the session's read timeout.
        """
        super().__init__(name)
        self.region_name = region_name or base.split_name(name)[1]
        self.interface = interface
        self._session = session
        self._list_timeout = list_timeout
        self._project_id = project_id
        self._owners_of = owners
        self._owners: tuple[str, ...] | None = None
        self._page_size = page_size
        self._chunk_size = chunk_size
        self._client = glance_client.Client(
            '2', session=session, region_name=self.region_name,
            interface=interface, endpoint_override=endpoint_override)
        self._requests = glance_query.count_requests(self._client)

    def __repr__(self) -> str:
        return '<GlanceRegion %s (%s, %s)>' % (self.name, self.region_name,
                                              self.interface)

    @property
    def client(self) -> Any:
        """The glanceclient ``Client`` this region talks through (same
        session, endpoint and interface)."""
        return self._client

    @property
    def project_id(self) -> str:
        """The project whose images this region lists (authenticates).

        :raises AuthFailed: Keystone refused the credentials.
        :raises RegionUnavailable: Keystone did not answer.
        """
        if self._project_id is None:
            with _translated(self.name, 'authenticating'):
                project_id = self._session.get_project_id()
            if not project_id:
                raise base.AuthFailed(
                    self.name, reason='the token is not scoped to a project')
            self._project_id = project_id
        return self._project_id

    @property
    def owners(self) -> tuple[str, ...]:
        """The projects whose images this region lists: :attr:`project_id`,
        or those ``owners`` gave.

        :raises AuthFailed: Keystone refused the credentials.
        :raises RegionUnavailable: Keystone did not answer.
        """
        if self._owners is None:
            if self._owners_of is None:
                self._owners = (self.project_id,)
            else:
                with _translated(self.name, 'reading its projects'):
                    self._owners = tuple(self._owners_of())
        return self._owners

    def _image(self, raw: Mapping[str, Any]) -> base.Image:
        return glance_image.to_image(raw, self.name)

    def _pages(self, filters: dict[str, str]) -> Iterator[Mapping[str, Any]]:
        pages: Iterator[Mapping[str, Any]] = glance_listing.pages(
            self._client.http_client, filters=filters,
            page_size=self._page_size)
        if self._list_timeout is None:
            return pages
        return self._before_deadline(pages, time.monotonic()
                                     + self._list_timeout)

    def _before_deadline(self, items: Iterator[Mapping[str, Any]],
                         deadline: float) -> Iterator[Mapping[str, Any]]:
        for item in items:
            if time.monotonic() > deadline:
                # A region that lists this slowly would hold the whole
                # sync back: GlanceSync gave up on it, so do we.
                raise base.RegionUnavailable(
                    self.name, reason='listing images took longer than '
                    '%g s (list_images_timeout)' % (self._list_timeout or 0))
            yield item

    def list_images(self, include_public: bool = False) -> list[base.Image]:
        """Every image of the project, and optionally others' public ones.

        ``visibility=all`` makes Glance include the project's community
        images, which a plain owner filter leaves out for admins.

        :param include_public: also list other projects' public images.
        :returns: the images, each once, in no particular order.
        :raises RegionUnavailable: the service did not answer.
        :raises AuthFailed: the credentials were refused.
        """
        owners = self.owners

        def listing() -> dict[str, Mapping[str, Any]]:
            found: dict[str, Mapping[str, Any]] = {}
            with _translated(self.name, 'listing images'):
                # Glance filters on one owner at a time.
                for owner in owners:
                    for raw in self._pages({'owner': owner,
                                            'visibility': 'all'}):
                        found[raw['id']] = raw
                if include_public:
                    for raw in self._pages({'visibility': 'public'}):
                        found.setdefault(raw['id'], raw)
            return found

        found = self._read(listing)
        LOG.debug('Listed %(count)d images in region %(region)s',
                  {'count': len(found), 'region': self.name})
        return [self._image(raw) for raw in found.values()]

    @property
    def requests_made(self) -> int:
        """HTTP requests sent to this region's Glance so far (every page,
        retry and upload included; for benchmarks and debugging)."""
        return glance_query.requests_so_far(self._requests)

    def find_images(self, query: base.ImageQuery) -> list[base.Image]:
        """The images of :meth:`list_images` that ``query`` wants, read
        with Glance's server-side filters (``name=in:``, ``id=in:``, the
        source property), in the order the listing gives them.

        Names Glance's ``in:`` syntax cannot quote are looked for in the
        full listing instead.

        :raises RegionUnavailable: the service did not answer.
        :raises AuthFailed: the credentials were refused.
        """
        clauses = glance_query.clauses(query)
        if clauses is None:
            return super().find_images(query)
        if not clauses:
            return []
        owners = self.owners
        # With others' public images, one request per clause without the
        # owner filter, sorted out here: what the listing's requests (each
        # project's, the public ones) would have found.
        scopes = ([{'visibility': 'all'}] if query.include_public
                  else [{'owner': owner, 'visibility': 'all'}
                        for owner in owners])

        def finding() -> list[Mapping[str, Any]]:
            own: dict[str, Mapping[str, Any]] = {}
            public: dict[str, Mapping[str, Any]] = {}
            with _translated(self.name, 'finding images'):
                for clause in clauses:
                    for scope in scopes:
                        for raw in self._pages(dict(clause, **scope)):
                            if raw.get('owner') in owners:
                                own[raw['id']] = raw
                            elif raw.get('visibility') == 'public':
                                public[raw['id']] = raw
            return glance_query.listing_order(own, public, owners)

        found = [self._image(raw) for raw in self._read(finding)]
        return base.filter_images(found, query)

    def _read(self, read: Callable[[], _T]) -> _T:
        """A read, made again when the server dropped the connection under
        it (a kept-alive one it had just closed): it is safe to repeat, and
        failing a whole sync for it would not be."""
        for attempt in range(1, READ_ATTEMPTS + 1):
            try:
                return read()
            except base.RegionUnavailable as exc:
                if (attempt == READ_ATTEMPTS
                        or not glance_errors.dropped_connection(exc)):
                    raise
                LOG.debug('%s: the connection was dropped (%s); reading '
                          'again', self.name, exc)
        raise AssertionError('unreachable')  # pragma: no cover

    def get_image(self, image_id: str) -> base.Image:
        """One image by id.

        :raises ImageNotFound: no such image.
        :raises RegionUnavailable: the service did not answer.
        :raises AuthFailed: the credentials were refused.
        """
        def reading() -> base.Image:
            with _translated(self.name, 'reading', image_id):
                return self._image(self._client.images.get(image_id))
        return self._read(reading)

    def _check_properties(self, image: str,
                          properties: Mapping[str, Any]) -> None:
        for key, value in properties.items():
            if key in glance_image.CORE_ATTRIBUTES:
                raise ValueError(
                    'Property %r of image %s for region %s is a core '
                    'attribute of Glance images' % (key, image, self.name))
            if not isinstance(value, str):
                # Glance's schema types every extra property as a string.
                raise ValueError(
                    'Property %r of image %s for region %s must be a '
                    'string, not %s' % (key, image, self.name,
                                        type(value).__name__))

    def create_image(self, name: str, *, visibility: str,
                     properties: Mapping[str, Any],
                     disk_format: str | None = None,
                     container_format: str | None = None,
                     min_disk: int = 0, min_ram: int = 0,
                     image_id: str | None = None,
                     owner: str | None = None) -> base.Image:
        """Create an image record (status ``queued``) without data.

        :param properties: extra properties, all strings.
        :param image_id: the id to give it; ``None`` lets Glance choose.
        :param owner: the project to own it (Glance lets an admin set
            it); ``None``: the token's project.
        :returns: the new record.
        :raises ValueError: a property is a core attribute or not a string.
        :raises IdInUse: ``image_id`` is taken or was used before.
        :raises Refused: Glance refused a value or the visibility (policy).
        :raises RegionUnavailable: the service did not answer.
        """
        self._check_properties(name, properties)
        fields: dict[str, Any] = dict(properties, name=name,
                                      visibility=visibility,
                                      min_disk=min_disk, min_ram=min_ram)
        optional = {'disk_format': disk_format,
                    'container_format': container_format, 'id': image_id,
                    'owner': owner}
        fields.update((k, v) for k, v in optional.items() if v is not None)
        try:
            with _translated(self.name, 'creating', image_id or name):
                record = self._image(self._client.images.create(**fields))
        except base.Conflict as exc:
            if image_id is None:
                raise
            # Glance's only 409 on create: the id is or was used.
            raise base.IdInUse(self.name, image=image_id,
                               reason=exc.kwargs.get('reason', exc)) from exc
        LOG.info('Created image %(id)s (%(name)s) in region %(region)s',
                 {'id': record.id, 'name': name, 'region': self.name})
        return record

    def upload(self, image_id: str, chunks: Iterable[bytes],
               size: int | None = None) -> base.Image:
        """Stream the image's data to Glance as chunked HTTP.

        Only one chunk is held at a time. Errors raised by ``chunks`` itself
        (such as a source region failing) abort the upload and propagate
        unchanged.

        :param size: the expected size, sent to Glance as a hint.
        :returns: the record after the upload (normally ``active``).
        :raises ImageNotFound: no such image.
        :raises Conflict: the image is not ``queued``.
        :raises RegionUnavailable: the service failed during the upload.
        """
        reader = streams.IterReader(chunks)
        with _translated(self.name, 'uploading', image_id):
            self._client.images.upload(image_id, reader, image_size=size)
        LOG.info('Uploaded %(bytes)d bytes to image %(id)s in region '
                 '%(region)s', {'bytes': reader.bytes_read, 'id': image_id,
                                'region': self.name})
        return self.get_image(image_id)

    def update(self, image_id: str, *, name: str | None = None,
               visibility: str | None = None,
               set_properties: Mapping[str, Any] | None = None,
               remove_properties: Iterable[str] = ()) -> base.Image:
        """Change name, visibility and extra properties in one PATCH.

        Removing a property the image does not have is not an error.

        :returns: the record after the change.
        :raises ValueError: a property is a core attribute or not a string.
        :raises ImageNotFound: no such image.
        :raises Conflict: the region refused the change.
        :raises Refused: Glance refused a value or the visibility (policy).
        """
        changes: dict[str, Any] = dict(set_properties or {})
        self._check_properties(image_id, changes)
        if name is not None:
            changes['name'] = name
        if visibility is not None:
            changes['visibility'] = visibility
        remove = [key for key in remove_properties if key not in changes]
        if not changes and not remove:
            return self.get_image(image_id)
        try:
            with _translated(self.name, 'updating', image_id):
                raw = glance_patch.patch(self._client, image_id, changes,
                                         remove)
        except base.Conflict:
            if not remove:
                raise
            # A property to remove is gone already: glanceclient reads the
            # image first and only removes the properties it has.
            with _translated(self.name, 'updating', image_id):
                raw = self._client.images.update(
                    image_id, remove_props=remove, **changes)
        return self._image(raw)

    def deactivate(self, image_id: str) -> None:
        """Make an active image's data unavailable (reversible).

        :raises ImageNotFound: no such image.
        :raises Refused: the image is not active, or policy forbids it.
        """
        with _translated(self.name, 'deactivating', image_id):
            self._client.images.deactivate(image_id)

    def reactivate(self, image_id: str) -> None:
        """Undo :meth:`deactivate`.

        :raises ImageNotFound: no such image.
        :raises Refused: the image is not deactivated, or policy forbids it.
        """
        with _translated(self.name, 'reactivating', image_id):
            self._client.images.reactivate(image_id)

    def delete(self, image_id: str) -> None:
        """Delete an image and its data; a missing image is a no-op.

        :raises Refused: the image is protected.
        :raises RegionUnavailable: the service did not answer.
        """
        try:
            with _translated(self.name, 'deleting', image_id):
                self._client.images.delete(image_id)
        except base.ImageNotFound:
            LOG.debug('Image %(id)s was already gone from region %(region)s',
                      {'id': image_id, 'region': self.name})
            return
        LOG.info('Deleted image %(id)s in region %(region)s',
                 {'id': image_id, 'region': self.name})

    def download(self, image_id: str) -> Iterator[bytes]:
        """The image's data, requested now and read as it is iterated.

        The data is not verified here (see :mod:`glance_sync.transfer`).
        Closing the iterator early releases the connection.

        :raises ImageNotFound: no such image, or it has no data.
        :raises RegionUnavailable: the service failed (also while iterating).
        """
        with _translated(self.name, 'downloading', image_id):
            # glanceclient's images.data() streams too, but hides the
            # response, so an abandoned download would keep its connection
            # until garbage collection; the raw GET lets us close it.
            resp, _ = self._client.http_client.get(
                '/v2/images/%s/file' % image_id)
        if resp.status_code == 204:
            resp.close()
            raise base.ImageNotFound(self.name, image=image_id)
        return self._stream(resp, image_id)

    def _stream(self, resp: requests.Response,
                image_id: str) -> Iterator[bytes]:
        try:
            with _translated(self.name, 'downloading', image_id):
                yield from resp.iter_content(self._chunk_size)
        finally:
            resp.close()


def regions_of_target(session: ksa_session.Session,
                      target: str = base.MASTER_TARGET,
                      interface: str = 'public',
                      **kwargs: Any) -> list[GlanceRegion]:
    """A :class:`GlanceRegion` for every image endpoint of a target.

    :param session: the target's session, shared by the regions.
    :param target: the target's name, which prefixes region names.
    :param interface: the endpoint interface to use.
    :param kwargs: passed to :class:`GlanceRegion`.
    :returns: the regions, sorted by name.
    :raises AuthFailed: Keystone refused the credentials.
    :raises RegionUnavailable: Keystone did not answer.
    """
    names = catalog.discover_regions(session, interface=interface,
                                     target=target)
    return [GlanceRegion(base.qualified_name(target, region), session,
                         region_name=region, interface=interface, **kwargs)
            for region in names]
