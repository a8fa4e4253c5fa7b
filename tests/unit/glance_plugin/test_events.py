import dataclasses

from oslotest import base

from glance_sync.glance_plugin import events


def snap(**changes):
    image = events.Snapshot(
        id='i1', name='cirros', status='active', visibility='public',
        owner='p1', size=10, checksum='md5', os_hash_algo='sha512',
        os_hash_value='sha', properties={'type': 'base'})
    return dataclasses.replace(image, **changes)


class EventsForSaveTest(base.BaseTestCase):

    def test_noop_save_publishes_nothing(self):
        self.assertEqual([], events.events_for_save(snap(), snap()))

    def test_upload_complete(self):
        before = snap(status='saving', size=None, checksum=None)
        self.assertEqual([events.UPLOADED],
                         events.events_for_save(before, snap()))

    def test_intermediate_upload_states_are_silent(self):
        self.assertEqual([], events.events_for_save(
            snap(status='queued'), snap(status='saving')))
        self.assertEqual([], events.events_for_save(
            snap(status='uploading'), snap(status='importing')))

    def test_from_state_is_authoritative(self):
        # The import flow saves importing->active on an image whose
        # snapshot the task thread may have taken while still 'active'.
        self.assertEqual([events.UPLOADED], events.events_for_save(
            snap(), snap(), from_state='importing'))

    def test_deactivate_and_reactivate(self):
        self.assertEqual([events.DEACTIVATED], events.events_for_save(
            snap(), snap(status='deactivated')))
        self.assertEqual([events.REACTIVATED], events.events_for_save(
            snap(status='deactivated'), snap()))

    def test_rename_and_property_change(self):
        after = snap(name='cirros_obsolete', properties={'type': 'x'})
        self.assertEqual([events.RENAMED, events.UPDATED],
                         events.events_for_save(snap(), after))

    def test_visibility_change_is_an_update(self):
        self.assertEqual([events.UPDATED], events.events_for_save(
            snap(), snap(visibility='private')))

    def test_unknown_before_reports_update(self):
        self.assertEqual([events.UPDATED],
                         events.events_for_save(None, snap()))
        self.assertEqual([events.UPLOADED, events.UPDATED],
                         events.events_for_save(None, snap(), 'saving'))


class FakeDomainImage:
    image_id = 'i1'
    name = 'cirros'
    status = 'active'
    visibility = 'public'
    owner = 'p1'
    size = 3
    checksum = 'c'
    os_hash_algo = 'sha512'
    os_hash_value = 'h'
    extra_properties = {'type': 'base', 'os_glance_import_task': 't1'}


class SnapshotTest(base.BaseTestCase):

    def test_reserved_properties_are_ignored(self):
        self.assertEqual({'type': 'base'},
                         events.Snapshot.of(FakeDomainImage()).properties)


class PayloadTest(base.BaseTestCase):

    def test_rename_to_obsolete_is_flagged(self):
        body = events.payload(events.RENAMED, snap(name='c_obsolete'),
                              snap(name='c'))
        self.assertTrue(body['obsolete'])
        self.assertEqual('c', body['previous_name'])
        self.assertEqual('c_obsolete', body['name'])
        for key in ('id', 'owner', 'visibility', 'status', 'size',
                    'checksum', 'os_hash_algo', 'os_hash_value',
                    'properties', 'timestamp', 'event'):
            self.assertIn(key, body)

    def test_other_renames_are_not_obsolete(self):
        self.assertFalse(events.payload(
            events.RENAMED, snap(name='d'), snap(name='c'))['obsolete'])
        self.assertFalse(events.payload(
            events.RENAMED, snap(name='c_obsolete'),
            snap(name='b_obsolete'))['obsolete'])


class AttributeChangesTest(base.BaseTestCase):

    def test_tags_protection_and_sizes_are_updates(self):
        for changes in ({'tags': ('a',)}, {'protected': True},
                        {'min_disk': 1}, {'min_ram': 64}):
            self.assertEqual([events.UPDATED], events.events_for_save(
                snap(), snap(**changes)), changes)

    def test_payload_is_json(self):
        body = events.payload(events.UPDATED, snap(tags=('a', 'b')))
        self.assertEqual(['a', 'b'], list(body['tags']))
