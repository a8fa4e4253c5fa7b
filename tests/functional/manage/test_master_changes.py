"""Issue 14 through ``glance-sync-manage sync``: a renamed master image's
copy is renamed (native configuration) or uploaded again (FIWARE
configuration, GlanceSync's behaviour kept exactly); a deactivated master
image's copy is deactivated, then reactivated."""

from __future__ import annotations

from tests.functional import base as functional_base
from tests.functional.manage import base

REGION = 'RegionTwo'


class RenameTest(base.ManageTestCase):

    def synced_then_renamed(self, conf: list[str]) -> tuple:
        image = self.master_image('image', 2048)
        self.manage(conf, 'sync', REGION, rc=0)
        copy = self.one_image(REGION, image.name)
        new_name = self.name('renamed')
        self.glance(self.cloud.master_region).images.update(image.id,
                                                            name=new_name)
        done = self.manage(conf, 'sync', REGION, rc=0)
        return image, copy, new_name, done

    def test_native_renames_in_place(self):
        image, copy, new_name, done = self.synced_then_renamed(
            self.native_config())
        renamed = self.one_image(REGION, new_name)
        self.assertEqual(copy.id, renamed.id)
        self.assertEqual([], self.images_named(REGION, image.name))
        self.assertEqual([], functional_base.reads_of(done.stderr, new_name),
                         done.describe())
        self.assertEqual({(REGION, new_name): 'ok'}, self.statuses(
            self.native_config(), REGION, rc=0))

    def test_fiware_uploads_again_as_glancesync(self):
        image, copy, new_name, done = self.synced_then_renamed(
            self.legacy_config())
        self.assertNotEqual(copy.id, self.one_image(REGION, new_name).id)
        self.assertEqual(copy.id, self.one_image(REGION, image.name).id)
        self.assertEqual(1, len(functional_base.reads_of(done.stderr,
                                                         new_name)))


class DeactivationTest(base.ManageTestCase):

    def test_sync_deactivates_and_reactivates(self):
        conf = self.native_config()
        image = self.master_image('image', 2048)
        self.manage(conf, 'sync', REGION, rc=0)
        copy = self.one_image(REGION, image.name)
        master = self.glance(self.cloud.master_region)
        master.images.deactivate(image.id)
        self.manage(conf, 'sync', REGION, rc=0)
        self.assertEqual('deactivated',
                         self.glance(REGION).images.get(copy.id).status)
        master.images.reactivate(image.id)
        self.manage(conf, 'sync', REGION, rc=0)
        self.assertEqual(copy.id, self.one_image(REGION, image.name).id)
        self.assertEqual('active',
                         self.glance(REGION).images.get(copy.id).status)
