"""What every open-data answer (JSON and CSV) goes through, once.

1. The public page cache (core.pagecache.cache_public_page): an answer is
   kept until a table of the groups its endpoint declares is written, like
   the pages (docs/caching.md).
2. The rate limit (core.ratelimit, per client address, per hour): 429 with
   Retry-After beyond OPEN_DATA_RATE_LIMIT_PER_HOUR. It counts the answers
   that are made (that read the database), not those served from the cache:
   a kept answer costs one cache read, and counting it too doubled the
   round trips to Redis of every request (measured: bench/http.py, README).
3. Validators for conditional GET: an ETag (a hash of the body) and a
   Last-Modified (when this answer was made under the current
   generations, kept with it), so `If-None-Match` or `If-Modified-Since`
   answers 304 Not Modified with no body.
4. `Cache-Control: public, no-cache`, and `Access-Control-Allow-Origin: *`: open data may be read from any site's
   scripts (nothing here depends on a cookie).
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

from core.pagecache import cache_public_page
from core.ratelimit import over_limit

TOO_MANY = "Too many requests from your connection. Try again in an hour."


def _stamped(view):
    """Add the validators to a fresh 200 answer, before the cache keeps it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            digest = hashlib.sha256(response.content).hexdigest()[:32]
            response["ETag"] = f'"{digest}"'
            response["Last-Modified"] = http_date(time.time())
        return response

    return wrapped


def _limited(view):
    """429 beyond the rate limit, for an answer that would be made afresh."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if over_limit(request, "open-data", settings.OPEN_DATA_RATE_LIMIT_PER_HOUR):
            response = JsonResponse({"detail": TOO_MANY}, status=429)
            response["Retry-After"] = "3600"
            return response
        return view(request, *args, **kwargs)

    return wrapped


def open_data(view, *, groups: tuple[str, ...], params: tuple[str, ...] = ()):
    """Decorate an open-data view (a function taking the request); `params`
    are the query parameters it reads (see cache_public_page)."""
    kept = cache_public_page(_stamped(_limited(view)), groups=groups, params=params)

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = kept(request, *args, **kwargs)
        if response.status_code == 200 and response.has_header("ETag"):
            response = get_conditional_response(
                request, etag=response["ETag"],
                last_modified=parse_http_date_safe(response["Last-Modified"]),
                response=response)
        response["Access-Control-Allow-Origin"] = "*"
        if response.status_code in (200, 304):
            # Anyone may keep it, but must ask again (a cheap 304) before
            # using it: a withdrawn report must not live on in a cache.
            patch_cache_control(response, public=True, no_cache=True)
        return response

    return wrapped
