from unittest import mock

import webob
from oslotest import base

from glance_sync.api import errors, faults, router


def ok(request, **params):
    return webob.Response(json_body=params, content_type='application/json',
                          charset=None)


class RouterTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.authorizer = mock.Mock()
        self.app = faults.FaultMiddleware(router.Router([
            router.Route('/', {'GET': router.Endpoint(ok)}),
            router.Route('/things/{thing}', {
                'GET': router.Endpoint(ok, 'rule:get'),
                'DELETE': router.Endpoint(ok, 'rule:delete')}),
        ], self.authorizer))

    def get(self, path, method='GET'):
        return webob.Request.blank(path, method=method).get_response(
            self.app)

    def test_parameters_and_trailing_slash(self):
        self.assertEqual({'thing': 'a:b'}, self.get('/things/a:b').json)
        self.assertEqual({'thing': 'x'}, self.get('/things/x/').json)
        self.authorizer.authorize.assert_called_with(mock.ANY, 'rule:get',
                                                     {'thing': 'x'})

    def test_public_route_skips_the_authorizer(self):
        self.assertEqual(200, self.get('/').status_int)
        self.authorizer.authorize.assert_not_called()

    def test_head_is_get(self):
        self.assertEqual(200, self.get('/things/x', 'HEAD').status_int)

    def test_unknown_path(self):
        response = self.get('/things/x/y')
        self.assertEqual(404, response.status_int)
        self.assertEqual({'error': {'message': 'No resource at /things/x/y',
                                    'code': 404}}, response.json)

    def test_wrong_method_before_authorization(self):
        response = self.get('/things/x', 'PATCH')
        self.assertEqual(405, response.status_int)
        self.assertEqual('DELETE, GET', response.headers['Allow'])
        self.authorizer.authorize.assert_not_called()

    def test_refused_authorization_stops_the_handler(self):
        self.authorizer.authorize.side_effect = errors.Forbidden(
            rule='rule:delete')
        response = self.get('/things/x', 'DELETE')
        self.assertEqual(403, response.status_int)
        self.assertEqual('Policy does not allow rule:delete',
                         response.json['error']['message'])
