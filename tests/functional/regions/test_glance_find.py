"""Targeted reads (``GlanceRegion.find_images``) against a real Glance.

The server-side filters must find exactly what filtering the full
listing finds, the images of one name in the listing's order: names
(with commas, colons and quotes Glance's ``in:`` cannot carry), ids, the
recorded source property, and other projects' public images only when
asked.
"""

from __future__ import annotations

from glance_sync.regions import auth
from glance_sync.regions.query import ImageQuery, filter_images
from tests.functional.regions import helpers

SOURCE = 'glance_sync_source'


class FindImagesTest(helpers.RegionTestCase):

    def _create(self, region, name, visibility='private', **props):
        image = region.create_image(name, visibility=visibility,
                                    properties=props)
        self.delete_later(region, image.id)
        return image

    def _assert_same(self, region, query):
        expected = filter_images(region.list_images(query.include_public),
                                 query)
        before = region.requests_made
        found = region.find_images(query)
        self.assertEqual(sorted(expected, key=lambda i: i.id),
                         sorted(found, key=lambda i: i.id))
        # Images of the same second may come in another order, except
        # those of one name (which duplicate a plan matches).
        for name in {i.name for i in expected}:
            self.assertEqual([i.id for i in expected if i.name == name],
                             [i.id for i in found if i.name == name])
        return region.requests_made - before

    def test_names_ids_sources_and_order(self):
        region = self.region('RegionTwo')
        name = self.unique_name('find')
        odd = self.unique_name('odd, in:"quoted"')
        first = self._create(region, name)
        second = self._create(region, name)  # a duplicated name
        obsolete = self._create(region, name + '_obsolete')
        copy = self._create(region, self.unique_name('renamed'),
                            **{SOURCE: 'master-id-1'})
        by_id = self._create(region, self.unique_name('by-id'))
        weird = self._create(region, odd)
        self._create(region, self.unique_name('unrelated'),
                     **{SOURCE: 'master-id-2'})
        query = ImageQuery(names=frozenset([name, name + '_obsolete']),
                           ids=frozenset([by_id.id]),
                           sources=frozenset(['master-id-1']))
        requests = self._assert_same(region, query)
        found = {i.id for i in region.find_images(query)}
        self.assertEqual({first.id, second.id, obsolete.id, copy.id,
                          by_id.id}, found)
        # One request each for the names, the ids and the source.
        self.assertEqual(3, requests)
        # A name with a double quote: found through the listing instead.
        self._assert_same(region, ImageQuery(names=frozenset([odd])))
        self.assertEqual([weird.id], [i.id for i in region.find_images(
            ImageQuery(names=frozenset([odd])))])
        self.assertEqual([], region.find_images(ImageQuery()))

    def test_public_images_of_other_projects(self):
        admin = self.cloud.keystones['keystone-a'].admin
        theirs = self.region('RegionTwo',
                             session=auth.make_session(admin.auth()))
        name = self.unique_name('shared-name')
        public = self._create(theirs, name, visibility='public')
        private = self._create(theirs, name, visibility='private')
        region = self.region('RegionTwo')
        own = self._create(region, name)
        query = ImageQuery(names=frozenset([name]))
        self._assert_same(region, query)
        self.assertEqual([own.id],
                         [i.id for i in region.find_images(query)])
        with_public = ImageQuery(names=frozenset([name]),
                                 include_public=True)
        # One request, though the listing needs two (own, public).
        self.assertEqual(1, self._assert_same(region, with_public))
        found = [i.id for i in region.find_images(with_public)]
        self.assertEqual([own.id, public.id], found)
        self.assertNotIn(private.id, found)


class UpdateRequestsTest(helpers.RegionTestCase):
    """An update is one PATCH (glanceclient's update is three requests)."""

    def test_update_is_one_request(self):
        region = self.region('RegionTwo')
        image = region.create_image(self.unique_name('patch'),
                                    visibility='private',
                                    properties={'old': '1', 'keep': '2'})
        self.delete_later(region, image.id)
        before = region.requests_made
        updated = region.update(image.id, name=image.name + '_obsolete',
                                visibility='public',
                                set_properties={'a/b~c': 'x', 'keep': '3'},
                                remove_properties=['old'])
        self.assertEqual(1, region.requests_made - before)
        self.assertEqual((image.name + '_obsolete', 'public',
                          {'a/b~c': 'x', 'keep': '3'}),
                         (updated.name, updated.visibility,
                          updated.user_properties))
        self.assertEqual(updated, region.get_image(image.id))
        # A property already gone: read, then patch what is there.
        before = region.requests_made
        again = region.update(image.id, set_properties={'keep': '4'},
                              remove_properties=['old'])
        self.assertEqual({'a/b~c': 'x', 'keep': '4'}, again.user_properties)
        self.assertGreater(region.requests_made - before, 1)
