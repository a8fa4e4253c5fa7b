"""Read an image's data straight from the master's backend, with glance_store.

The ``store`` strategy reads where the master's glance-api would, with the
same library and the same settings, so any backend glance_store supports
(file, rbd, swift, s3, ...) works. The settings come from
``[transfer_store]``:

- ``config_file``: a glance-api.conf of the master. Its ``[glance_store]``
  section (one backend) or its ``enabled_backends`` and their groups
  (multi-store Glance) configure glance_store exactly as for the master;
- else ``filesystem_store_datadir``: the master's ``file`` store directory
  as this host sees it (a shared mount); images are read from the file
  named after their id, whatever path the master shows.

Nothing is written, nothing created: a file store directory must exist
(glance_store's ``configure()`` would create it); a backend that
glance_store finds read-only only loses its write capability.
glance_store keeps a global registry of schemes; this module does not use
it: each backend's driver is loaded and configured on a configuration
object of its own.
"""

from __future__ import annotations

import logging
import os
import threading
import urllib.parse
from collections.abc import Iterator
from typing import Any

from glance_store import exceptions as gs_exceptions
from glance_store import location as gs_location
from oslo_config import cfg
from stevedore import driver as stevedore_driver

__all__ = ['StoreReader', 'StoreUnavailable']

LOG = logging.getLogger(__name__)

_DRIVERS = 'glance_store.drivers'
#: The one backend name used for a single-store configuration.
_SINGLE = None


class StoreUnavailable(Exception):
    """The image cannot be read from the master's backend (not configured,
    no location known, driver or read error); the message says why."""


class StoreReader:
    """Opens images of the master's backend; configured on first use.

    Thread-safe: drivers are loaded once, under a lock, and glance_store's
    drivers read concurrently.
    """

    def __init__(self, config_file: str | None, datadir: str | None,
                 chunk_size: int) -> None:
        """:param config_file: the master's glance-api.conf, if given.
        :param datadir: the master's file store directory, used without
            ``config_file``.
        :param chunk_size: bytes per read.
        """
        self.config_file = config_file
        self.datadir = datadir
        self.chunk_size = chunk_size
        self._conf: cfg.ConfigOpts | None = None
        self._stores: dict[str | None, Any] = {}
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        """Whether ``[transfer_store]`` says where the master's data is."""
        return bool(self.config_file or self.datadir)

    def open(self, image_id: str, locations: list[tuple[str, str | None]]
             ) -> Iterator[bytes]:
        """The image's data, from the first location that can be read.

        :param locations: ``(uri, store id)`` pairs, as the master shows
            them; used with ``config_file``. With ``filesystem_store_datadir``
            the file is that directory's entry named after the image id.
        :returns: the data, read lazily (close it to release the file).
        :raises StoreUnavailable: no location could be opened; why.
        """
        if not self.configured:
            raise StoreUnavailable('[transfer_store] sets neither '
                                   'config_file nor filesystem_store_datadir')
        # Without the master's configuration, its file store is where we
        # were told, whatever path the master shows (a mount may differ).
        candidates = self._derived(image_id) or locations
        if not candidates:
            raise StoreUnavailable(
                'the master shows no location of image %s (enable '
                'show_image_direct_url in its glance-api.conf)' % image_id)
        reasons = []
        for uri, store_id in candidates:
            try:
                return self._open(uri, store_id)
            except (StoreUnavailable, gs_exceptions.GlanceStoreException,
                    OSError) as exc:
                reasons.append('%s: %s' % (_safe(uri), exc))
        raise StoreUnavailable('; '.join(reasons))

    def prepare(self) -> None:
        """Read the configuration and load the drivers now: the file
        driver for ``filesystem_store_datadir``, every enabled backend's
        for a multi-store ``config_file`` (a single-store one loads its
        driver at the first read, from the location's scheme).

        :raises StoreUnavailable: the file or a driver cannot be loaded.
        """
        conf = self._configuration()
        if not self.config_file:
            self._store(conf, None, 'file:///')
        for backend in conf.enabled_backends or {}:
            self._store(conf, backend, '')

    def _derived(self, image_id: str) -> list[tuple[str, str | None]]:
        # The file store names each image's file after its id.
        if self.datadir and not self.config_file:
            return [('file://%s/%s' % (self.datadir.rstrip('/'), image_id),
                     _SINGLE)]
        return []

    def _open(self, uri: str, store_id: str | None) -> Iterator[bytes]:
        conf = self._configuration()
        multi = bool(conf.enabled_backends)
        backend = (store_id or self._backend_for(conf, uri)) if multi else None
        store = self._store(conf, backend, uri)
        scheme = urllib.parse.urlparse(uri).scheme
        loc = gs_location.Location(scheme, store.get_store_location_class(),
                                   conf, uri=uri, backend=backend)
        data, _size = store.get(loc)
        return _chunks(data)

    def _configuration(self) -> cfg.ConfigOpts:
        with self._lock:
            if self._conf is None:
                self._conf = self._load_configuration()
            return self._conf

    def _load_configuration(self) -> cfg.ConfigOpts:
        # Each driver registers its own options when it is loaded; the
        # values are read from the parsed file then. (glance_store's
        # register_opts would import every driver, cinder's included.)
        conf = cfg.ConfigOpts()
        conf.register_opt(cfg.DictOpt('enabled_backends'))
        files = [self.config_file] if self.config_file else []
        try:
            conf([], project='glance-sync-transfer-store',
                 default_config_files=files, default_config_dirs=[])
        except cfg.Error as exc:
            raise StoreUnavailable('cannot read %s: %s'
                                   % (self.config_file, exc)) from exc
        return conf

    @staticmethod
    def _backend_for(conf: cfg.ConfigOpts, uri: str) -> str:
        """A multi-store location without its store id: the one backend
        of the URI's type (file, rbd, ...)."""
        kind = urllib.parse.urlparse(uri).scheme.split('+')[0]
        matching = [name for name, driver in conf.enabled_backends.items()
                    if driver == kind]
        if len(matching) != 1:
            raise StoreUnavailable('no single %s backend among %s' % (
                kind, ', '.join(conf.enabled_backends)))
        return str(matching[0])

    def _store(self, conf: cfg.ConfigOpts, backend: str | None,
               uri: str) -> Any:
        with self._lock:
            if backend not in self._stores:
                self._stores[backend] = self._load_store(conf, backend, uri)
            return self._stores[backend]

    def _load_store(self, conf: cfg.ConfigOpts, backend: str | None,
                    uri: str) -> Any:
        """Load and configure the driver of one backend (read-only)."""
        if backend is None:
            entry = urllib.parse.urlparse(uri).scheme.split('+')[0]
        else:
            entry = conf.enabled_backends.get(backend)
            if entry is None:
                raise StoreUnavailable('the master has no backend %r'
                                       % backend)
        args: tuple[Any, ...] = (conf,) if backend is None else (conf,
                                                                 backend)
        try:
            store: Any = stevedore_driver.DriverManager(
                _DRIVERS, entry, invoke_on_load=True, invoke_args=args).driver
        except Exception as exc:
            raise StoreUnavailable('glance_store driver %r cannot be loaded: '
                                   '%s' % (entry, exc)) from exc
        if entry == 'file':
            self._prepare_file(conf, backend or 'glance_store')
        # A read-only backend makes configure() drop write access, not fail.
        store.configure(re_raise_bsc=False)
        LOG.info('Reading the master\'s images from its %(entry)s backend '
                 '%(backend)s', {'entry': entry,
                                 'backend': backend or '[glance_store]'})
        return store

    def _prepare_file(self, conf: cfg.ConfigOpts, group: str) -> None:
        """Set a file store up for reading.

        :raises StoreUnavailable: a directory is missing: its configure()
            would create it, and the master's store is not ours to create.
        """
        if not self.config_file:
            conf.set_override('filesystem_store_datadir', self.datadir,
                              group=group)
        # Reads of our chunk size: fewer, larger writes to the regions.
        conf.set_override('filesystem_store_chunk_size', self.chunk_size,
                          group=group)
        section = conf[group]
        dirs = [d.split(':')[0] for d in section.filesystem_store_datadirs
                or []] + [section.filesystem_store_datadir]
        missing = [d for d in dirs if d and not os.path.isdir(d)]
        if missing:
            raise StoreUnavailable('no directory %s on this host'
                                   % ', '.join(missing))


def _chunks(data: Any) -> Iterator[bytes]:
    """A generator over a driver's data that closes it when closed."""
    try:
        yield from data
    finally:
        close = getattr(data, 'close', None)
        if close is not None:
            close()


def _safe(uri: str) -> str:
    """A location without credentials (swift and s3 URIs may hold some)."""
    parts = urllib.parse.urlsplit(uri)
    host = parts.hostname or ''
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, '', ''))
