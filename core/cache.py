"""A cache for what can always be made again (whole public pages, rendered
forms, template fragments, the home page's figures): when Redis cannot be
reached it answers "not cached" instead of raising, so a page is rendered
afresh rather than a family getting a server error.

The rate limiter keeps the plain "default" cache: it needs to know that the
cache failed, so it can fail open and count it (core.ratelimit). Both aliases
point at the same Redis with the same key prefix, so they see the same keys.
django-redis has an IGNORE_EXCEPTIONS option for this; Django's own Redis
backend, which the portal uses, has none, and a dozen lines here are smaller
than switching backends.
"""

import logging

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


class FailSoftRedisCache(RedisCache):
    def _soft(self, operation: str, default, *args, **kwargs):
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except Exception as exc:  # connection refused, timeout, …: nothing to lose
            logger.warning("derived cache unreachable: %s %s", operation, exc.__class__.__name__)
            return default

    def get(self, key, default=None, version=None):
        return self._soft("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._soft("get_many", {}, keys, version)

    def set(self, key, value, timeout=None, version=None):  # noqa: A003
        return self._soft("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._soft("set_many", list(data), data, timeout, version)

    def add(self, key, value, timeout=None, version=None):
        return self._soft("add", False, key, value, timeout, version)

    def delete(self, key, version=None):
        return self._soft("delete", False, key, version)

    def touch(self, key, timeout=None, version=None):
        return self._soft("touch", False, key, timeout, version)

    def has_key(self, key, version=None):
        return self._soft("has_key", False, key, version)


def _derived():
    from django.core.cache import caches
    from django.utils.connection import ConnectionProxy

    return ConnectionProxy(caches, "derived")


derived = _derived()
