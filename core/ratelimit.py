"""One rate limiter for every public form and the password reset.

Counts actions per client address (core.http.client_address, which reads
X-Forwarded-For only from trusted proxies) in fixed windows in the cache.

Two promises:
- The cache never holds an address or an e-mail address: keys are an HMAC of
  the value with SECRET_KEY (a plain hash of an IPv4 address is reversed by
  trying all four billion).
- A family's submission never depends on the cache: when the cache cannot be
  reached the limiter fails open. It logs a warning (bucket and error class
  only, no address) and counts the failure in this process
  (`fail_open_count()`), which needs no cache to work.

Why not django-ratelimit (4.1, well kept): its cache keys are an unkeyed
hash of the value, and its fail-open (RATELIMIT_FAIL_OPEN) neither logs nor
counts; adapting both would leave us a wrapper bigger than these lines.
"""

import hashlib
import hmac
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .http import client_address

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_fail_open = 0


def fail_open_count() -> int:
    """How many times this process let an action through because the cache
    could not be reached."""
    return _fail_open


def _failed_open(bucket: str, exc: Exception) -> None:
    global _fail_open
    with _lock:
        _fail_open += 1
        count = _fail_open
    logger.warning("rate limit cache unreachable, failing open: bucket=%s error=%s count=%s",
                   bucket, exc.__class__.__name__, count)


def bucket_key(bucket: str, value: str, period: int, now: float | None = None) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{bucket}\0{value}".encode(),
                      hashlib.sha256).hexdigest()[:40]
    window = int((time.time() if now is None else now) // period)
    return f"ratelimit:{bucket}:{window}:{digest}"


def hit(bucket: str, value: str, *, limit: int, period: int = 3600) -> bool:
    """Count one action for `value` in `bucket`; True when it is over `limit`
    in the current window of `period` seconds. Never raises for a cache
    failure: it answers False (let it through)."""
    key = bucket_key(bucket, value, period)
    try:
        if cache.add(key, 1, timeout=period + 60):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=period + 60)
                count = 1
    except Exception as exc:  # any cache failure: connection refused, timeout, …
        _failed_open(bucket, exc)
        return False
    return count > limit


def over_limit(request: HttpRequest, bucket: str, limit: int, period: int = 3600) -> bool:
    """Count one action from this request's client address (see hit())."""
    return hit(bucket, client_address(request), limit=limit, period=period)
