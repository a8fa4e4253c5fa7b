"""Target sessions and their connect/read timeouts."""

from unittest import mock

import requests
from keystoneauth1.identity import generic
from oslotest import base as test_base

from glance_sync.regions import auth


class MakeSessionTest(test_base.BaseTestCase):

    @mock.patch.object(requests.Session, 'request')
    def test_both_timeouts_reach_requests(self, request):
        session = auth.make_session(mock.Mock(), connect_timeout=2,
                                    read_timeout=30)
        session.session.request('GET', 'http://x')
        request.assert_called_once_with('GET', 'http://x', timeout=(2, 30))

    @mock.patch.object(requests.Session, 'request')
    def test_explicit_timeout_wins(self, request):
        session = auth.make_session(mock.Mock())
        session.session.request('GET', 'http://x', timeout=5)
        request.assert_called_once_with('GET', 'http://x', timeout=5)

    @mock.patch.object(requests.Session, 'request')
    def test_defaults(self, request):
        session = auth.make_session(mock.Mock())
        session.session.request('GET', 'http://x')
        request.assert_called_once_with(
            'GET', 'http://x', timeout=(auth.DEFAULT_CONNECT_TIMEOUT,
                                        auth.DEFAULT_READ_TIMEOUT))

    def test_keystone_session_sets_no_timeout_of_its_own(self):
        # Otherwise keystoneauth would pass its single number to requests
        # and ours would never apply.
        session = auth.make_session(mock.Mock())
        self.assertIsNone(session.timeout)

    def test_password_session(self):
        session = auth.password_session('http://ks:5000', 'u', 'pw', 'p',
                                        connect_timeout=1, read_timeout=2,
                                        verify=False)
        self.assertIsInstance(session.auth, generic.Password)
        self.assertFalse(session.verify)
        self.assertEqual((1, 2), session.session._timeout)
