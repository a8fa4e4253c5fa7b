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
import signal
import subprocess
import time

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
