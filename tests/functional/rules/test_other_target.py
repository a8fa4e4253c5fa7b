"""A region of the second Keystone, from a FIWARE ``glancesync.conf``.

Target ``other`` (Keystone B, its own account and ``images`` project)
has its own rules in its legacy section, over the ``[DEFAULT]`` of every
target. ``other:RegionFour`` and ``other:`` name its region; the master
target's regions are left alone. ``convert-config`` turns the file into
a native one that sees the same state.
"""

from __future__ import annotations

import csv
import io
import os

from tests.functional.manage import base


class OtherTargetTest(base.ManageTestCase):

    def test_legacy_configuration(self):
        wanted = self.master_image('wanted', 1024, type='base')
        skipped = self.master_image('skipped', 2048, type='other')
        conf = self.legacy_config({'other': {
            'metadata_condition': "%s and image.user_properties.get('type')"
                                  " == 'base'" % self.condition(),
            'metadata_set': 'type'}})
        regions = self.manage(conf, 'regions', '-f', 'csv', rc=0)
        self.assertIn('other:RegionFour', regions.stdout.split())

        key = ('other:RegionFour', wanted.name)
        self.assertEqual({key: 'pending_upload'},
                         self.statuses(conf, 'other:', rc=1))
        dry = self.manage(conf, 'sync', '--dry-run', 'other:RegionFour',
                          rc=1)
        self.assertEqual([['other:RegionFour', 'upload', wanted.name]],
                         [row[:3] for row in csv.reader(
                             io.StringIO(dry.stdout)) if row])
        self.assertEqual([], self.images_named('other:RegionFour',
                                               wanted.name))

        done = self.manage(conf, 'sync', 'other:', rc=0)
        self.assertIn('other:RegionFour,synchronised,1,1024,0,0',
                      done.stdout)
        copy = self.one_image('other:RegionFour', wanted.name)
        other_project = self.cloud.targets['other'].credentials.project_id
        self.assertEqual((wanted.checksum, other_project, 'base'),
                         (copy.checksum, copy.owner, copy.type))
        self.assertNotIn('gstest', copy)  # only metadata_set's properties
        self.assertEqual([], self.images_named('other:RegionFour',
                                               skipped.name))
        self.assertEqual([], self.images_named('RegionTwo', wanted.name))
        self.assertEqual({key: 'ok'}, self.statuses(conf, 'other:RegionFour',
                                                    rc=0))

        converted = self.manage(conf, 'convert-config', rc=0)
        path = self.folder / 'converted.conf'
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600),
                  'w') as out:
            out.write(converted.stdout)
        native = ['--config-file', str(path)]
        self.assertEqual({key: 'ok'}, self.statuses(
            native, 'other:RegionFour', rc=0))
        self.assertEqual({('RegionTwo', wanted.name): 'pending_upload',
                          ('RegionTwo', skipped.name): 'pending_upload'},
                         self.statuses(native, 'RegionTwo', rc=1))
