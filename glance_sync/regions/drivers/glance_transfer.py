"""The optional capabilities of the Glance driver, for the strategies.

:class:`GlanceTransfer` is the part of :class:`~glance_sync.regions.
drivers.glance.GlanceRegion` that implements, with the same session and
endpoint, the optional capabilities of :mod:`glance_sync.regions.base`:

- :class:`~glance_sync.regions.base.SizedUpload`: an upload that sends
  ``Content-Length``. glanceclient always sends chunked transfer encoding,
  and urllib3 re-formats every chunk into a new bytes object to do so: for
  a fan-out to three regions that costs more CPU than hashing the image
  once. With a length, each chunk goes to the socket as it is;
- :class:`~glance_sync.regions.base.ImageLocations`: the image's
  locations, for the ``store`` strategy;
- :class:`~glance_sync.regions.base.RemoteImport`: the import methods, the
  ``glance-download`` import and its tasks;
- :class:`~glance_sync.regions.base.SharedLocation`: the location API
  (``POST /v2/images/{id}/locations``), for zero-copy.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator
from typing import Any

from glanceclient import exc as glance_exc
from keystoneauth1 import adapter as ksa_adapter

from glance_sync.regions import base
from glance_sync.regions.drivers import glance_errors

__all__ = ['GlanceTransfer']


class _SizedBody:
    """An iterable body with a length: requests then sends
    ``Content-Length`` and writes each chunk as it is."""

    def __init__(self, chunks: Iterable[bytes], size: int) -> None:
        self._chunks = chunks
        self._size = size

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._chunks)


class GlanceTransfer(base.SizedUpload, base.ImageLocations,
                     base.RemoteImport, base.SharedLocation):
    """The capabilities a Glance region adds for the strategies."""

    #: The region's qualified name (set by the region).
    name: str

    @property
    @abc.abstractmethod
    def client(self) -> Any:
        """The region's glanceclient ``Client``."""

    @abc.abstractmethod
    def get_image(self, image_id: str) -> base.Image:
        """As :meth:`~glance_sync.regions.base.Region.get_image`."""

    def upload_sized(self, image_id: str, chunks: Iterable[bytes],
                     size: int) -> base.Image:
        """``upload``, with ``Content-Length``."""
        client = self.client
        with glance_errors.translated(self.name, 'uploading', image_id):
            # keystoneauth's own request: glanceclient's would re-wrap the
            # body into a chunked generator.
            resp = ksa_adapter.Adapter.request(
                client.http_client, '/v2/images/%s/file' % image_id, 'PUT',
                data=_SizedBody(chunks, size), raise_exc=False, log=False,
                headers={'Content-Type': 'application/octet-stream'})
            if resp.status_code >= 400:
                raise glance_exc.from_response(resp, resp.content)
        return self.get_image(image_id)

    def locations(self, image_id: str) -> list[tuple[str, str | None]]:
        """Where an image's data is in the region's backend, as Glance says.

        Glance shows them with ``show_multiple_locations`` (all) or
        ``show_image_direct_url`` (the first); otherwise there are none.

        :returns: ``(uri, store id)`` pairs; the store id (multi-store Glance)
            may be ``None``.
        :raises ImageNotFound: no such image.
        :raises RegionUnavailable: the service did not answer.
        """
        client = self.client
        with glance_errors.translated(self.name, 'reading', image_id):
            raw = client.images.get(image_id)
        found = [(loc['url'], (loc.get('metadata') or {}).get('store'))
                 for loc in raw.get('locations') or [] if loc.get('url')]
        if not found and raw.get('direct_url'):
            stores = str(raw.get('stores') or '').split(',')
            found = [(raw['direct_url'], stores[0] or None)]
        return found

    def import_methods(self) -> list[str]:
        """The import methods the region's Glance enables.

        :raises RegionUnavailable: the service did not answer.
        """
        client = self.client
        with glance_errors.translated(self.name, 'reading the import methods'):
            # The body, wrapped with the request id by glanceclient.
            info = client.images.get_import_info()
        return list((info.get('import-methods') or {}).get('value') or [])

    def start_download(self, image_id: str, source: base.Region,
                       source_id: str) -> None:
        """Ask a region to pull an image's data from another Glance.

        The region's Glance calls the source with the caller's token, so both
        must be under the same Keystone.

        :param image_id: the ``queued`` record to fill, in this region.
        :param source: where to pull from (a Glance region: its catalog
            region name and interface are sent).
        :param source_id: the image to pull.
        :raises Conflict: the image is not ``queued``.
        :raises Refused: the method is not enabled or not allowed.
        :raises RegionUnavailable: the service did not answer.
        """
        client = self.client
        remote_region = getattr(source, 'region_name',
                                base.split_name(source.name)[1])
        with glance_errors.translated(self.name, 'importing', image_id):
            client.images.image_import(
                image_id, method=base.GLANCE_DOWNLOAD,
                remote_region=remote_region, remote_image_id=source_id,
                remote_service_interface=getattr(source, 'interface',
                                                 'public'))

    def latest_task(self, image_id: str) -> dict[str, Any] | None:
        """The newest task of an image (an import), as Glance shows it.

        :returns: the task (``status``: pending, processing, success or
            failure; ``message``), ``None`` if the image has none.
        :raises RegionUnavailable: the service did not answer.
        """
        client = self.client
        with glance_errors.translated(self.name, 'reading the tasks of',
                                      image_id):
            _, body = client.http_client.get('/v2/images/%s/tasks'
                                             % image_id)
        tasks = (body or {}).get('tasks') or []
        if not tasks:
            return None
        newest: dict[str, Any] = max(tasks,
                                     key=lambda t: str(t.get('created_at')))
        return newest

    def add_location(self, image_id: str, url: str, *,
                     hash_algo: str | None,
                     hash_value: str | None) -> None:
        """Glance's add-location API (not the deprecated PATCH): Glance
        reads the data at ``url`` through its own store, hashes it and
        activates the image; a hash that differs fails its task.

        Glance allows it for a store other than ``http`` only to callers
        with the ``service`` role.

        :raises Conflict: the image is not ``queued``.
        :raises Refused: Glance does not allow it (HTTP 403 or 400).
        :raises RegionUnavailable: the service did not answer.
        """
        client = self.client
        body: dict[str, Any] = {'url': url}
        if hash_algo and hash_value:
            body['validation_data'] = {'os_hash_algo': hash_algo,
                                       'os_hash_value': hash_value}
        with glance_errors.translated(self.name, 'adding a location to',
                                      image_id):
            resp = ksa_adapter.Adapter.request(
                client.http_client, '/v2/images/%s/locations' % image_id,
                'POST', json=body, raise_exc=False, log=False)
            if resp.status_code >= 400:
                raise glance_exc.from_response(resp, resp.content)
