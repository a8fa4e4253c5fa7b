"""The other verbs and options of ``glance-sync-manage``, on the cloud.

``regions`` with ``ignore_regions``; which regions no argument or
``target:`` means, in ``preferable_order``; ``sync --parallel``;
``-f table``; ``backup`` of real regions read back by ``--offline``;
image names with ANSI escapes and line breaks (escaped in tables, exact
in CSV and backups).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess

from glance_sync.regions import csvfile
from tests.functional import base as functional_base
from tests.functional.manage import base


def _first_column(text: str) -> list[str]:
    return [row[0] for row in csv.reader(io.StringIO(text)) if row]


class CommandsTest(base.ManageTestCase):

    def test_regions_ignore_and_preferable_order(self):
        image = self.master_image('image', 1024)
        conf = self.native_config({
            'sync': {'preferable_order': 'other:RegionFour, RegionThree'},
            'target:master': {'ignore_regions': 'RegionTwo'}})
        regions = json.loads(self.manage(conf, '-f', 'json', 'regions',
                                         rc=0).stdout)
        self.assertEqual(
            [('RegionOne', 'master', False), ('RegionThree', 'master', False),
             ('RegionTwo', 'master', True),
             ('other:RegionFour', 'other', False)],
            [(r['region'], r['target'], r['ignored']) for r in regions])

        # No argument: the master target's regions but the ignored one.
        self.assertEqual({('RegionThree', image.name): 'pending_upload'},
                         self.statuses(conf, rc=1))
        # Whole targets: preferable_order first, then the order found.
        rows = self.manage(conf, 'status', 'master:', 'other:', rc=1).stdout
        self.assertEqual(['pending_upload,other:RegionFour,%s' % image.name,
                          'pending_upload,RegionThree,%s' % image.name],
                         [line for line in rows.splitlines()
                          if line.endswith(image.name)])
        # An ignored region named explicitly is synchronised all the same.
        self.assertEqual({('RegionTwo', image.name): 'pending_upload'},
                         self.statuses(conf, 'master:RegionTwo', rc=1))

    def test_parallel_sync_keeps_the_order_given(self):
        small = self.master_image('small', 1024)
        big = self.master_image('big', 4 << 20)
        conf = self.native_config()
        regions = ['other:RegionFour', 'RegionThree', 'RegionTwo']
        done = self.manage(conf, 'sync', '--parallel', '3', *regions, rc=0)
        self.assertEqual(regions, _first_column(done.stdout))
        # Each image was read once from the master for the three regions.
        for image in (small, big):
            self.assertEqual(
                [(str(image.size), 'RegionThree, RegionTwo, '
                  'other:RegionFour')],
                functional_base.reads_of(done.stderr, image.name),
                done.describe())
        for region in regions:
            for image in (small, big):
                self.assertEqual(image.checksum, self.one_image(
                    region, image.name).checksum)
        table = self.manage(conf, '-f', 'table', 'status', *regions,
                            rc=0).stdout
        self.assertEqual(6, sum(1 for line in table.splitlines()
                                if self.token in line
                                and line.split()[0] == 'ok'), table)

    def test_backup_read_back_offline(self):
        image = self.master_image('image', 1024, type='base')
        project = self.cloud.targets['master'].credentials.project_id
        # Offline, the tenant is the project name + "id" unless given.
        conf = self.native_config({'target:master': {
            'owner_project_id': project}})
        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        self.master_image('later', 2048)
        online = self.statuses(conf, 'RegionTwo', rc=1)
        self.assertEqual({('RegionTwo', image.name): 'ok',
                          ('RegionTwo', self.name('later')): 'pending_upload'},
                         online)

        folder = self.folder / 'backup'
        written = self.manage(conf, 'backup', '--output', str(folder),
                              'RegionTwo', rc=0).stdout.split()
        self.assertEqual([str(folder / 'backup_RegionOne.csv'),
                          str(folder / 'backup_RegionTwo.csv')], written)
        offline = conf + ['--offline', str(folder)]
        self.assertEqual(online, self.statuses(offline, 'RegionTwo', rc=1))
        # An offline sync writes the backup, never the cloud.
        self.manage(offline, 'sync', 'RegionTwo', rc=0)
        self.assertEqual({key: 'ok' for key in online},
                         self.statuses(offline, 'RegionTwo', rc=0))
        self.assertEqual([], self.images_named('RegionTwo',
                                               self.name('later')))

    def test_hostile_names_in_tables_csv_and_backups(self):
        label = 'x\x1b[31m\x1b]0;title\x07\rforged,\nline=1+2'
        image = self.master_image(label, 1024)
        self.assertEqual(self.name(label), image.name)  # Glance kept it
        conf = self.native_config()
        table = self.manage(conf, '-f', 'table', 'status', 'RegionTwo',
                            rc=1).stdout
        self.assertTrue(all(line.isprintable()
                            for line in table.split('\n')), repr(table))
        self.assertIn(self.token + '-x\\x1b[31m\\x1b]0;title\\x07\\rforged,'
                      '\\nline=1+2', table)
        # CSV gives the name back exactly, bare carriage return included
        # (read as bytes: manage() reads text with universal newlines).
        listed = subprocess.run(
            base.manage_command() + [*conf, 'status', 'RegionTwo'],
            capture_output=True, env=base.command_env(), cwd=self.folder,
            timeout=base.COMMAND_TIMEOUT, check=False)
        self.assertEqual(1, listed.returncode, listed.stderr)
        self.assertIn(['pending_upload', 'RegionTwo', image.name], list(
            csv.reader(io.StringIO(listed.stdout.decode(), newline=''))))
        folder = self.folder / 'backup'
        self.manage(conf, 'backup', '--output', str(folder), 'RegionTwo',
                    rc=0)
        names = [i.name for i in csvfile.read_backup(
            str(folder / 'backup_RegionOne.csv'))]
        self.assertIn(image.name, names)
