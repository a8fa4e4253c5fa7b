"""Hashing on the fly and comparing fingerprints."""

import hashlib

from oslotest import base as test_base

from glance_sync import digests
from glance_sync.regions import base

DATA = bytes(range(256)) * 100


def digests_of(data, algo='sha512'):
    return digests.Digests(len(data), hashlib.md5(data).hexdigest(), algo,
                           hashlib.new(algo, data).hexdigest())


class HashingStreamTest(test_base.BaseTestCase):

    def test_digests(self):
        stream = digests.HashingStream([DATA[:1000], DATA[1000:]])
        self.assertEqual(DATA, b''.join(stream))
        self.assertTrue(stream.finished)
        self.assertEqual(digests_of(DATA), stream.digests())

    def test_other_algorithm(self):
        stream = digests.HashingStream([DATA], 'sha256')
        list(stream)
        self.assertEqual(digests_of(DATA, 'sha256'), stream.digests())

    def test_unknown_algorithm(self):
        self.assertRaises(ValueError, digests.HashingStream, [], 'nohash')

    def test_long_chunks_are_cut(self):
        stream = digests.HashingStream([DATA, b'', b'xy'], chunk_size=10000)
        self.assertEqual([10000, 10000, 5600, 2],
                         [len(chunk) for chunk in stream])
        self.assertEqual(digests_of(DATA + b'xy'), stream.digests())

    def test_mismatch_raised_before_the_end(self):
        stream = iter(digests.HashingStream(
            [DATA], expected=digests_of(DATA + b'!'), chunk_size=len(DATA)))
        self.assertEqual(DATA, next(stream))
        # The consumer never sees the end of the data: the last read fails.
        exc = self.assertRaises(digests.DigestMismatch, next, stream)
        self.assertEqual(3, len(exc.problems))
        self.assertIn('size differs: the source has 25601, the bytes read '
                      'have 25600', str(exc))
        self.assertIn(digests_of(DATA).md5, str(exc))
        self.assertIn(digests_of(DATA + b'!').md5, str(exc))

    def test_match(self):
        stream = digests.HashingStream([DATA], expected=digests_of(DATA))
        self.assertEqual(DATA, b''.join(stream))

    def test_close(self):
        closed = []

        def chunks():
            try:
                yield DATA
            finally:
                closed.append(True)
        source = chunks()
        stream = digests.HashingStream(source)
        next(iter(stream))
        stream.close()
        self.assertEqual([True], closed)


class DifferencesTest(test_base.BaseTestCase):

    def test_unknown_values_are_not_compared(self):
        old = digests.Digests(10, None, 'sha512', None)
        self.assertEqual([], digests.differences(old, digests_of(DATA[:10]),
                                                 'a', 'b'))

    def test_other_algorithms_are_not_compared(self):
        self.assertEqual([], digests.differences(
            digests_of(DATA), digests_of(DATA, 'sha256'), 'a', 'b'))

    def test_each_difference_named(self):
        problems = digests.differences(digests_of(DATA), digests_of(b'x'),
                                       'the source has', 'the copy has')
        self.assertEqual(['size', 'md5', 'sha512'],
                         [p.split()[0] for p in problems])

    def test_of_image(self):
        image = base.Image(id='i', name='n', region='R', owner=None,
                           visibility='private', status='active', size=3,
                           checksum='m')
        self.assertEqual(digests.Digests(3, 'm', 'sha512', None),
                         digests.Digests.of_image(image))
