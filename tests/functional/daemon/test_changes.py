"""Acceptance 2: metadata changes, obsolete renames and master deletes
reach the regions."""


from glanceclient import exc as glance_exc

from tests.functional.daemon import base

REGIONS = ('RegionTwo', 'other:RegionFour')


class ChangesTestCase(base.DaemonTestCase):

    delete_policy = 'keep'

    def setUp(self):
        super().setUp()
        self.start_daemon(
            sync=self.sync_sections(
                master={'ignore_regions': 'RegionThree'},
                sync={'metadata_set': 'gs_test,colour'}),
            delete_policy=self.delete_policy)
        self.image = self.upload(colour='red', local='master-only')
        self.copies_by_region = self.wait_synced(self.image, REGIONS)

    def region_image(self, region, image_id):
        try:
            return self.glance(region).images.get(image_id)
        except glance_exc.HTTPNotFound:
            return None

    def deletion_done(self, region):
        """The task of the master image in ``region``, once it has handled
        the master's deletion."""
        task = self.journal().find(self.image.id, region)
        if task and task.state.value == 'done' and task.reason.endswith(
                '.deleted'):
            return task
        return None

    def delete_master_and_wait(self):
        self.glance(base.MASTER).images.delete(self.image.id)
        for region in REGIONS:
            self.wait_for('deletion handled in %s' % region,
                          lambda region=region: self.deletion_done(region))


class MetadataAndObsoleteTest(ChangesTestCase):

    def test_metadata_set_property_follows_the_master(self):
        self.assertNotIn('local', self.copies_by_region['RegionTwo'])
        self.glance(base.MASTER).images.update(self.image.id,
                                               colour='blue')
        for region, copy in self.copies_by_region.items():
            self.wait_for('colour=blue in %s' % region,
                          lambda region=region, copy=copy: self.region_image(
                              region, copy.id).get('colour') == 'blue')

    def test_obsolete_rename_renames_and_hides_every_copy(self):
        obsolete = self.image.name + '_obsolete'
        self.glance(base.MASTER).images.update(
            self.image.id, name=obsolete, visibility='private')
        for region, copy in self.copies_by_region.items():
            renamed = self.wait_for(
                '%s renamed' % region, lambda region=region, copy=copy: (
                    self.region_image(region, copy.id).name == obsolete
                    and self.region_image(region, copy.id)))
            self.assertEqual('private', renamed.visibility)
            self.assertEqual([], self.copies(region, name=self.image.name))


class DeletePolicyDeleteTest(ChangesTestCase):

    delete_policy = 'delete'

    def test_master_delete_deletes_the_copies(self):
        self.delete_master_and_wait()
        for region, copy in self.copies_by_region.items():
            self.assertIsNone(self.region_image(region, copy.id))


class DeletePolicyKeepTest(ChangesTestCase):

    def test_master_delete_keeps_the_copies(self):
        self.delete_master_and_wait()
        for region, copy in self.copies_by_region.items():
            self.assertEqual('active',
                             self.region_image(region, copy.id).status)
