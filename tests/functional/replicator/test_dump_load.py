"""``dump`` then ``load`` against the local cloud.

The dump reads the master with the master's credentials; the load writes
to ``other:RegionFour`` with a configuration whose master credentials are
wrong and point nowhere, so the load cannot reach the master (nor its
Keystone) and succeeds only if it never tries. The result must be what a
direct ``sync`` gives (compared with ``RegionThree``), every hash
verified. An interrupted dump (the process killed in the middle of a
file) must resume without rewriting what it finished.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import signal
import subprocess
import time
import uuid

from glance_sync.regions.drivers.glance_image import CORE_ATTRIBUTES
from tests.functional.manage import base

#: Big enough for the kill to land in the middle of the file.
BIG = 192 << 20


def digests(path: pathlib.Path) -> tuple[str, str]:
    md5, sha512 = hashlib.md5(), hashlib.sha512()
    with open(path, 'rb') as stream:
        while chunk := stream.read(1 << 20):
            md5.update(chunk)
            sha512.update(chunk)
    return md5.hexdigest(), sha512.hexdigest()


def content(image) -> tuple:
    """What a copy must share with its master."""
    props = {key: value for key, value in image.items()
             if key not in CORE_ATTRIBUTES and not key.startswith('os_glance')}
    return (image.name, image.visibility, image.size, image.checksum,
            image.os_hash_value, image.disk_format, image.container_format,
            sorted(props.items()))


class DumpLoadTest(base.ManageTestCase):

    def dump(self, conf, folder, *args, rc=0):
        done = self.manage(conf, '-f', 'json', 'dump', '--output',
                           str(folder), *args, rc=rc)
        return {row['image']: row['result'] for row in json.loads(
            done.stdout)}

    def test_load_without_the_master_is_a_sync(self):
        images = [self.master_image('a', 1024, type='base'),
                  self.master_image('b', 300000)]
        conf = self.native_config()
        folder = self.folder / 'dump'
        self.assertEqual({image.name: 'dumped' for image in images},
                         self.dump(conf, folder))
        manifest = json.loads((folder / 'manifest.json').read_text())
        for image in images:
            entry = manifest['images'][image.id]
            self.assertEqual((image.checksum, image.os_hash_value),
                             digests(folder / entry['data']))

        nowhere = self.native_config({'target:master': {
            'auth_url': 'http://127.0.0.1:9/v3', 'password': 'wrong'}},
            filename='region-only.conf')
        loaded = self.manage(nowhere, '-f', 'json', 'load', str(folder),
                             'other:RegionFour', rc=0)
        row, = json.loads(loaded.stdout)
        self.assertEqual(('other:RegionFour', 'synchronised', 301024),
                         (row['region'], row['result'],
                          row['uploaded_bytes']))
        self.manage(conf, 'sync', 'RegionThree', rc=0)
        for image in images:
            direct = self.one_image('RegionThree', image.name)
            from_disk = self.one_image('other:RegionFour', image.name)
            self.assertEqual(content(direct), content(from_disk))
            self.assertEqual((image.checksum, image.os_hash_value),
                             (from_disk.checksum, from_disk.os_hash_value))
        self.assertEqual({('other:RegionFour', i.name): 'ok'
                          for i in images},
                         self.statuses(conf, 'other:RegionFour', rc=0))
        # Loading again finds nothing to do.
        again = self.manage(nowhere, '-f', 'json', 'load', str(folder),
                            'other:RegionFour', rc=0)
        self.assertEqual(0, json.loads(again.stdout)[0]['actions'])

    def test_interrupted_dump_resumes(self):
        small = [self.master_image('small-%d' % n, 2048) for n in (1, 2)]
        big = self.master_image('big', BIG)
        conf = self.native_config()
        folder = self.folder / 'dump'
        part = folder / (big.id + '.img.part')
        self.kill_when(conf, folder, part)
        self.assertFalse((folder / (big.id + '.img')).exists())
        finished = {path.name: (path.stat().st_ino, path.stat().st_mtime_ns)
                    for path in folder.iterdir()
                    if path.name.startswith(tuple(i.id for i in small))}
        self.assertEqual(4, len(finished), sorted(finished))

        results = self.dump(conf, folder)
        self.assertEqual({small[0].name: 'kept', small[1].name: 'kept',
                          big.name: 'dumped'}, results)
        self.assertEqual(finished, {
            name: ((folder / name).stat().st_ino,
                   (folder / name).stat().st_mtime_ns) for name in finished})
        self.assertFalse(part.exists())
        self.assertEqual((big.checksum, big.os_hash_value),
                         digests(folder / (big.id + '.img')))

    def kill_when(self, conf, folder, part):
        """Run dump and kill it once ``part`` has data."""
        command = base.manage_command() + [
            *conf, 'dump', '--output', str(folder), '--chunk-size', '65536']
        process = subprocess.Popen(command, cwd=self.folder,
                                   env=base.command_env(),
                                   stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        deadline = time.monotonic() + base.COMMAND_TIMEOUT
        try:
            while not (part.exists() and part.stat().st_size > 0):
                if process.poll() is not None:
                    self.fail('the dump ended before it could be killed: '
                              '%s' % process.stderr.read().decode())
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.005)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
            process.stderr.close()
        self.assertEqual(-signal.SIGKILL, process.returncode)
        self.assertTrue(os.path.getsize(part) < BIG)


class HostileDumpFolderTest(base.ManageTestCase):
    """A dump folder from elsewhere: ``load`` refuses it with one line
    naming the entry and uploads nothing; ``dump`` never reads, writes or
    deletes outside it."""

    def setUp(self) -> None:
        super().setUp()
        self.conf = self.native_config()
        self.images = [self.master_image('a', 1024),
                       self.master_image('b', 2048)]
        self.pristine = self.folder / 'pristine'
        self.manage(self.conf, 'dump', '--output', str(self.pristine), rc=0)
        self.outside = self.folder / 'outside'
        self.outside.mkdir()
        self.victims = {}
        for image in self.images:
            copy = self.outside / image.id
            copy.write_bytes((self.pristine / (image.id + '.img'))
                             .read_bytes())
            self.victims[copy] = copy.read_bytes()
        self.nowhere = self.native_config({'target:master': {
            'auth_url': 'http://127.0.0.1:9/v3', 'password': 'wrong'}},
            filename='region-only.conf')

    def fresh(self, label: str = 'copy') -> pathlib.Path:
        """A copy of the dump, to spoil."""
        folder = self.folder / ('%s-%s' % (label.replace(' ', '-'),
                                           uuid.uuid4().hex[:8]))
        shutil.copytree(self.pristine, folder)
        return folder

    def set_entry(self, folder: pathlib.Path, image, **fields) -> None:
        path = folder / 'manifest.json'
        document = json.loads(path.read_text())
        document['images'][image.id].update(fields)
        path.write_text(json.dumps(document))

    def assertVictimsUntouched(self) -> None:
        self.assertEqual(self.victims, {path: path.read_bytes()
                                        for path in self.victims})

    def assertLoadRefused(self, folder: pathlib.Path, image,
                          where: str) -> None:
        done = self.manage(self.nowhere, 'load', str(folder),
                           'other:RegionFour', rc=2)
        error, = done.errors()
        self.assertIn(repr(image.id), error)
        self.assertIn(where, error)
        self.assertEqual('', done.stdout)
        for each in self.images:
            self.assertEqual([], self.images_named('other:RegionFour',
                                                   each.name))
        self.assertVictimsUntouched()

    def test_load_refuses_hostile_folders(self):
        a, b = self.images
        victim_b = self.outside / b.id
        cases = [
            ('data ../', {'data': os.path.relpath(victim_b, self.folder)}),
            ('absolute data', {'data': str(victim_b)}),
            ('absolute metadata', {'metadata': str(victim_b) + '.json'}),
            ("another image's data", {'data': a.id + '.img'}),
            ('no size', {'size': None}),
            ('no hashes', {'checksum': None, 'os_hash_value': None}),
        ]
        for label, fields in cases:
            # The folder's name says the case in a failure's message.
            folder = self.fresh(label)
            self.set_entry(folder, b, **fields)
            self.assertLoadRefused(folder, b, 'manifest.json')

    def test_load_refuses_links_and_truncated_data(self):
        _, b = self.images
        folder = self.fresh()
        data = folder / (b.id + '.img')
        data.unlink()
        data.symlink_to(self.outside / b.id)  # the very same bytes
        self.assertLoadRefused(folder, b, 'not a regular file')

        folder = self.fresh()
        record = folder / (b.id + '.json')
        moved = self.outside / record.name
        record.rename(moved)
        record.symlink_to(moved)
        self.assertLoadRefused(folder, b, 'symbolic link')

        folder = self.fresh()
        with open(folder / (b.id + '.img'), 'r+b') as stream:
            stream.truncate(1000)
        self.assertLoadRefused(folder, b, 'has 1000 bytes')

    def test_dump_prune_never_deletes_outside(self):
        a, b = self.images
        victim_b = self.outside / b.id
        folder = self.fresh()
        self.delete_image(self.cloud.master_region, b.id)
        # A manifest naming outside files is refused: nothing is removed.
        self.set_entry(folder, b, data=os.path.relpath(victim_b, folder),
                       metadata=str(self.outside / a.id))
        before = sorted(path.name for path in folder.iterdir())
        done = self.manage(self.conf, 'dump', '--output', str(folder), rc=1)
        self.assertIn(repr(b.id), done.describe())
        self.assertEqual(before, sorted(path.name
                                        for path in folder.iterdir()))
        self.assertVictimsUntouched()
        # Files that are links to outside files: the links go, not the
        # files they point at.
        folder = self.fresh()
        for suffix in ('.img', '.json'):
            (folder / (b.id + suffix)).unlink()
            (folder / (b.id + suffix)).symlink_to(victim_b)
        dumped = self.manage(self.conf, '-f', 'json', 'dump', '--output',
                             str(folder), rc=0)
        self.assertEqual({a.name: 'kept'}, {
            row['image']: row['result'] for row in json.loads(dumped.stdout)})
        self.assertEqual(sorted([a.id + '.img', a.id + '.json',
                                 'manifest.json']),
                         sorted(path.name for path in folder.iterdir()))
        self.assertVictimsUntouched()
