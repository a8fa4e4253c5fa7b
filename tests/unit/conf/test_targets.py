"""The endpoint options of the ``[target:<name>]`` groups."""

from glance_sync.conf import targets
from glance_sync.conf.loaded import EndpointSettings
from tests.unit.conf.test_native import MASTER_ONLY, NativeTestCase

OVERRIDES = MASTER_ONLY + """\
interface = internal
endpoint_override = R2:http://10.0.0.2:9292/, R3: https://g3.example/image
"""


class EndpointSettingsTest(NativeTestCase):

    def test_public_catalog_by_default(self):
        config = self.load(MASTER_ONLY)
        self.assertEqual(EndpointSettings('public', {}),
                         config.endpoints('master'))

    def test_interface_and_overrides(self):
        config = self.load(OVERRIDES)
        self.assertEqual(
            EndpointSettings('internal', {
                'R2': 'http://10.0.0.2:9292/',
                'R3': 'https://g3.example/image'}),
            config.endpoints('master'))

    def test_unknown_interface(self):
        self.assertConfigError(MASTER_ONLY + 'interface = private\n',
                               '[target:master]', "'private'")

    def test_override_not_a_url(self):
        exc = self.assertConfigError(
            MASTER_ONLY + 'endpoint_override = R2:glance.r2:9292\n',
            '[target:master] endpoint_override',
            "region 'R2': 'glance.r2:9292' is not an http(s) URL")
        self.assertEqual('endpoint_override', exc.option)

    def test_unknown_target(self):
        config = self.load(MASTER_ONLY)
        self.assertIn("unknown target 'nope'",
                      str(self.assertRaises(Exception, config.endpoints,
                                            'nope')))

    def test_options_in_the_sample(self):
        [(group, opts)] = targets.list_opts()
        names = {opt.name for opt in opts}
        self.assertLessEqual({'interface', 'endpoint_override'}, names)


class MetadataOnlyTest(NativeTestCase):

    def test_off_by_default(self):
        config = self.load(MASTER_ONLY)
        self.assertFalse(config.settings.targets['master'].metadata_only)

    def test_set_per_target(self):
        config = self.load(MASTER_ONLY + 'metadata_only = true\n')
        self.assertTrue(config.settings.targets['master'].metadata_only)

    def test_not_a_boolean(self):
        self.assertConfigError(MASTER_ONLY + 'metadata_only = sometimes\n',
                               '[target:master]', 'sometimes')

    def test_in_the_sample(self):
        [(group, opts)] = targets.list_opts()
        self.assertIn('metadata_only', {opt.name for opt in opts})
