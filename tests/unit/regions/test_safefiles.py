import errno
import os

from oslotest import base

from glance_sync.regions import safefiles
from tests.unit.regions import planted


class SafeFilesTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.planted = self.useFixture(planted.PlantedLinks())
        # A planted link points at the victim: it must never change.
        self.dir, self.victim = self.planted.dir, self.planted.victim

    def path(self, name):
        return os.path.join(self.dir, name)

    def assertVictimUntouched(self):
        self.assertEqual(planted.SECRET, self.planted.victim_content())

    def test_open_regular_reads_a_file(self):
        with open(self.path('f'), 'wb') as stream:
            stream.write(b'data')
        with safefiles.open_regular(self.path('f')) as stream:
            self.assertEqual(b'data', stream.read())
        with safefiles.open_regular(self.path('f'), 'r',
                                    encoding='utf-8') as stream:
            self.assertEqual('data', stream.read())

    def test_open_regular_refuses_a_link(self):
        os.symlink(self.victim, self.path('link'))
        exc = self.assertRaises(OSError, safefiles.open_regular,
                                self.path('link'))
        self.assertEqual(errno.ELOOP, exc.errno)
        self.assertIn('symbolic link', str(exc))
        self.assertIn(self.path('link'), str(exc))

    def test_open_regular_refuses_a_fifo_without_blocking(self):
        os.mkfifo(self.path('fifo'))
        exc = self.assertRaises(OSError, safefiles.open_regular,
                                self.path('fifo'))
        self.assertEqual(errno.EINVAL, exc.errno)
        self.assertIn('not a regular file', str(exc))

    def test_open_regular_refuses_a_folder(self):
        exc = self.assertRaises(OSError, safefiles.open_regular, self.dir)
        self.assertEqual(errno.EINVAL, exc.errno)

    def test_is_regular(self):
        with open(self.path('f'), 'w'):
            pass
        os.symlink(self.path('f'), self.path('link'))
        self.assertTrue(safefiles.is_regular(self.path('f')))
        self.assertFalse(safefiles.is_regular(self.path('link')))
        self.assertFalse(safefiles.is_regular(self.path('missing')))
        self.assertFalse(safefiles.is_regular(self.dir))

    def test_atomic_write_replaces_a_planted_link(self):
        os.symlink(self.victim, self.path('out'))
        with safefiles.atomic_write(self.path('out')) as stream:
            stream.write('new')
        self.assertFalse(os.path.islink(self.path('out')))
        with open(self.path('out')) as stream:
            self.assertEqual('new', stream.read())
        self.assertVictimUntouched()
        self.assertEqual(['out'], os.listdir(self.dir))

    def test_atomic_write_ignores_fixed_temporary_names(self):
        # The names a naive writer would use lead nowhere.
        for suffix in ('.tmp', '.part', '.new'):
            os.symlink(self.victim, self.path('out' + suffix))
        with safefiles.atomic_write(self.path('out'), 'wb') as stream:
            stream.write(b'new')
        self.assertVictimUntouched()
        self.assertEqual(sorted(['out', 'out.tmp', 'out.part', 'out.new']),
                         sorted(os.listdir(self.dir)))

    def test_atomic_write_failure_leaves_the_old_file(self):
        with open(self.path('out'), 'w') as stream:
            stream.write('old')

        def fail():
            with safefiles.atomic_write(self.path('out')) as stream:
                stream.write('half')
                raise RuntimeError('boom')
        self.assertRaises(RuntimeError, fail)
        with open(self.path('out')) as stream:
            self.assertEqual('old', stream.read())
        self.assertEqual(['out'], os.listdir(self.dir))

    def test_atomic_write_honours_the_umask(self):
        old = os.umask(0o027)
        self.addCleanup(os.umask, old)
        with safefiles.atomic_write(self.path('out')) as stream:
            stream.write('x')
        self.assertEqual(0o640, os.stat(self.path('out')).st_mode & 0o777)

    def test_create_exclusive_removes_a_planted_link(self):
        os.symlink(self.victim, self.path('data.part'))
        with safefiles.create_exclusive(self.path('data.part')) as stream:
            stream.write(b'new')
        self.assertFalse(os.path.islink(self.path('data.part')))
        with open(self.path('data.part'), 'rb') as stream:
            self.assertEqual(b'new', stream.read())
        self.assertVictimUntouched()

    def test_create_exclusive_starts_a_file_again(self):
        with open(self.path('data.part'), 'wb') as stream:
            stream.write(b'old and long')
        with safefiles.create_exclusive(self.path('data.part')) as stream:
            stream.write(b'new')
        with open(self.path('data.part'), 'rb') as stream:
            self.assertEqual(b'new', stream.read())
