"""Issue 14: each change of a master image reaches the regions as that
change: a rename renames the copies (no byte moves), a deactivation
deactivates them, tags, visibility, protection and the core attributes
follow (native configuration: copies record their source)."""


from glanceclient import exc as glance_exc

from tests.functional import base as functional_base
from tests.functional.daemon import base

REGIONS = ('RegionTwo', 'other:RegionFour')


class MasterChangesTestCase(base.DaemonTestCase):

    wait_timeout = 45
    delete_policy = 'keep'

    def setUp(self):
        super().setUp()
        self.daemon = self.start_daemon(sync=self.sync_sections(
            master={'ignore_regions': 'RegionThree'}),
            delete_policy=self.delete_policy)

    def region_image(self, region, image_id):
        try:
            return self.glance(region).images.get(image_id)
        except glance_exc.HTTPNotFound:
            return None

    def unprotect(self, region, image_id):
        try:
            self.glance(region).images.update(image_id, protected=False)
        except glance_exc.HTTPNotFound:
            pass

    def wait_copies(self, copies, what, check):
        """Wait until ``check(copy as the region shows it)`` holds for the
        copy in each region; :returns: the copies as last read."""
        return {region: self.wait_for(
            '%s in %s' % (what, region),
            lambda region=region, copy=copy: (
                check(self.region_image(region, copy.id))
                and self.region_image(region, copy.id)))
            for region, copy in copies.items()}


class RenameTest(MasterChangesTestCase):

    def test_rename_renames_the_copies_without_reading_the_master(self):
        image = self.upload()
        copies = self.wait_synced(image, REGIONS)
        new_name = image.name + '-renamed'
        self.glance(base.MASTER).images.update(image.id, name=new_name)
        renamed = self.wait_copies(copies, 'copy renamed',
                                   lambda c: c and c.name == new_name)
        for region, copy in renamed.items():
            # The same image: its id is kept, and nothing is left behind.
            self.assertEqual(copies[region].id, copy.id)
            self.assertEqual([], self.copies(region, name=image.name))
            self.assertEqual([copy.id], [c.id for c in self.copies(
                region, gs_test=self.token)])
        self.wait_tasks_settled([image.id])
        log = self.daemon.log()
        self.assertEqual(1, len(functional_base.reads_of(log, image.name)),
                         log)
        self.assertEqual([], functional_base.reads_of(log, new_name), log)

    def test_rename_onto_another_image_is_a_checksum_conflict(self):
        image = self.upload()
        copies = self.wait_synced(image, REGIONS)
        new_name = image.name + '-taken'
        # Another image of the target's project holds the new name.
        other = self.make_image('RegionTwo', 2048, name=new_name,
                                gs_test=self.token)
        self.glance(base.MASTER).images.update(image.id, name=new_name)
        # Where the name is free the copy follows; where it is taken the
        # target has no rule for that checksum: error_checksum, and
        # nothing moves.
        self.wait_copies({'other:RegionFour': copies['other:RegionFour']},
                         'copy renamed', lambda c: c and c.name == new_name)
        self.wait_logged(self.daemon, 'already holds another image %s'
                         % other.id)
        self.wait_tasks_settled([image.id])
        self.assertEqual(image.name, self.region_image(
            'RegionTwo', copies['RegionTwo'].id).name)
        kept = self.region_image('RegionTwo', other.id)
        self.assertEqual((new_name, 'active', other.checksum),
                         (kept.name, kept.status, kept.checksum))


class DeactivationTest(MasterChangesTestCase):

    def test_deactivate_and_reactivate_follow(self):
        image = self.upload()
        copies = self.wait_synced(image, REGIONS)
        master = self.glance(base.MASTER)
        master.images.deactivate(image.id)
        self.wait_copies(copies, 'copy deactivated',
                         lambda c: c and c.status == 'deactivated')
        master.images.reactivate(image.id)
        reactivated = self.wait_copies(copies, 'copy reactivated',
                                       lambda c: c and c.status == 'active')
        for region, copy in reactivated.items():
            self.assertEqual(copies[region].id, copy.id)
            self.assertEqual([copy.id], [c.id for c in self.copies(
                region, gs_test=self.token)])

    def test_deactivated_master_is_not_copied_until_reactivated(self):
        # Not selected yet (another token), then deactivated, then
        # selected: the change reaches the daemon while it is deactivated.
        image = self.make_image(base.MASTER, 4096, visibility='public',
                                gs_test='not-yet')
        master = self.glance(base.MASTER)
        master.images.deactivate(image.id)
        master.images.update(image.id, gs_test=self.token)
        self.wait_for('the update handled', lambda: [
            t for t in self.journal().list_tasks()
            if t.image_id == image.id])
        self.wait_tasks_settled([image.id])
        for region in REGIONS:
            self.assertEqual([], self.copies(region, name=image.name))
        master.images.reactivate(image.id)
        self.wait_synced(master.images.get(image.id), REGIONS)


class AttributesTest(MasterChangesTestCase):

    def test_tags_follow(self):
        image = self.upload(tags=['alpha', 'beta'])
        # Tags are set once the data is in: wait for them too.
        copies = self.wait_copies(self.wait_synced(image, REGIONS),
                                  'tags copied', lambda c: c and set(
                                      c.tags) == {'alpha', 'beta'})
        master = self.glance(base.MASTER)
        master.image_tags.update(image.id, 'gamma')
        master.image_tags.delete(image.id, 'alpha')
        self.wait_copies(copies, 'tags followed',
                         lambda c: c and set(c.tags) == {'beta', 'gamma'})

    def test_community_shared_and_core_attributes_follow(self):
        image = self.upload(visibility='community', container_format='ovf',
                            min_disk=2, min_ram=128)
        copies = self.wait_copies(self.wait_synced(image, REGIONS),
                                  'attributes copied',
                                  lambda c: c and c.min_disk == 2)
        for copy in copies.values():
            self.assertEqual(('community', 'raw', 'ovf', 2, 128),
                             (copy.visibility, copy.disk_format,
                              copy.container_format, copy.min_disk,
                              copy.min_ram))
        self.glance(base.MASTER).images.update(
            image.id, visibility='shared', min_disk=4, min_ram=256)
        self.wait_copies(copies, 'attributes followed', lambda c: c and (
            c.visibility, c.min_disk, c.min_ram) == ('shared', 4, 256))

    def test_protected_follows(self):
        image = self.upload()
        copies = self.wait_synced(image, REGIONS)
        # Cleanups run last first: these before the images are deleted.
        self.addCleanup(self.unprotect, base.MASTER, image.id)
        for region, copy in copies.items():
            self.addCleanup(self.unprotect, region, copy.id)
        master = self.glance(base.MASTER)
        master.images.update(image.id, protected=True)
        self.wait_copies(copies, 'copy protected', lambda c: c and c.protected)
        master.images.update(image.id, protected=False)
        self.wait_copies(copies, 'copy unprotected',
                         lambda c: c and not c.protected)


class ProtectedDeleteTest(MasterChangesTestCase):

    delete_policy = 'delete'

    def test_protected_copy_deleted_when_its_master_is_gone(self):
        image = self.upload()
        copies = self.wait_synced(image, REGIONS)
        for region, copy in copies.items():
            self.glance(region).images.update(copy.id, protected=True)
            self.addCleanup(self.unprotect, region, copy.id)
        self.glance(base.MASTER).images.delete(image.id)
        for region, copy in copies.items():
            self.wait_for('copy deleted in %s' % region,
                          lambda region=region, copy=copy:
                          self.region_image(region, copy.id) is None)
