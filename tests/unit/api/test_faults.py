import webob
from oslotest import base

from glance_sync.api import errors, faults


def raising(error):
    def app(environ, start_response):
        raise error
    return app


class FaultMiddlewareTest(base.BaseTestCase):

    def call(self, error):
        return webob.Request.blank('/x').get_response(
            faults.FaultMiddleware(raising(error)))

    def test_api_error_keeps_its_code_and_message(self):
        response = self.call(errors.UnknownRegion(region='Nowhere'))
        self.assertEqual(410, response.status_int)
        self.assertEqual('application/json', response.content_type)
        self.assertEqual({'error': {'message': 'Region Nowhere does not '
                                    'exist', 'code': 410}}, response.json)

    def test_405_carries_allow(self):
        response = self.call(errors.MethodNotAllowed('PUT', '/x',
                                                     ['POST', 'GET']))
        self.assertEqual('POST, GET', response.headers['Allow'])

    def test_crash_is_a_bare_500(self):
        response = self.call(KeyError('password=hunter2'))
        self.assertEqual(500, response.status_int)
        self.assertEqual({'error': {'message': 'Internal error',
                                    'code': 500}}, response.json)

    def test_every_error_class_has_a_distinct_type(self):
        classes = [getattr(errors, name) for name in errors.__all__]
        types = [cls.error_type for cls in classes]
        self.assertEqual(len(types), len(set(types)))
        self.assertTrue(all(400 <= cls.code < 600 for cls in classes))
