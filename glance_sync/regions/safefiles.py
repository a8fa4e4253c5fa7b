"""Local files read without following links and written without races.

The folders ``dump``, ``load`` and ``backup`` use may be shared or come
from elsewhere (a dump carried on a USB disk), so a name in them can be a
symbolic link planted to point anywhere:

- :func:`open_regular` opens a file for reading only when it is a regular
  file itself, never through a link (``O_NOFOLLOW``), nor a FIFO or a
  device that would block or never end;
- :func:`atomic_write` writes a file through a temporary file of a random
  name created beside it with ``O_CREAT|O_EXCL|O_NOFOLLOW``, then renamed
  over it: a link planted at the temporary name cannot be followed, and
  the rename replaces a link planted at the final name instead of writing
  through it;
- :func:`create_exclusive` creates a file of a fixed name the same way,
  after removing what was there (a link is removed, not followed).

Usage::

    with safefiles.atomic_write('/backups/backup_Burgos.csv') as out:
        out.write('...')
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from typing import IO, Any

__all__ = ['atomic_write', 'create_exclusive', 'is_regular',
           'open_regular']

_READ_FLAGS = (os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
_CREATE_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                 | os.O_CLOEXEC)
#: As ``open()`` creates files: the umask decides.
_MODE = 0o666


def open_regular(path: str, mode: str = 'rb', **kwargs: Any) -> IO[Any]:
    """Open a regular file for reading, never through a symbolic link.

    :param mode: ``rb`` or ``r``; ``kwargs`` go to :func:`open`.
    :raises OSError: the file cannot be opened, is a symbolic link
        (``ELOOP``) or is not a regular file (``EINVAL``).
    """
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, 'a symbolic link, not followed',
                          path) from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, 'not a regular file', path)
        # O_NONBLOCK only kept a FIFO from blocking the open itself.
        os.set_blocking(fd, True)
        return open(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def is_regular(path: str) -> bool:
    """Whether ``path`` itself is a regular file (a link is not)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def create_exclusive(path: str) -> IO[bytes]:
    """A new, empty file at ``path`` for binary writing.

    Whatever was at ``path`` is removed first (a symbolic link itself, not
    its target); the file is then created with ``O_EXCL|O_NOFOLLOW``, so
    a link planted in between makes the creation fail instead of being
    followed.

    :raises OSError: the file cannot be created.
    """
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    return open(os.open(path, _CREATE_FLAGS, _MODE), 'wb')


@contextlib.contextmanager
def atomic_write(path: str, mode: str = 'w',
                 **kwargs: Any) -> Iterator[IO[Any]]:
    """Write ``path`` atomically: a reader sees the old file or the new one.

    The content goes to a new file of a random name in the same folder,
    created with ``O_EXCL|O_NOFOLLOW``; once the block ends it is flushed,
    synced and renamed to ``path``. If the block raises, the temporary
    file is removed and ``path`` is left as it was.

    :param mode: ``w`` or ``wb``; ``kwargs`` go to :func:`open`.
    :raises OSError: the file cannot be written.
    """
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, '.%s.%s.tmp'
                             % (name, secrets.token_hex(8)))
    stream = open(os.open(temporary, _CREATE_FLAGS, _MODE), mode, **kwargs)
    try:
        with stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
