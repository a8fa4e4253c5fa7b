"""The folder ``glance-sync-manage dump`` writes and ``load`` reads.

::

    DIR/manifest.json     what the folder holds, rewritten (atomically)
                          after each image is complete
    DIR/<id>.json         one image's record
    DIR/<id>.img          its data, verified (absent: metadata only)
    DIR/<id>.img.part     data still being written (an interrupted dump)

The manifest names the master region and the master project the images
were selected for, and gives each image's name, size, md5 ``checksum``
and ``os_hash_algo``/``os_hash_value``, with the names of its two files::

    {"format": "glance-sync-dump", "version": 1,
     "master_region": "RegionOne", "tenant_id": "3f1c...",
     "images": {"<id>": {"name": "cirros", "size": 16338944,
                         "checksum": "...", "os_hash_algo": "sha512",
                         "os_hash_value": "...",
                         "metadata": "<id>.json", "data": "<id>.img"}}}

With several master projects (``master_projects``) the manifest also
lists the others' ids, ``"projects": ["9a2b...", ...]`` (absent with one
project, so that older readers read the folder as before).

An image is in the manifest only once its files are complete, so a
reader never sees a half-written image; files that are not in it are
leftovers of an interrupted dump.

A folder may come from another site, so its manifest is not trusted
(:meth:`Manifest.read`): each entry must name the very files the format
gives its id (:func:`file_stem`), so no entry reaches outside the folder
or another image's files, and an entry with data must carry its size and
at least one hash, so that the data can be verified. Files are opened
without following symbolic links (:mod:`~glance_sync.regions.safefiles`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from glance_sync.regions import safefiles
from glance_sync.regions.base import Image

__all__ = ['DATA_SUFFIX', 'FORMAT', 'MANIFEST', 'METADATA_SUFFIX',
           'PART_SUFFIX', 'VERSION',
           'DumpFormatError', 'Entry', 'Manifest', 'file_stem',
           'image_from_record', 'image_to_record', 'read_chunks', 'read_json',
           'write_json']

FORMAT = 'glance-sync-dump'
VERSION = 1
MANIFEST = 'manifest.json'
METADATA_SUFFIX = '.json'
DATA_SUFFIX = '.img'
#: Data being written; renamed to ``<id>.img`` once verified.
PART_SUFFIX = '.part'

#: Ids used as they are in file names; others are hashed (an id is
#: whatever a region says, and must never name a path outside the folder).
_SAFE_ID = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.$-]{0,127}$')
#: The fields of :class:`Image` a record holds (the region is the reader's;
#: tags and ``protected`` are not part of the dump format yet).
_RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(Image)
                       if f.name not in ('region', 'tags', 'protected'))


class DumpFormatError(Exception):
    """A file of a dump folder cannot be used; ``path`` names it."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__('%s: %s' % (path, reason))


@dataclasses.dataclass(frozen=True)
class Entry:
    """One image of the manifest."""

    id: str
    name: str
    size: int | None
    checksum: str | None
    os_hash_algo: str | None
    os_hash_value: str | None
    #: The record's file name, in the folder.
    metadata: str
    #: The data's file name; ``None``: the record only.
    data: str | None = None

    @classmethod
    def of(cls, image: Image | Entry, data: bool) -> Entry:
        """The entry of an image whose files are ``file_stem(id)``.*.

        :param data: whether its data file is written.
        """
        stem = file_stem(image.id)
        return cls(id=image.id, name=image.name, size=image.size,
                   checksum=image.checksum, os_hash_algo=image.os_hash_algo,
                   os_hash_value=image.os_hash_value,
                   metadata=stem + METADATA_SUFFIX,
                   data=stem + DATA_SUFFIX if data else None)

    def same_content(self, image: Image) -> bool:
        """Whether ``image`` has the fingerprints recorded here."""
        return (self.size, self.checksum, self.os_hash_value) == (
            image.size, image.checksum, image.os_hash_value)


@dataclasses.dataclass
class Manifest:
    """What a dump folder holds (see the module docstring)."""

    master_region: str
    tenant_id: str
    images: dict[str, Entry] = dataclasses.field(default_factory=dict)
    #: The other master projects the images were selected from.
    projects: tuple[str, ...] = ()

    @classmethod
    def read(cls, folder: str) -> Manifest:
        """The manifest of a folder.

        :raises DumpFormatError: it is missing, unreadable or not one.
        """
        path = os.path.join(folder, MANIFEST)
        document = read_json(path)
        if (document.get('format') != FORMAT
                or document.get('version') != VERSION):
            raise DumpFormatError(path, 'not a %s version %d manifest'
                                  % (FORMAT, VERSION))
        try:
            images = {image_id: _entry(path, image_id, fields)
                      for image_id, fields in document['images'].items()}
            projects = document.get('projects', [])
            if (not isinstance(projects, list)
                    or not all(isinstance(p, str) for p in projects)):
                raise DumpFormatError(path, 'bad manifest: projects %r is '
                                      'not a list of ids' % (projects,))
            manifest = cls(document['master_region'], document['tenant_id'],
                           images, tuple(projects))
        except (KeyError, TypeError, AttributeError) as exc:
            raise DumpFormatError(path, 'bad manifest: %r' % exc) from exc
        wrong = _wrong_type({'master_region': manifest.master_region,
                             'tenant_id': manifest.tenant_id},
                            {'master_region': (str,), 'tenant_id': (str,)})
        if wrong:
            raise DumpFormatError(path, 'bad manifest: %s' % wrong)
        _check_shared_files(path, images)
        return manifest

    def write(self, folder: str) -> None:
        """Replace the folder's manifest, atomically.

        :raises OSError: it cannot be written.
        """
        images = {}
        for image_id, entry in sorted(self.images.items()):
            fields = dataclasses.asdict(entry)
            del fields['id']
            images[image_id] = fields
        document: dict[str, Any] = {
            'format': FORMAT, 'version': VERSION,
            'master_region': self.master_region, 'tenant_id': self.tenant_id,
            'images': images}
        if self.projects:
            document['projects'] = list(self.projects)
        write_json(os.path.join(folder, MANIFEST), document)


_OPTIONAL_TEXT = (str, type(None))
#: The type of each field of an entry, as JSON gives it.
_ENTRY_TYPES: dict[str, tuple[type, ...]] = {
    'name': (str,), 'size': (int, type(None)), 'checksum': _OPTIONAL_TEXT,
    'os_hash_algo': _OPTIONAL_TEXT, 'os_hash_value': _OPTIONAL_TEXT,
    'metadata': (str,), 'data': _OPTIONAL_TEXT}
#: The type of each field of a record (every field of :class:`Image` but
#: its region).
_RECORD_TYPES: dict[str, tuple[type, ...]] = {
    'id': (str,), 'name': (str,), 'owner': _OPTIONAL_TEXT,
    'visibility': (str,), 'status': (str,), 'size': (int, type(None)),
    'checksum': _OPTIONAL_TEXT, 'user_properties': (dict,),
    'os_hash_algo': _OPTIONAL_TEXT, 'os_hash_value': _OPTIONAL_TEXT,
    'disk_format': _OPTIONAL_TEXT, 'container_format': _OPTIONAL_TEXT,
    'min_disk': (int,), 'min_ram': (int,)}


def _wrong_type(fields: Mapping[str, Any],
                types: Mapping[str, tuple[type, ...]]) -> str | None:
    """What is wrong with the fields' types, if anything (every field
    must be in ``types``)."""
    for name, value in fields.items():
        # bool is an int to isinstance; a size of true is not a size.
        if not isinstance(value, types[name]) or isinstance(value, bool):
            return '%s %r is not a %s' % (name, value, ' or '.join(
                t.__name__ for t in types[name]))
    return None


def _entry(path: str, image_id: str, fields: Any) -> Entry:
    """One manifest entry, checked (see the module docstring).

    :param path: the manifest, for the error.
    :raises DumpFormatError: the entry names the wrong files, has fields
        of the wrong type, or data it does not let verify.
    """
    def refuse(reason: str) -> DumpFormatError:
        return DumpFormatError(path, 'image %r: %s' % (image_id, reason))

    if not isinstance(fields, dict):
        raise refuse('the entry is not a JSON object')
    unknown = sorted(set(fields) - set(_ENTRY_TYPES))
    missing = sorted({'name', 'metadata'} - set(fields))
    if unknown or missing:
        raise refuse('unknown fields %r, missing fields %r'
                     % (unknown, missing))
    wrong = _wrong_type(fields, _ENTRY_TYPES)
    if wrong:
        raise refuse(wrong)
    entry = Entry(id=image_id, name=fields['name'], size=fields.get('size'),
                  checksum=fields.get('checksum'),
                  os_hash_algo=fields.get('os_hash_algo'),
                  os_hash_value=fields.get('os_hash_value'),
                  metadata=fields['metadata'], data=fields.get('data'))
    # The manifest only tells whether there is data; the names are the
    # format's, so an entry cannot point at ../secret, /etc/passwd or
    # another image's files.
    expected = Entry.of(entry, data=entry.data is not None)
    for name in ('metadata', 'data'):
        if getattr(entry, name) != getattr(expected, name):
            raise refuse('%s file %r is not the one the format names for '
                         'this id (%r)' % (name, getattr(entry, name),
                                           getattr(expected, name)))
    if entry.data is not None:
        _check_verifiable(entry, refuse)
    return entry


def _check_shared_files(path: str, images: Mapping[str, Entry]) -> None:
    """Two ids never share files: an id may be the hashed name of another
    (``id-<sha256>``), crafted so that one entry reaches the other's."""
    owners: dict[str, str] = {}
    for image_id, entry in images.items():
        other = owners.setdefault(entry.metadata, image_id)
        if other != image_id:
            raise DumpFormatError(path, 'images %r and %r name the same '
                                  'files (%r)' % (other, image_id,
                                                  entry.metadata))


def _check_verifiable(entry: Entry,
                       refuse: Callable[[str], DumpFormatError]) -> None:
    """Data is loaded only if its size and a hash let verify it."""
    if entry.size is None or entry.size < 0:
        raise refuse('data without a size cannot be verified')
    if not entry.checksum and not entry.os_hash_value:
        raise refuse('data without a checksum or os_hash_value cannot be '
                     'verified')
    if entry.os_hash_value and (
            entry.os_hash_algo not in hashlib.algorithms_guaranteed):
        raise refuse('unknown os_hash_algo %r' % entry.os_hash_algo)


def file_stem(image_id: str) -> str:
    """The name of an image's files, without suffix.

    :returns: the id itself when it is a safe file name (UUIDs are),
        otherwise ``id-`` and its sha256.
    """
    if _SAFE_ID.match(image_id):
        return image_id
    return 'id-' + hashlib.sha256(image_id.encode()).hexdigest()


def image_to_record(image: Image) -> dict[str, Any]:
    """An image as the JSON object of its ``<id>.json`` file."""
    return {name: getattr(image, name) for name in _RECORD_FIELDS}


def image_from_record(record: Mapping[str, Any], region: str,
                      path: str) -> Image:
    """The image of a ``<id>.json`` file's object.

    :param region: the region name to give it.
    :param path: the file, for the error.
    :raises DumpFormatError: a field is missing, unknown or of the wrong
        type.
    """
    unknown = sorted(set(record) - set(_RECORD_TYPES))
    if unknown:
        raise DumpFormatError(path, 'not an image record: unknown fields '
                              '%r' % unknown)
    wrong = _wrong_type(record, _RECORD_TYPES)
    if wrong:
        raise DumpFormatError(path, 'not an image record: %s' % wrong)
    try:
        return Image(region=region, **record)
    except TypeError as exc:
        raise DumpFormatError(path, 'not an image record: %s'
                              % exc) from exc


def read_chunks(path: str, chunk_size: int) -> Iterator[bytes]:
    """A file's bytes, ``chunk_size`` at a time, read as iterated.

    :raises OSError: the file cannot be read.
    """
    with safefiles.open_regular(path) as stream:
        while chunk := stream.read(chunk_size):
            yield chunk


def read_json(path: str) -> dict[str, Any]:
    """A JSON object from a regular file (a symbolic link is refused).

    :raises DumpFormatError: the file is missing, unreadable, a link or
        not JSON.
    """
    try:
        with safefiles.open_regular(path, 'r', encoding='utf-8') as stream:
            document = json.load(stream)
    except OSError as exc:
        raise DumpFormatError(path, exc.strerror or str(exc)) from exc
    except (ValueError, RecursionError) as exc:
        raise DumpFormatError(path, 'not JSON: %s' % exc) from exc
    if not isinstance(document, dict):
        raise DumpFormatError(path, 'not a JSON object')
    return document


def write_json(path: str, document: Mapping[str, Any]) -> None:
    """Write a JSON object atomically: a reader sees the old file or the
    new one, never a part (:func:`~glance_sync.regions.safefiles.
    atomic_write`: a planted link is replaced, never written through).

    :raises OSError: the file cannot be written.
    """
    with safefiles.atomic_write(path, encoding='utf-8') as stream:
        json.dump(document, stream, indent=1, sort_keys=True)
        stream.write('\n')
