import base64
import dataclasses
import os
import textwrap

import fixtures
from oslotest import base

from glance_sync.conf import convert, legacy, native
from tests import fiware_data

LEGACY = """\
[main]
master_region = Spain2
preferable_order = Trento, other:Madrid
max_children = 4
list_images_timeout = 45

[DEFAULT]
metadata_set = nid, type
rename = any

[master]
user = admin
password = pa$$word\\with,comma
keystone_url = http://k:5000/v3
tenant = admin
user_domain_name = Users
project_domain_id = d1
ignore_regions = Spain1

[other]
credential = u2,%s,http://k2:5000/v3,t2
tenant_id = owner2
dontupdate = ch1 ch2
only_tenant_images = false
metadata_condition = image.user_properties.get('a') == '$x'
""" % base64.b64encode(b'secret2').decode()


class ConvertTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def roundtrip(self, path):
        old = legacy.load(path, (), {})
        text = convert.convert_config(old)
        new_path = os.path.join(self.dir, 'glance-sync.conf')
        with open(new_path, 'w') as f:
            f.write(text)
        return old, native.load_files([new_path]), text

    def assertEquivalent(self, old, new):
        self.assertEqual(old.settings.master_region,
                         new.settings.master_region)
        self.assertEqual(old.settings.preferable_order,
                         new.settings.preferable_order)
        self.assertEqual(old.settings.list_images_timeout,
                         new.settings.list_images_timeout)
        self.assertEqual(old.max_workers, new.max_workers)
        self.assertEqual(old.targets, new.targets)
        for name, rules in new.settings.targets.items():
            self.assertTrue(rules.record_source)
            self.assertEqual(old.settings.targets[name],
                             dataclasses.replace(rules, record_source=False))
            self.assertEqual(old.project_name(name), new.project_name(name))
            self.assertEqual(_auth(old.auth_plugin(name)),
                             _auth(new.auth_plugin(name)))

    def test_fixture(self):
        path = os.path.join(self.dir, 'glancesync.conf')
        with open(path, 'w') as f:
            f.write(textwrap.dedent(LEGACY))
        old, new, text = self.roundtrip(path)
        self.assertEquivalent(old, new)
        self.assertIn('password = pa$$$$word\\with,comma\n', text)
        self.assertIn('owner_project_id = owner2\n', text)
        self.assertIn('parallelism = 4\n', text)
        self.assertIn('# record_source = false\n', text)
        self.assertEqual('pa$$word\\with,comma',
                         new.auth_plugin('master')._password)

    def test_conformance_configs(self):
        for path in fiware_data.config_paths(self):
            old, new, text = self.roundtrip(path)
            self.assertEquivalent(old, new)
            self.assertIn('password = fakepassword,ofcourse\n', text)


def _auth(plugin):
    names = ('auth_url', '_username', '_password', '_project_name',
             '_project_id', '_user_domain_name', '_user_domain_id',
             '_project_domain_name', '_project_domain_id',
             '_default_domain_id')
    return {n: getattr(plugin, n, None) for n in names}
