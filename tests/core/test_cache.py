"""The portal's Redis caches are Django's own RedisCache: the fail-soft one
still works, and fails soft; the rate limiter counts in it with its public
methods."""

import os
import uuid

import pytest

from core import ratelimit
from core.cache import FailSoftRedisCache


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL is needed")
        pytest.skip("REDIS_URL is not set")
    return url


def test_the_fail_soft_cache_works(redis_url):
    cache = FailSoftRedisCache(redis_url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    cache.set("a", {"b": 1}, 30)
    assert cache.get("a") == {"b": 1}
    assert cache.get_many(["a", "none"]) == {"a": {"b": 1}}
    assert cache.add("n", 1, 30) and cache.incr("n") == 2
    cache.delete("a")
    assert cache.get("a") is None


def test_the_derived_cache_still_fails_soft():
    unreachable = FailSoftRedisCache("redis://127.0.0.1:1/0", {
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}})
    assert unreachable.get("x", "default") == "default"
    assert unreachable.get_many(["x"]) == {}
    unreachable.set("x", 1)  # no error
    assert unreachable.add("x", 1) is False


def test_the_rate_limiter_counts_in_djangos_redis_cache(redis_url, settings):
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url,
        "KEY_PREFIX": prefix}}
    value = uuid.uuid4().hex
    assert [ratelimit.hit("tests", value, limit=2, period=60) for _ in range(4)] == [
        False, False, True, True]
    from django.core.cache import caches
    stored = caches["default"]
    key = ratelimit.bucket_key("tests", value, 60)
    assert stored.get(key) == 4
    stored.delete(key)
