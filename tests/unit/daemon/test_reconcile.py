from unittest import mock

import fixtures
from oslotest import base

from glance_sync.daemon import reconcile
from glance_sync.daemon.master_catalog import MasterCatalog
from glance_sync.daemon.runner import list_master
from glance_sync.db import repositories
from glance_sync.regions.base import RegionUnavailable
from glance_sync.rules.metadata import SOURCE_PROPERTY
from tests.unit.daemon import fakes


class ReconcileTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        self.journal = repositories.Journal('sqlite://')
        self.journal.upgrade_schema()
        self.use(fakes.make_context())

    def use(self, context):
        self.context = context
        self.regions = context.cloud.memory
        self.master = self.regions['Master']
        self.wakes = []
        self.reconciler = reconcile.Reconciler(
            self.journal, lambda: self.context, 0,
            wake=lambda: self.wakes.append(1))

    def copy_to(self, image, region, **changes):
        """A finished copy of ``image`` in ``region``."""
        props = dict(image.user_properties, **{SOURCE_PROPERTY: image.id})
        props.update(changes.pop('properties', {}))
        copy = self.regions[region].create_image(
            changes.pop('name', image.name), visibility=image.visibility,
            properties=props)
        return self.regions[region].set_data_info(
            copy.id, size=image.size, checksum=image.checksum,
            os_hash_algo=image.os_hash_algo,
            os_hash_value=image.os_hash_value)

    def pairs(self):
        return {(t.image_id, t.region, t.reason)
                for t in self.journal.list_tasks()}

    def test_missing_copies_are_enqueued(self):
        image = fakes.put(self.master, 'a')
        for region in ('R2', 'R3'):
            self.copy_to(image, region)
        self.assertEqual(1, self.reconciler.run_once())
        self.assertEqual({(image.id, 'other:O1', 'reconcile')}, self.pairs())
        self.assertEqual([1], self.wakes)

    def test_metadata_and_obsolete_changes_name_their_master(self):
        changed = fakes.put(self.master, 'a', colour='blue')
        old = fakes.put(self.master, 'b')
        for region in fakes.CANDIDATES:
            self.copy_to(changed, region, properties={'colour': 'red'})
            self.copy_to(old, region)
        self.master.update(old.id, name='b_obsolete')
        self.reconciler.run_once()
        self.assertEqual({(i, r, 'reconcile') for i in (changed.id, old.id)
                          for r in fakes.CANDIDATES}, self.pairs())

    def test_renamed_and_deactivated_masters_are_enqueued(self):
        renamed = fakes.put(self.master, 'a')
        deactivated = fakes.put(self.master, 'b')
        for region in fakes.CANDIDATES:
            self.copy_to(renamed, region)
            self.copy_to(deactivated, region)
        self.master.update(renamed.id, name='a2')
        self.master.deactivate(deactivated.id)
        self.reconciler.run_once()
        self.assertEqual({(i, r, 'reconcile')
                          for i in (renamed.id, deactivated.id)
                          for r in fakes.CANDIDATES}, self.pairs())

    def test_nothing_when_in_line(self):
        image = fakes.put(self.master, 'a')
        for region in fakes.CANDIDATES:
            self.copy_to(image, region)
        self.assertEqual(0, self.reconciler.run_once())
        self.assertEqual([], self.wakes)

    def test_leftovers_of_selected_images_are_enqueued(self):
        image = fakes.put(self.master, 'a')
        for region in fakes.CANDIDATES:
            self.copy_to(image, region)
        self.regions['R2'].create_image('a', visibility='public', properties={
            SOURCE_PROPERTY: image.id, 'x': '1'})
        self.reconciler.run_once()
        self.assertEqual({(image.id, 'R2', 'reconcile')}, self.pairs())

    def test_orphans_follow_the_delete_policy_and_selection(self):
        image = fakes.put(self.master, 'a')
        private = fakes.put(self.master, 'p', visibility='private')
        for region in fakes.CANDIDATES:
            self.copy_to(image, region)
            self.copy_to(private, region)   # not selected: not ours
        self.master.delete(image.id)
        self.master.delete(private.id)
        self.reconciler.run_once()
        self.assertEqual(set(), self.pairs())
        self.use(fakes.with_options(self.context, delete_policy='delete'))
        self.reconciler.run_once()
        self.assertEqual({(image.id, r, 'reconcile')
                          for r in fakes.CANDIDATES}, self.pairs())

    def test_a_failing_region_is_skipped(self):
        fakes.put(self.master, 'a')
        with mock.patch.object(self.regions['R3'], 'list_images',
                               side_effect=RegionUnavailable(
                                   'R3', reason='down')):
            self.assertEqual(2, self.reconciler.run_once())
        self.assertEqual({'R2', 'other:O1'},
                         {region for _, region, _ in self.pairs()})

    def test_loop_retries_a_failed_pass_soon(self):
        self.context.cloud.broken['other'] = RegionUnavailable(
            'other', reason='keystone down')
        self.assertEqual(reconcile.RETRY_AFTER_FAILURE,
                         self.reconciler._pass())

    def test_loop_ends_after_the_start_up_pass_with_interval_0(self):
        fakes.put(self.master, 'a')
        self.assertIsNone(self.reconciler._pass())
        self.assertEqual(3, len(self.pairs()))


class ScaleTest(ReconcileTest):
    """One listing per region per pass; the master catalog refreshed."""

    def test_each_region_listed_once_and_catalog_replaced(self):
        image = fakes.put(self.master, 'a')
        catalog = MasterCatalog(list_master)
        for workers in (1, 3):
            self.journal = repositories.Journal('sqlite://')
            self.journal.upgrade_schema()
            reconciler = reconcile.Reconciler(
                self.journal, lambda: self.context, 0, catalog=catalog,
                workers=workers)
            for region in self.regions.values():
                region.reset_calls()
            self.assertEqual(len(fakes.CANDIDATES), reconciler.run_once())
            for name in fakes.CANDIDATES:
                self.assertEqual(
                    1, len(self.regions[name].calls_to('list_images')), name)
            self.assertEqual(1, len(self.master.calls_to('list_images')))
            self.assertEqual({(image.id, r, 'reconcile')
                              for r in fakes.CANDIDATES}, self.pairs())
        self.assertEqual(1, len(catalog))
        # A task of the pass's master reuses the catalog: no listing.
        self.master.reset_calls()
        catalog.around(self.master, image)
        self.assertEqual([], self.master.calls_to('list_images'))
