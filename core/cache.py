"""A cache for what can always be made again (whole public pages, rendered
forms, template fragments, the home page's figures): when Redis cannot be
reached it answers "not cached" instead of raising, so a page is rendered
afresh rather than a family getting a server error.

The rate limiter keeps the plain "default" cache: it needs to know that the
cache failed, so it can fail open and count it (core.ratelimit). Both aliases
point at the same Redis with the same key prefix, so they see the same keys.
django-redis has an IGNORE_EXCEPTIONS option for this; Django's own Redis
backend, which the portal uses, has none, so FailSoftRedisCache wraps its
public methods, and only those.

One override of Django's internals stays, because the HTTP benchmark shows
it (issue #22 asks for that before keeping one): Django's Redis client makes
a new redis-py client object for every cache operation, and every kept page
is one cache read. With Django's own client a kept report page served 0.42-0.47x
the bare-view baseline at 20 clients (below its 0.5x target) and `/` 0.52x;
with one redis-py client per connection pool, on the same data and machine,
the report page served 0.57x (p95 14 ms) and the open-data lists 0.55-0.61x
(docs/benchmarks/http-2026-12-07-merged.md). The override is the few lines
of _ReusedClient, on Django's private `_get_connection_pool(_index)`,
`_client` and `_class`; tests/core/test_library_paths.py allows them here
and nowhere else.
"""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)


class _ReusedClient(RedisCacheClient):
    """Django's client, with one redis-py client per connection pool instead
    of a new one (and its table of ~170 reply parsers) for every operation.
    A redis-py client is safe to share between threads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write))
        return client


class ReusedClientRedisCache(RedisCache):
    """Django's Redis cache with one redis-py client per pool (see above)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClient


class FailSoftRedisCache(ReusedClientRedisCache):
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


# --- Generations: "has anything of this kind changed since?" ------------------------------
#
# Counters in the derived cache, moved on by core.changes whenever a table
# of their group is written (however it is written); a page or figure is
# kept under the generations of what it was made from and never used after
# a change.


def generations(names) -> dict[str, int] | None:
    """The current generation of each of `names`, in one round trip. A name
    never counted before (or whose counter was evicted) starts past any
    number it may have had. None when the store cannot be reached."""
    return generations_and_get(names, None)[0]


def generations_and_get(names, also: str | None):
    """generations(names) and the value kept at `also`, in one round trip."""
    import time

    keys = {name: f"generation:{name}" for name in names}
    found = derived.get_many([*keys.values(), *([also] if also else [])])
    stored = found.get(also) if also else None
    current = {}
    for name, key in keys.items():
        value = found.get(key)
        if value is None:
            value = int(time.time() * 1000)
            if not derived.add(key, value, timeout=None):
                value = derived.get(key)
                if value is None:  # neither kept nor readable: the store is down
                    return None, None
        current[name] = value
    return current, stored


def bump_generation(name: str) -> None:
    """Move the generation of `name` on now."""
    try:
        derived.incr(f"generation:{name}")
    except ValueError:  # no counter yet: the next read starts a fresh one
        generations([name])
    except Exception as exc:  # Redis down: nothing is read from it either
        logger.warning("derived cache unreachable: incr %s", exc.__class__.__name__)
