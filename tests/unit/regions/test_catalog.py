"""Region discovery from a real (fixture) v3 token and catalog."""

from unittest import mock

import fixtures
from keystoneauth1 import exceptions as ksa_exc
from keystoneauth1 import fixture
from keystoneauth1 import session as ksa_session
from keystoneauth1.identity import v3
from oslotest import base as test_base

from glance_sync.regions import base
from glance_sync.regions import catalog


def token():
    body = fixture.V3Token()
    body.set_project_scope()
    image = body.add_service('image')
    for region in ('RegionOne', 'RegionTwo'):
        image.add_standard_endpoints(
            public='http://%s/image' % region,
            internal='http://%s/internal' % region, region=region)
    image.add_endpoint('public', 'http://r3/image', region='RegionTwo')
    image.add_endpoint('internal', 'http://r3/image', region='RegionThree')
    body.add_service('identity').add_standard_endpoints(
        public='http://ks/v3', region='RegionFour')
    return body


class DiscoverTest(test_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.auth = v3.Password(auth_url='http://ks/v3', username='u',
                                password='secret', project_name='p',
                                user_domain_id='default',
                                project_domain_id='default')
        self.session = ksa_session.Session(auth=self.auth)
        patcher = mock.patch.object(self.auth, 'get_access')
        self.get_access = patcher.start()
        self.addCleanup(patcher.stop)

    def use_token(self):
        from keystoneauth1 import access
        self.get_access.return_value = access.create(body=token())

    def test_image_regions_sorted_once(self):
        self.use_token()
        self.assertEqual(['RegionOne', 'RegionTwo'],
                         catalog.discover_regions(self.session))
        self.get_access.assert_called_once_with(self.session)

    def test_interface(self):
        self.use_token()
        self.assertEqual(['RegionOne', 'RegionThree', 'RegionTwo'],
                         catalog.discover_regions(self.session,
                                                  interface='internal'))

    def test_region_without_image_endpoint_is_skipped_with_a_warning(self):
        logger = self.useFixture(fixtures.FakeLogger())
        self.use_token()
        catalog._WARNED.clear()
        self.addCleanup(catalog._WARNED.clear)
        # RegionFour has only Keystone; RegionThree only an internal
        # Glance: neither fails the target, both are named once.
        self.assertEqual(['RegionOne', 'RegionTwo'],
                         catalog.discover_regions(self.session,
                                                  target='other'))
        self.assertIn('Region RegionFour of other has no image endpoint of '
                      'interface public in the catalog: skipped',
                      logger.output)
        self.assertIn('Region RegionThree of other has no image endpoint',
                      logger.output)
        catalog.discover_regions(self.session, target='other')
        self.assertEqual(1, logger.output.count('RegionFour'))

    def test_other_service(self):
        self.use_token()
        self.assertEqual(['RegionFour'], catalog.discover_regions(
            self.session, service_type='identity'))

    def test_wrong_password(self):
        self.get_access.side_effect = ksa_exc.Unauthorized(
            'The request you have made requires authentication.')
        exc = self.assertRaises(base.AuthFailed, catalog.discover_regions,
                                self.session, target='other')
        self.assertIn('region other', str(exc))
        self.assertIn('requires authentication', str(exc))
        self.assertNotIn('secret', str(exc))

    def test_keystone_down_named_by_url(self):
        self.get_access.side_effect = ksa_exc.ConnectFailure('refused')
        exc = self.assertRaises(base.RegionUnavailable,
                                catalog.discover_regions, self.session)
        self.assertIn('http://ks/v3', str(exc))

    def test_no_catalog_plugin(self):
        from keystoneauth1 import token_endpoint
        session = ksa_session.Session(
            auth=token_endpoint.Token('http://x', 'tok'))
        self.assertRaises(TypeError, catalog.discover_regions, session)
