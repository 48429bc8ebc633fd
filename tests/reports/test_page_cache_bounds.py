"""The public page cache is bounded: a page is kept under the query
parameters it reads and no others, so a flood of made-up addresses adds no
entries to Redis (counted in Redis itself) and cannot change the page."""

import os
import uuid

import pytest
import redis
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from tests.reports.factories import make_people, published_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache():
    """The page cache in a real Redis under a prefix of this test's own, and a
    way to count its kept pages there."""
    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL is needed for the page cache test")
        pytest.skip("REDIS_URL is not set")
    prefix = f"bounds-{uuid.uuid4().hex}"
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": url, "KEY_PREFIX": prefix}}
    caches["derived"] = {**caches["default"], "BACKEND": "core.cache.FailSoftRedisCache"}
    caches["template_fragments"] = caches["derived"]
    # The process's own caches (kept staff pages, long public pages) as the settings name them.
    caches.update({name: cfg for name, cfg in settings.CACHES.items() if name not in caches})
    client = redis.Redis.from_url(url)

    def kept_pages() -> int:
        # Each page is kept twice, as it is and gzipped (core.pagecache): counted once.
        keys = [k for k in client.scan_iter(match=f"{prefix}:*public-page:*", count=1000)]
        assert len({k.removesuffix(b":gzip") for k in keys}) == sum(
            1 for k in keys if not k.endswith(b":gzip")), "a gzipped copy with no page"
        return sum(1 for k in keys if not k.endswith(b":gzip"))

    with override_settings(CACHES=caches, PUBLIC_PAGE_CACHE_SECONDS=600):
        from django.core.cache import cache

        cache.close()
        yield kept_pages
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


def test_ten_thousand_distinct_query_strings_on_the_home_page_add_no_entries(redis_cache):
    client = Client()
    first = client.get("/")
    assert first.status_code == 200 and redis_cache() == 1
    for n in range(10_000):
        response = client.get(f"/?utm_source=flood{n}&x={n}")
        assert response.get("X-Page-Cache") == "hit"
    assert redis_cache() == 1
    assert response.content == client.get("/").content


def test_unknown_parameters_do_not_change_a_page_or_make_an_entry(redis_cache):
    org, officer, approver = make_people()
    published_report(org=org, author=officer, approver=approver, title="Short breaks review")
    client = Client()
    plain = client.get(reverse("reports:index")).content
    odd = client.get(reverse("reports:index") + '?fbclid=1&"><script>x</script>=1')
    assert odd.get("X-Page-Cache") == "hit" and odd.content == plain
    assert redis_cache() == 1


def test_declared_parameters_make_their_own_page_whatever_their_order(redis_cache):
    org, officer, approver = make_people()
    published_report(org=org, author=officer, approver=approver, title="Short breaks review")
    client = Client()
    index = reverse("reports:index")
    searched = client.get(index + "?q=transport&utm_campaign=spring").content.decode()
    assert "transport" in searched and "utm_campaign" not in searched
    assert redis_cache() == 1
    again = client.get(index + "?gclid=7&q=transport")
    assert again.get("X-Page-Cache") == "hit"
    assert client.get(index).get("X-Page-Cache") is None  # the unfiltered archive is another
    assert redis_cache() == 2
    both = client.get(index + "?page=1&q=transport")
    assert both.get("X-Page-Cache") is None
    assert client.get(index + "?q=transport&page=1").get("X-Page-Cache") == "hit"
    assert redis_cache() == 3


@override_settings(PUBLIC_PAGE_CACHE_SECONDS=0)
def test_with_the_cache_off_a_page_still_sees_only_what_it_declares(client):
    """The archive once counted any parameter as a filter (`?x=1` showed
    "Clear filters" and an empty search)."""
    index = reverse("reports:index")
    assert client.get(index + "?x=1").content == client.get(index).content
