"""A target naming stores of a multi-store Glance: each copy is also put
into those stores, by the region itself with copy-image.

RegionTwo's glance-api of the local cloud has two extra file stores,
``edge1`` and ``edge2`` (``tools/localcloud/glance.py``).
"""

from __future__ import annotations

import pathlib

from tests.functional.manage import base


def stores_of(image) -> set[str]:
    return set(filter(None, (image.get('stores') or '').split(',')))


class StoresTest(base.ManageTestCase):

    def test_copy_image_into_the_named_stores(self):
        conf = self.native_config({'target:master': {
            'stores': 'edge1, edge2'}})
        master = self.master_image('edge', 256 * 1024)
        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        copy = self.one_image('RegionTwo', master.name)
        self.assertEqual({'local', 'edge1', 'edge2'}, stores_of(copy))
        self.assertEqual(
            (master.size, master.checksum, master.os_hash_value),
            (copy.size, copy.checksum, copy.os_hash_value))
        self.assertEqual('', copy.get('os_glance_failed_import', ''))
        # The bytes are in each store's own folder.
        folder = pathlib.Path(self.cloud.dir) / 'glance-RegionTwo'
        for store in ('edge1', 'edge2'):
            self.assertEqual(master.size,
                             (folder / store / copy.id).stat().st_size)

        # Already everywhere: the next sync asks nothing more.
        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        again = self.one_image('RegionTwo', master.name)
        self.assertEqual((copy.id, copy.updated_at),
                         (again.id, again.updated_at))

    def test_unknown_store_reported(self):
        conf = self.native_config({'target:master': {'stores': 'nowhere'}})
        master = self.master_image('nowhere', 1024)
        result = self.manage(conf, 'sync', 'RegionTwo', rc=1)
        self.assertIn('nowhere', result.stdout + result.stderr)
        # The copy itself is made, in the default store.
        self.assertEqual({'local'}, stores_of(
            self.one_image('RegionTwo', master.name)))
