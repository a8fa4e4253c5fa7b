"""Hash image data while it streams, and compare what the regions report.

Glance records three fingerprints of an image's data: ``size``,
``checksum`` (md5) and ``os_hash_value`` computed with ``os_hash_algo``
(sha512 unless the operator configured another algorithm). A copy is good
only when all three match the source; :class:`HashingStream` computes them
on the fly so the data never has to be held or read twice.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Iterable, Iterator

from glance_sync.images import Image

__all__ = ['DEFAULT_CHUNK_SIZE', 'DEFAULT_HASH_ALGO', 'DigestMismatch',
           'Digests', 'HashingStream', 'check_copy', 'differences']

LOG = logging.getLogger(__name__)

#: Glance's default ``hashing_algorithm``.
DEFAULT_HASH_ALGO = 'sha512'
#: Largest chunk handed on by :class:`HashingStream` by default.
DEFAULT_CHUNK_SIZE = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Digests:
    """The fingerprints of some image data; ``None`` means unknown."""

    size: int | None
    md5: str | None
    hash_algo: str
    hash_value: str | None

    @classmethod
    def of_image(cls, image: Image) -> Digests:
        """What a region reports about an image's data.

        :param image: the record; images uploaded before Glance recorded
            ``os_hash_value`` (Rocky) have none.
        :returns: its fingerprints.
        """
        return cls(size=image.size, md5=image.checksum,
                   hash_algo=image.os_hash_algo or DEFAULT_HASH_ALGO,
                   hash_value=image.os_hash_value)

    def describe(self) -> str:
        """A one-line summary for messages and logs."""
        return 'size %s, md5 %s, %s %s' % (self.size, self.md5,
                                          self.hash_algo, self.hash_value)


def differences(expected: Digests, actual: Digests, expected_name: str,
                actual_name: str) -> list[str]:
    """The fingerprints known on both sides that differ, in words.

    A fingerprint unknown on either side is not compared; neither is the
    secure hash when the two sides used different algorithms.

    :param expected_name: what ``expected`` describes, e.g. "the source".
    :param actual_name: what ``actual`` describes, e.g. "the bytes read".
    :returns: one sentence per mismatch, empty when everything matches.
    """
    pairs = [('size', expected.size, actual.size),
             ('md5', expected.md5, actual.md5)]
    if expected.hash_algo == actual.hash_algo:
        pairs.append((expected.hash_algo, expected.hash_value,
                      actual.hash_value))
    return ['%s differs: %s %s, %s %s' % (what, expected_name, want,
                                          actual_name, got)
            for what, want, got in pairs
            if want is not None and got is not None and want != got]


def check_copy(sent: Digests, taken: int, complete: bool,
               uploaded: Image, region: str,
               sent_name: str = 'the bytes sent have') -> None:
    """Compare the bytes sent to a region with what it says it stored.

    The bytes sent were compared with the source before the upload could
    complete; what is left to check is that the region took all of them
    and computed the same fingerprints from what it received.

    :param sent: the fingerprints of the bytes sent.
    :param taken: the bytes the region read.
    :param complete: whether it read the data to its end.
    :param uploaded: the copy's record after the upload.
    :param region: the region's name, for messages.
    :param sent_name: what ``sent`` describes, in messages.
    :raises DigestMismatch: the region did not read everything, its copy is
        not active, or a fingerprint differs; one sentence per problem.
    """
    if not complete:
        raise DigestMismatch(['the destination stopped reading after %d '
                              'bytes' % taken])
    reported = Digests.of_image(uploaded)
    problems = differences(sent, reported, sent_name,
                           'the copy in %s has' % region)
    if uploaded.status != 'active':
        problems.append('the copy is %s, not active' % uploaded.status)
    if reported.hash_algo != sent.hash_algo:
        # Regions configured with another hashing_algorithm: size and md5
        # still cover the data, the secure hash cannot be compared.
        LOG.warning('Region %(region)s hashes with %(theirs)s, the source '
                    'with %(ours)s: %(algo)s not compared for image %(id)s',
                    {'region': region, 'theirs': reported.hash_algo,
                     'ours': sent.hash_algo, 'algo': sent.hash_algo,
                     'id': uploaded.id})
    if problems:
        raise DigestMismatch(problems)


class DigestMismatch(Exception):
    """The data did not match the fingerprints it should have had."""

    def __init__(self, problems: list[str]) -> None:
        #: One sentence per mismatch (see :func:`differences`).
        self.problems = problems
        super().__init__('; '.join(problems))


class HashingStream:
    """Pass chunks through while counting and hashing them.

    When ``expected`` is given, the end of the data is checked against it
    *before* the last read returns: a consumer that stops at the exception
    (an HTTP upload) never sees a complete body, so the broken data is not
    committed. Chunks longer than ``chunk_size`` are cut, which bounds what
    the consumer holds at once.

    Iterate it once. Not thread-safe.
    """

    def __init__(self, chunks: Iterable[bytes],
                 hash_algo: str = DEFAULT_HASH_ALGO,
                 expected: Digests | None = None,
                 chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        """:param chunks: the data.
        :param hash_algo: the secure hash to compute, a ``hashlib`` name.
        :param expected: the fingerprints the data must have.
        :param chunk_size: the largest chunk to hand on.
        :raises ValueError: ``hash_algo`` is unknown to ``hashlib``.
        """
        self._chunks = chunks
        self._chunk_size = chunk_size
        self._expected = expected
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._hash = hashlib.new(hash_algo)
        self.hash_algo = hash_algo
        #: Bytes handed on so far.
        self.size = 0
        #: True once the data has ended (verified, if ``expected`` was set).
        self.finished = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            for piece in self._pieces(chunk):
                self._md5.update(piece)
                self._hash.update(piece)
                self.size += len(piece)
                yield piece
        self.finished = True
        if self._expected is not None:
            problems = differences(self._expected, self.digests(),
                                   'the source has', 'the bytes read have')
            if problems:
                raise DigestMismatch(problems)

    def _pieces(self, chunk: bytes) -> Iterator[bytes]:
        if not chunk:
            return
        if len(chunk) <= self._chunk_size:
            yield chunk
            return
        view = memoryview(chunk)
        for start in range(0, len(view), self._chunk_size):
            yield bytes(view[start:start + self._chunk_size])

    def digests(self) -> Digests:
        """The fingerprints of the data handed on so far.

        :returns: size, md5 and the secure hash, as hex digests.
        """
        return Digests(size=self.size, md5=self._md5.hexdigest(),
                       hash_algo=self.hash_algo,
                       hash_value=self._hash.hexdigest())

    def close(self) -> None:
        """Close the source iterator, releasing its connection early."""
        close = getattr(self._chunks, 'close', None)
        if close is not None:
            close()
