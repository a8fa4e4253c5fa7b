"""Adapters between iterators of chunks and file-like readers."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ['IterReader']


class IterReader:
    """A read-only file over an iterator of byte chunks.

    python-glanceclient uploads from an object with ``read(size)``; our
    regions stream iterators. ``read`` hands chunks on as they come (cut when
    longer than asked for), so at most one chunk is held at a time and the
    common case, chunks no longer than ``size``, copies nothing.

    Not thread-safe: one reader feeds one upload.
    """

    def __init__(self, chunks: Iterable[bytes]) -> None:
        """:param chunks: the data; empty chunks are skipped."""
        self._chunks = iter(chunks)
        self._pending = memoryview(b'')
        #: Bytes handed out so far.
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes; ``b''`` once the iterator is exhausted.

        :param size: the most to return; negative reads everything left (and
            holds it in memory: uploads never do that).
        :returns: the next bytes, possibly fewer than ``size``.
        """
        if size is None or size < 0:
            data = bytes(self._pending) + b''.join(self._chunks)
            self._pending = memoryview(b'')
        else:
            data = self._next(size)
        self.bytes_read += len(data)
        return data

    def _next(self, size: int) -> bytes:
        while not self._pending:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                return b''
            if 0 < len(chunk) <= size:
                return bytes(chunk)  # no copy when it is already bytes
            self._pending = memoryview(chunk)
        data = bytes(self._pending[:size])
        self._pending = self._pending[size:]
        return data

    def close(self) -> None:
        """Close the underlying iterator (a generator, a response)."""
        close = getattr(self._chunks, 'close', None)
        if close is not None:
            close()
