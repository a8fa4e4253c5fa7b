"""The one-request JSON patch of an image update."""

from __future__ import annotations

from oslotest import base

from glance_sync.regions.drivers import glance_patch


class OperationsTest(base.BaseTestCase):

    def test_core_replaced_properties_added_then_removed(self) -> None:
        self.assertEqual([
            {'op': 'replace', 'path': '/name', 'value': 'n'},
            {'op': 'add', 'path': '/a~1b~0c', 'value': 'x'},
            {'op': 'remove', 'path': '/old'}],
            glance_patch.operations({'name': 'n', 'a/b~c': 'x'}, ['old']))


class PatchTest(base.BaseTestCase):

    def test_one_patch_with_the_v21_media_type(self) -> None:
        sent = []

        class Http:
            def patch(self, url, headers, data):
                sent.append((url, headers, data))
                return None, {'id': 'i'}

        class Client:
            http_client = Http()

        self.assertEqual({'id': 'i'}, glance_patch.patch(
            Client(), 'i', {'k': 'v'}, []))
        self.assertEqual([('/v2/images/i',
                           {'Content-Type': glance_patch.CONTENT_TYPE},
                           '[{"op": "add", "path": "/k", "value": "v"}]')],
                         sent)
