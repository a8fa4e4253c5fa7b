"""Paging through GET /v2/images without glanceclient's models."""

import urllib.parse

from glanceclient import exc as glance_exc
from oslotest import base

from glance_sync.regions.drivers import glance_listing


class FakeHttp:
    """Answers GET /v2/images from canned pages, records the URLs."""

    def __init__(self, *pages):
        self.pages = list(pages)
        self.urls = []

    def get(self, url):
        self.urls.append(url)
        page = self.pages.pop(0)
        if isinstance(page, Exception):
            raise page
        return object(), page


def query(url):
    path, _, text = url.partition('?')
    return path, dict(urllib.parse.parse_qsl(text))


class PagesTest(base.BaseTestCase):

    def test_follows_next_links_and_drops_self(self):
        http = FakeHttp(
            {'images': [{'id': 'a', 'self': '/v2/images/a'}, {'id': 'b'}],
             'next': '/v2/images?limit=2&marker=b&owner=p1'},
            {'images': [{'id': 'c'}]})
        found = list(glance_listing.pages(
            http, filters={'owner': 'p1', 'name': 'in:"x","y z"'},
            page_size=2))
        self.assertEqual([{'id': 'a'}, {'id': 'b'}, {'id': 'c'}], found)
        self.assertEqual(('/v2/images', {'owner': 'p1', 'limit': '2',
                                         'name': 'in:"x","y z"'}),
                         query(http.urls[0]))
        self.assertEqual('/v2/images?limit=2&marker=b&owner=p1',
                         http.urls[1])

    def test_an_empty_listing_is_one_request(self):
        http = FakeHttp({'images': []})
        self.assertEqual([], list(glance_listing.pages(
            http, filters={}, page_size=200)))
        self.assertEqual(1, len(http.urls))

    def test_an_error_on_a_later_page_is_raised_after_the_first(self):
        http = FakeHttp({'images': [{'id': 'a'}], 'next': '/v2/images?m=a'},
                        glance_exc.HTTPInternalServerError('boom'))
        pages = glance_listing.pages(http, filters={}, page_size=1)
        self.assertEqual({'id': 'a'}, next(pages))
        self.assertRaises(glance_exc.HTTPInternalServerError, next, pages)
