"""The cases of GlanceSync's own region tests, through our planner.

Eleven master images with a condition that reads properties, sizes and
key sets; their regional copies differ in a few places. Each test changes
one thing and checks every status, in order.
"""

from oslotest import base

from glance_sync.images import Image
from glance_sync.rules.plan import status_region
from glance_sync.rules.selection import MasterIndex
from tests.unit.rules import fakes

CONDITION = ("image.user_properties.get('okhronisable',False) and"
             "         not set(image.user_properties.keys()).intersection("
             "set(['domain',        'zone'])) and image.size < 10000")

MASTER_PROPERTIES = {
    0: {'okhronisable': True}, 1: {'okhronisable': True, 'key1': 2000,
                                   'key2': 0},
    2: {'okhronisable': True},
    3: {'okhronisable': True, 'kernel_id': '001', 'ramdisk_id': '002'},
    4: {'okhronisable': True, 'domain': 'acl3'},
    5: {'okhronisable': True, 'zone': 'acl4'}, 6: {'p1': 30},
    7: {'okhronisable': True, 'p1': 40}, 8: {'okhronisable': False},
    9: {'okhronisable': True}, 10: {},
}


def _image(n, prefix, region, props):
    return Image(id='%s%02d' % (prefix, n), name='image%02d' % n,
                 region=region, owner='tenantid',
                 visibility='private' if n in (0, 6, 10) else 'public',
                 status='active', checksum='checksum',
                 size={7: 100000, 8: 5000}.get(n, 1000),
                 user_properties=dict(props))


class ReferenceCasesTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.master = {n: _image(n, '0', 'Valladolid', props)
                       for n, props in MASTER_PROPERTIES.items()}
        self.region = {n: _image(n, '1', 'Burgos', props)
                       for n, props in MASTER_PROPERTIES.items()}
        self.region[3].user_properties.update(kernel_id='101',
                                              ramdisk_id='102')
        self.region[9].user_properties['ramdisk_id'] = '104'
        self.region[1].user_properties['key1'] = 1
        self.region[2].user_properties['key2'] = 1
        self.options = dict(metadata_set=['key1'],
                            metadata_condition=CONDITION,
                            only_tenant_images=False, tenant_id='tenantid')

    def statuses(self):
        index = MasterIndex.build(self.master.values(), 'tenantid')
        rules = fakes.rules(**self.options)
        found = status_region(index, self.region.values(), rules, 'Burgos')
        return [(s.name, s.status.value) for s in found]

    def check(self, *expected):
        names = ['image00', 'image01', 'image02', 'image03', 'image09']
        self.assertEqual(list(zip(names, expected)), self.statuses())

    def test_selection_default(self):
        self.options.update(metadata_set=[], metadata_condition=None)
        names = {name for name, _ in self.statuses()}
        self.assertEqual({'image01', 'image02', 'image03', 'image04',
                          'image05', 'image07', 'image08', 'image09'}, names)
        self.options['forcesyncs'] = ['000', '010']
        self.assertEqual(names | {'image00', 'image10'},
                         {name for name, _ in self.statuses()})

    def test_selection_by_metadata_set(self):
        self.options.update(metadata_set=['p1'], metadata_condition=None)
        self.assertEqual(['image07'], [n for n, _ in self.statuses()])

    def test_image_list_to_sync(self):
        self.check('ok', 'pending_metadata', 'ok', 'ok', 'pending_metadata')

    def test_missing(self):
        del self.region[1]
        self.check('ok', 'pending_upload', 'ok', 'pending_ami',
                   'pending_metadata')

    def test_not_active(self):
        self.region[1].status = 'pending'
        self.check('ok', 'pending_upload', 'ok', 'pending_ami',
                   'pending_metadata')

    def test_checksum_error(self):
        self.region[1].checksum = 'otherchecksum'
        self.check('ok', 'error_checksum', 'ok', 'ok', 'pending_metadata')

    def test_checksum_dontupdate(self):
        self.options['dontupdate'] = ['otherchecksum']
        self.region[1].checksum = 'otherchecksum'
        self.check('ok', 'ok_stalled_checksum', 'ok', 'ok',
                   'pending_metadata')

    def test_checksum_replace(self):
        self.options['replace'] = ['otherchecksum']
        self.region[1].checksum = 'otherchecksum'
        self.check('ok', 'pending_replace', 'ok', 'pending_ami',
                   'pending_metadata')

    def test_checksum_rename(self):
        self.options['rename'] = ['otherchecksum']
        self.region[1].checksum = 'otherchecksum'
        self.check('ok', 'pending_rename', 'ok', 'pending_ami',
                   'pending_metadata')

    def test_checksum_mixed(self):
        self.options.update(dontupdate=['checksum1'],
                            replace=['checksum2', 'any'], rename=['any'])
        self.region[1].checksum = 'checksum1'
        self.region[0].checksum = 'checksum2'
        self.region[3].checksum = 'checksum3'
        self.check('pending_replace', 'ok_stalled_checksum', 'ok',
                   'pending_rename', 'pending_metadata')

    def test_ami(self):
        self.region[3].user_properties['ramdisk_id'] = '101'
        self.master[9].user_properties['kernel_id'] = '004'
        self.check('ok', 'pending_metadata', 'ok', 'pending_metadata',
                   'error_ami')

    def test_visibility(self):
        self.master[0].visibility = 'private'
        self.region[0].visibility = 'public'
        self.master[1].visibility = 'private'
        self.region[1].visibility = 'public'
        self.check('pending_metadata', 'pending_metadata', 'ok', 'ok',
                   'pending_metadata')
