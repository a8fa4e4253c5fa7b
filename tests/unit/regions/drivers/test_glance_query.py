"""Glance server-side filters for image queries."""

from __future__ import annotations

from oslotest import base

from glance_sync.regions.drivers import glance_query
from glance_sync.regions.query import ImageQuery


class ClausesTest(base.BaseTestCase):

    def test_one_request_per_part(self) -> None:
        query = ImageQuery(names=frozenset(['b', 'a,1']),
                           ids=frozenset(['i2', 'i1']),
                           sources=frozenset(['s2', 's1']),
                           source_property='src')
        self.assertEqual([{'name': 'in:"a,1","b"'}, {'id': 'in:"i1","i2"'},
                          {'src': 's1'}, {'src': 's2'}],
                         glance_query.clauses(query))

    def test_unquotable_names_fall_back(self) -> None:
        self.assertIsNone(glance_query.clauses(
            ImageQuery(names=frozenset(['a"b']))))
        self.assertIsNone(glance_query.clauses(
            ImageQuery(names=frozenset(['a\\b']))))

    def test_empty(self) -> None:
        self.assertEqual([], glance_query.clauses(ImageQuery()))


class ListingOrderTest(base.BaseTestCase):

    def test_own_first_newest_first_stable(self) -> None:
        own = {'x': {'id': 'x', 'created_at': '2026-01-01T00:00:01Z'},
               'y': {'id': 'y', 'created_at': '2026-01-01T00:00:02Z'},
               'z': {'id': 'z', 'created_at': '2026-01-01T00:00:01Z'}}
        public = {'p': {'id': 'p', 'created_at': '2026-01-01T00:00:09Z'},
                  'x': own['x']}
        self.assertEqual(['y', 'x', 'z', 'p'], [
            raw['id'] for raw in glance_query.listing_order(own, public)])


    def test_several_owners_in_their_listing_order(self) -> None:
        own = {'a': {'id': 'a', 'owner': 'p2', 'created_at': '3'},
               'b': {'id': 'b', 'owner': 'p1', 'created_at': '1'},
               'c': {'id': 'c', 'owner': 'p1', 'created_at': '2'}}
        # list_images asks for p1's images, then p2's, newest first.
        self.assertEqual(['c', 'b', 'a'], [
            raw['id'] for raw in glance_query.listing_order(
                own, {}, ('p1', 'p2'))])


class CountTest(base.BaseTestCase):

    def test_counts_requests(self) -> None:
        class Session:
            timeout = 7

            def request(self, url: str, method: str) -> str:
                return method + url

        class Http:
            session = Session()

        class Client:
            http_client = Http()

        client = Client()
        counter = glance_query.count_requests(client)
        self.assertEqual(0, glance_query.requests_so_far(counter))
        session = client.http_client.session
        self.assertEqual('GET/v2', session.request('/v2', 'GET'))
        session.request('/v2', 'PUT')
        self.assertEqual(2, glance_query.requests_so_far(counter))
        self.assertEqual(7, session.timeout)
