"""Obsolete images, end to end through the CLI.

The master's ``<name>`` becomes ``<name>_obsolete`` (and private): the
regions' copies follow (renamed, made private, ``obsolete_syncprops``
copied), unless their content differs; ``support_obsolete_images =
False`` turns it off. Obsolete images are never uploaded nor reported.
"""

from __future__ import annotations

import csv
import io

from tests.functional.manage import base


class ObsoleteTest(base.ManageTestCase):

    def test_renamed_and_made_private(self):
        conf = self.native_config({'sync': {
            'support_obsolete_images': 'true',
            'obsolete_syncprops': 'eol'}})
        master = self.master_image('old', 1024, eol='no', type='base')
        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        copy = self.one_image('RegionTwo', master.name)
        # A region's image of that name with other content: never touched.
        other = self.master_image('other', 1024)
        stranger = self.region_image('RegionTwo', 'other', 512)

        obsolete = master.name + '_obsolete'
        master_glance = self.glance(self.cloud.master_region)
        for image, props in ((master, {'eol': 'yes', 'type': 'gone'}),
                             (other, {})):
            master_glance.images.update(
                image.id, name=image.name + '_obsolete',
                visibility='private', **props)
        # Obsolete images are not synchronised, so not in the report.
        self.assertEqual({}, self.statuses(conf, 'RegionTwo', rc=0))

        dry = self.manage(conf, 'sync', '--dry-run', 'RegionTwo', rc=0)
        self.assertEqual([['RegionTwo', 'obsolete', master.name]],
                         [row[:3] for row in csv.reader(
                             io.StringIO(dry.stdout)) if row])
        self.assertEqual('public',
                         self.one_image('RegionTwo', master.name).visibility)
        self.manage(conf, 'sync', 'RegionTwo', '--config',
                    'sync.support_obsolete_images=false', rc=0)
        self.assertEqual(copy.id,
                         self.one_image('RegionTwo', master.name).id)

        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        renamed = self.one_image('RegionTwo', obsolete)
        self.assertEqual((copy.id, 'private', 'yes', 'base'), (
            renamed.id, renamed.visibility, renamed.eol, renamed.type))
        self.assertEqual([], self.images_named('RegionTwo', master.name))
        kept = self.one_image('RegionTwo', other.name)
        self.assertEqual((stranger.id, 'public'),
                         (kept.id, kept.visibility))
        self.assertEqual([], self.images_named('RegionTwo',
                                               other.name + '_obsolete'))

        again = self.manage(conf, 'sync', 'RegionTwo', rc=0)
        self.assertIn('RegionTwo,synchronised,0,0,0,0', again.stdout)
