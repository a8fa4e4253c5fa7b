import dataclasses
import os

import fixtures
from oslotest import base

from glance_sync.replicator import compare
from glance_sync.rules.status import Status
from glance_sync.sync import syncing
from tests.unit.replicator import fakes
from tests.unit.replicator.test_sizing import Unavailable


class CompareTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.cloud = fakes.cloud(self.dir)
        self.master = {i.name: i for i in
                       self.cloud.regions['Master'].list_images()}
        self.r1 = self.cloud.regions['R1']

    def copy(self, name, content=None, **props):
        master = self.cloud.regions['Master']
        if content is None:
            content = b''.join(master.download(self.master[name].id))
        props = dict(self.master[name].user_properties, **props)
        return fakes.add(self.r1, name, content, **props)

    def rows(self, *regions):
        return [(d.region, d.image, d.difference, d.field, d.master_value,
                 d.region_value, d.status)
                for d in compare.compare_regions(self.cloud, regions)]

    def test_missing_changed_and_conflicting(self):
        self.copy('a', type='changed')
        other = self.copy('b', content=os.urandom(20))
        self.assertEqual([
            ('R1', 'a', 'metadata', 'type', None, 'changed',
             Status.PENDING_METADATA),
            ('R1', 'b', 'checksum', 'checksum', self.master['b'].checksum,
             other.checksum, Status.ERROR_CHECKSUM),
            ('R1', 'b', 'checksum', 'os_hash_value',
             self.master['b'].os_hash_value, other.os_hash_value,
             Status.ERROR_CHECKSUM),
            ('R1', 'c', 'missing', None, None, None, Status.PENDING_UPLOAD),
        ], self.rows('R1'))

    def test_nothing_after_a_sync(self):
        self.assertEqual(3, len(self.rows('R1')))
        syncing.sync_regions(self.cloud, ['R1', 'other:O1'])
        self.assertEqual([], self.rows('R1', 'other:O1'))

    def test_region_error(self):
        self.cloud.regions['R1'] = Unavailable('R1')
        found = compare.compare_regions(self.cloud, ['R1', 'other:O1'])
        self.assertEqual(('R1', 'error'), (found[0].region,
                                           found[0].difference))
        self.assertIn('503', found[0].region_value)
        self.assertEqual({'region': 'R1', 'image': '', 'difference': 'error',
                          'field': None, 'master_value': None,
                          'region_value': found[0].region_value,
                          'status': None}, found[0].as_row())
        self.assertEqual(('other:O1', 'missing', 'pending_upload'),
                         (found[1].region, found[1].difference,
                          found[1].as_row()['status']))

    def test_by_id_a_renamed_copy(self):
        targets = self.cloud.config.settings.targets
        targets['master'] = dataclasses.replace(targets['master'],
                                                match_by='id')
        master = self.cloud.regions['Master']
        for name in ('a', 'b', 'c'):
            fakes.add(self.r1, 'new-' + name,
                      b''.join(master.download(self.master[name].id)),
                      image_id=self.master[name].id,
                      **self.master[name].user_properties)
        self.assertEqual(
            [('R1', name, 'metadata', 'name', name, 'new-' + name,
              Status.PENDING_METADATA) for name in ('a', 'b', 'c')],
            self.rows('R1'))
