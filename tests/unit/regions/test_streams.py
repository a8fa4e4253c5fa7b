"""The reader adapter that feeds iterators to glanceclient uploads."""

from oslotest import base as test_base

from glance_sync.regions import streams


class IterReaderTest(test_base.BaseTestCase):

    def test_chunks_that_fit_are_passed_as_they_are(self):
        chunk = b'x' * 10
        reader = streams.IterReader([chunk, chunk])
        self.assertIs(chunk, reader.read(16))
        self.assertIs(chunk, reader.read(16))
        self.assertEqual(b'', reader.read(16))
        self.assertEqual(20, reader.bytes_read)

    def test_long_chunks_are_cut(self):
        reader = streams.IterReader([b'abcdefg', b'', b'hi'])
        parts = iter(lambda: reader.read(3), b'')
        self.assertEqual([b'abc', b'def', b'g', b'hi'], list(parts))

    def test_read_all(self):
        reader = streams.IterReader([b'abcd', b'ef'])
        self.assertEqual(b'ab', reader.read(2))
        self.assertEqual(b'cdef', reader.read())
        self.assertEqual(b'', reader.read())

    def test_close_closes_the_iterator(self):
        closed = []

        def chunks():
            try:
                yield b'a'
                yield b'b'
            finally:
                closed.append(True)
        reader = streams.IterReader(chunks())
        reader.read(1)
        reader.close()
        self.assertEqual([True], closed)

    def test_errors_of_the_iterator_propagate(self):
        def chunks():
            yield b'a'
            raise RuntimeError('source broke')
        reader = streams.IterReader(chunks())
        reader.read(1)
        self.assertRaises(RuntimeError, reader.read, 1)
