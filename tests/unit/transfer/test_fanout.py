"""The read-once fan-out: bounded queues, dropped regions, verify once."""

import hashlib
import os
import threading
import time

from oslotest import base as test_base

from glance_sync import digests as verify
from glance_sync.regions import base
from glance_sync.transfer import fanout

CHUNK = 1000
DATA = os.urandom(10 * CHUNK + 123)


def digests(data, algo='sha512'):
    return verify.Digests(size=len(data),
                          md5=hashlib.md5(data).hexdigest(), hash_algo=algo,
                          hash_value=hashlib.new(algo, data).hexdigest())


def image(name='copy'):
    return base.Image(id=name, name=name, region='R', owner=None,
                      visibility='private', status='active', size=None,
                      checksum=None)


def pieces(data, size=CHUNK):
    return [data[i:i + size] for i in range(0, len(data), size)]


class Recorder:
    """An upload that keeps what it reads, optionally slowly or failing."""

    def __init__(self, fail_after=None, delay=0.0, stop_after=None):
        self.fail_after = fail_after
        self.delay = delay
        self.stop_after = stop_after
        self.data = bytearray()
        self.chunks = 0

    def __call__(self, feed):
        for chunk in feed.chunks():
            self.data += chunk
            self.chunks += 1
            size = len(self.data)
            if self.fail_after is not None and size >= self.fail_after:
                raise base.RegionUnavailable('R', reason='disk full')
            if self.stop_after is not None and size >= self.stop_after:
                return image()
            time.sleep(self.delay)
        return image()


class FanOutTest(test_base.BaseTestCase):

    def fan(self, data=DATA, **kwargs):
        kwargs.setdefault('chunk_size', CHUNK)
        kwargs.setdefault('queue_chunks', 2)
        return fanout.FanOut(digests(data), **kwargs)

    def test_every_region_gets_every_byte_from_one_read(self):
        uploads = {name: Recorder() for name in ('A', 'B', 'C')}
        reads = []

        def source():
            for piece in pieces(DATA, 700):
                reads.append(len(piece))
                yield piece
        fan = self.fan()
        results = fan.run(source(), uploads)
        self.assertEqual({'A', 'B', 'C'}, set(results))
        for upload in uploads.values():
            self.assertEqual(DATA, bytes(upload.data))
        self.assertEqual(len(DATA), sum(reads))
        self.assertEqual(len(DATA), fan.bytes_read)
        self.assertEqual(digests(DATA), fan.digests)

    def test_same_chunk_objects_for_every_region(self):
        seen = {}

        def keep(name):
            def upload(feed):
                seen[name] = [id(chunk) for chunk in feed.chunks()]
                return image()
            return upload
        chunks = pieces(DATA)
        self.fan().run(iter(chunks), {'A': keep('A'), 'B': keep('B')})
        # Whole chunks pass as they are (the short last one is gathered).
        self.assertEqual([id(c) for c in chunks[:-1]], seen['A'][:-1])
        self.assertEqual(seen['A'], seen['B'])

    def test_failed_region_dropped_others_complete(self):
        uploads = {'A': Recorder(), 'B': Recorder(fail_after=3 * CHUNK),
                   'C': Recorder()}
        results = self.fan().run(iter(pieces(DATA)), uploads)
        self.assertIsInstance(results['B'], base.RegionUnavailable)
        self.assertEqual(DATA, bytes(uploads['A'].data))
        self.assertEqual(DATA, bytes(uploads['C'].data))
        self.assertEqual(3, uploads['B'].chunks)

    def test_slow_region_slows_the_reader_only_to_its_bound(self):
        """The reader never runs more than the queue's bound (plus the
        chunk in the consumer's hands and the one held back) ahead of
        the slowest region."""
        slow = Recorder(delay=0.01)
        ahead = []

        def source():
            for number, piece in enumerate(pieces(DATA)):
                ahead.append(number - slow.chunks)
                yield piece
        self.fan(queue_chunks=2).run(source(), {'fast': Recorder(),
                                                'slow': slow})
        self.assertLessEqual(max(ahead), 2 + 2)
        self.assertEqual(DATA, bytes(slow.data))

    def test_stalled_region_dropped(self):
        release = threading.Event()

        def stuck(feed):
            chunks = feed.chunks()
            next(chunks)
            release.wait(1.5)
            for _ in chunks:
                pass
            return image()
        fast = Recorder()
        results = self.fan(stall_timeout=0.2, queue_chunks=1).run(
            iter(pieces(DATA)), {'stuck': stuck, 'fast': fast})
        release.set()
        self.assertEqual(DATA, bytes(fast.data))
        self.assertIsInstance(results['stuck'], fanout.Stalled)
        self.assertIn('stuck took no data for', str(results['stuck']))

    def test_corrupted_stream_never_completes_an_upload(self):
        bad = bytearray(DATA)
        bad[5 * CHUNK] ^= 1
        uploads = {'A': Recorder(), 'B': Recorder()}
        fan = self.fan(DATA)
        results = fan.run(iter(pieces(bytes(bad))), uploads)
        for name in 'AB':
            self.assertIsInstance(results[name], fanout.Aborted)
            error = results[name].cause
            self.assertIsInstance(error, verify.DigestMismatch)
            self.assertIn('md5 differs: the source has %s'
                          % digests(DATA).md5, str(error))
            # The last chunk was held back (and what was still queued
            # dropped): no upload saw the whole data.
            self.assertLessEqual(len(uploads[name].data), len(DATA) - 123)

    def test_short_stream_detected(self):
        results = self.fan(DATA).run(iter(pieces(DATA[:-1])),
                                     {'A': Recorder()})
        self.assertIn('size differs: the source has %d, the bytes read have '
                      '%d' % (len(DATA), len(DATA) - 1),
                      str(results['A'].cause))

    def test_source_failure_reaches_every_region(self):
        def broken():
            yield DATA[:CHUNK]
            yield DATA[CHUNK:2 * CHUNK]
            raise base.RegionUnavailable('master', reason='reset')
        results = self.fan().run(broken(), {'A': Recorder(),
                                            'B': Recorder()})
        for name in 'AB':
            self.assertIsInstance(results[name], fanout.Aborted)
            self.assertIn('Region master is unavailable: reset',
                          str(results[name]))

    def test_reading_stops_when_every_region_failed(self):
        read = []

        def source():
            for piece in pieces(DATA):
                read.append(piece)
                yield piece
        results = self.fan(queue_chunks=1).run(
            source(), {'A': Recorder(fail_after=1), 'B': Recorder(
                fail_after=2 * CHUNK)})
        self.assertLess(len(read), 6)
        self.assertEqual({'A', 'B'}, set(results))

    def test_source_closed(self):
        closed = []

        def source():
            try:
                yield from pieces(DATA)
            finally:
                closed.append(True)
        self.fan().run(source(), {'A': Recorder(fail_after=1)})
        self.assertEqual([True], closed)

    def test_upload_returning_early_is_dropped(self):
        results = self.fan(queue_chunks=1).run(
            iter(pieces(DATA)), {'early': Recorder(stop_after=CHUNK),
                                 'full': Recorder()})
        self.assertIsInstance(results['early'], base.Image)
        self.assertIsInstance(results['full'], base.Image)

    def test_empty_image(self):
        upload = Recorder()
        fan = self.fan(b'')
        results = fan.run(iter([]), {'A': upload})
        self.assertIsInstance(results['A'], base.Image)
        self.assertEqual(0, fan.digests.size)

    def test_other_secure_hash(self):
        fan = fanout.FanOut(digests(DATA, 'sha256'), chunk_size=CHUNK)
        fan.run(iter([DATA]), {'A': Recorder()})
        self.assertEqual('sha256', fan.digests.hash_algo)
        self.assertEqual(hashlib.sha256(DATA).hexdigest(),
                         fan.digests.hash_value)


class FeedTest(test_base.BaseTestCase):

    def test_counts_and_completes(self):
        feed = fanout.Feed('A', 4)
        feed.put(b'abc', 1)
        feed.put(b'de', 1)
        feed.finish()
        self.assertEqual([b'abc', b'de'], list(feed.chunks()))
        self.assertEqual((5, True), (feed.taken, feed.complete))

    def test_abort_raises_in_the_consumer(self):
        feed = fanout.Feed('A', 1)
        feed.put(b'abc', 1)
        feed.abort(ValueError('boom'))
        chunks = feed.chunks()
        exc = self.assertRaises(fanout.Aborted, next, chunks)
        self.assertIsInstance(exc.cause, ValueError)
        self.assertFalse(feed.alive)

    def test_put_to_a_stopped_consumer_returns(self):
        feed = fanout.Feed('A', 1)
        feed.put(b'a', 1)
        feed.stop(ValueError('gone'))
        started = time.monotonic()
        feed.put(b'b', 60)
        feed.put(b'c', 60)
        self.assertLess(time.monotonic() - started, 1)


class RechunkedTest(test_base.BaseTestCase):

    def test_gathers_and_cuts(self):
        out = list(fanout.rechunked([b'ab', b'cdefg', b'', b'h'], 3))
        self.assertEqual([b'abc', b'def', b'gh'], out)

    def test_exact_chunks_pass_without_copy(self):
        chunk = b'x' * 4
        (out,) = fanout.rechunked([chunk], 4)
        self.assertIs(chunk, out)


class InterruptTest(test_base.BaseTestCase):

    def test_interrupt_stops_every_thread_and_propagates(self):
        def interrupted():
            yield DATA[:CHUNK]
            raise KeyboardInterrupt()
        upload = Recorder()
        fan = fanout.FanOut(digests(DATA), chunk_size=CHUNK)
        self.assertRaises(KeyboardInterrupt, fan.run, interrupted(),
                          {'A': upload})
        self.assertEqual(['MainThread'],
                         [t.name for t in threading.enumerate()
                          if t.name.startswith(('fanout', 'Main'))])
