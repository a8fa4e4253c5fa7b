"""Which master images a sync takes, end to end through the CLI.

``metadata_condition`` and ``forcesyncs``; GlanceSync's default selection
(public images carrying a ``metadata_set`` property); and other
projects' images in a region, which ``only_tenant_images`` ignores.
"""

from __future__ import annotations

import csv
import io
import uuid

from tests.functional.manage import base


def _rows(text: str) -> set[tuple[str, ...]]:
    return {tuple(row[:3]) for row in csv.reader(io.StringIO(text)) if row}


class SelectionTest(base.ManageTestCase):

    def test_condition_and_forcesyncs(self):
        chosen = self.master_image('chosen', 1024, type='baseimage')
        other = self.master_image('other', 2048, type='other')
        forced = self.master_image('forced', 3072, visibility='private',
                                   type='other')
        conf = self.native_config({'target:master': {
            'metadata_condition': "%s and image.user_properties.get('type')"
                                  " == 'baseimage'" % self.condition(),
            'forcesyncs': forced.id}})
        expected = {('RegionTwo', chosen.name): 'pending_upload',
                    ('RegionTwo', forced.name): 'pending_upload'}
        self.assertEqual(expected, self.statuses(conf, 'RegionTwo', rc=1))

        dry = self.manage(conf, 'sync', '--dry-run', 'RegionTwo', rc=1)
        self.assertEqual({('RegionTwo', 'upload', chosen.name),
                          ('RegionTwo', 'upload', forced.name)},
                         _rows(dry.stdout))
        for image in (chosen, forced, other):
            self.assertEqual([], self.images_named('RegionTwo', image.name))

        done = self.manage(conf, 'sync', 'RegionTwo', rc=0)
        self.assertIn('RegionTwo,synchronised,2,%d,0,0'
                      % (chosen.size + forced.size), done.stdout)
        self.assertEqual({key: 'ok' for key in expected},
                         self.statuses(conf, 'RegionTwo', rc=0))
        copy = self.one_image('RegionTwo', chosen.name)
        self.assertEqual(('public', chosen.checksum, chosen.os_hash_value),
                         (copy.visibility, copy.checksum,
                          copy.os_hash_value))
        # No metadata_set: every property of the master, and (native
        # configuration) the master image's id.
        self.assertEqual(('baseimage', self.token, chosen.id),
                         (copy.type, copy.gstest, copy.glance_sync_source))
        self.assertEqual('private',
                         self.one_image('RegionTwo', forced.name).visibility)
        self.assertEqual([], self.images_named('RegionTwo', other.name))
        # Only the region named was touched.
        self.assertEqual([], self.images_named('RegionThree', chosen.name))

        again = self.manage(conf, 'sync', 'RegionTwo', rc=0)
        self.assertIn('RegionTwo,synchronised,0,0,0,0', again.stdout)

    def test_default_selection_public_with_metadata_set(self):
        # GlanceSync's rule without a condition: public images that carry
        # one of the metadata_set properties. The property is this test's
        # own, so other tests' images stay out.
        prop = 'gsprop%s' % self.token
        public = self.master_image('public', 1024, **{prop: 'yes'})
        private = self.master_image('private', 1024, visibility='private',
                                    **{prop: 'yes'})
        bare = self.master_image('bare', 1024)
        conf = self.legacy_config({'DEFAULT': {'metadata_condition': '',
                                               'metadata_set': prop}},
                                  without=('master',))
        # GlanceSync's ways: the file from $GLANCESYNC_CONFIG, and (no
        # [master] section) the master's credential from OS_* variables.
        creds = self.cloud.targets['master'].credentials
        env = {'GLANCESYNC_CONFIG': conf[1], 'OS_USERNAME': creds.username,
               'OS_PASSWORD': creds.password, 'OS_AUTH_URL': creds.auth_url,
               'OS_TENANT_NAME': creds.project_name}
        result = self.manage([], 'status', 'RegionTwo', rc=1, env=env)
        self.assertIn('pending_upload,RegionTwo,%s' % public.name,
                      result.stdout.splitlines())
        self.manage([], 'sync', 'RegionTwo', rc=0, env=env)
        copy = self.one_image('RegionTwo', public.name)
        self.assertEqual('yes', copy[prop])
        # metadata_set given: only its properties are copied; a legacy
        # configuration records no source id, as GlanceSync.
        self.assertNotIn('gstest', copy)
        self.assertNotIn('glance_sync_source', copy)
        for image in (private, bare):
            self.assertEqual([], self.images_named('RegionTwo', image.name))

    def test_other_projects_images_with_only_tenant_images(self):
        master = self.master_image('shared', 1024)
        # Same name, other content, another project's public image: the
        # sync account is admin, so it lists it and could change it.
        foreign = self.region_image('RegionTwo', 'shared', 2048,
                                    owner=uuid.uuid4().hex)
        conf = self.native_config()
        key = ('RegionTwo', master.name)
        self.assertEqual({key: 'error_checksum'}, self.statuses(
            conf, 'RegionTwo', '--config',
            'target:master.only_tenant_images=false', rc=1))

        # Default (true): the foreign image does not count; the master's
        # image is uploaded beside it and the foreign one left alone.
        self.assertEqual({key: 'pending_upload'},
                         self.statuses(conf, 'RegionTwo', rc=1))
        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        found = {i.id: i for i in self.images_named('RegionTwo',
                                                     master.name)}
        self.assertEqual(2, len(found))
        kept = found.pop(foreign.id)
        self.assertEqual((foreign.checksum, 'public', foreign.owner),
                         (kept.checksum, kept.visibility, kept.owner))
        (copy,) = found.values()
        self.assertEqual(master.checksum, copy.checksum)
        self.assertEqual(self.cloud.targets['master'].credentials.project_id,
                         copy.owner)
        self.assertEqual({key: 'ok'}, self.statuses(conf, 'RegionTwo', rc=0))
