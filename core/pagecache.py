"""Whole public pages kept in the cache (Redis in production), for visitors
who are not signed in, until something public changes.

Every page is stored with the *generation* number it was made under and is
served only while that number is current. Services that change what a public
page shows call `public_content_changed()`, which moves the generation on at
once and again after their transaction commits, so every cached page is stale
at once and nothing withdrawn or unpublished is served again. (A bump only
before the commit would let a request still reading the old rows cache them
under the new generation; the second bump drops that page.)

Never cached: signed-in people, requests carrying messages, responses that
set a cookie or used a CSRF token (a page with a POST form), anything but a
200. So a page with personal data or a session can never be stored.
"""

import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from core.cache import derived as cache

logger = logging.getLogger(__name__)

GENERATION_KEY = "public-pages:generation"
MAX_QUERY_LENGTH = 200


def public_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # Start past any generation an evicted counter may have reached, so
        # a page cached before the eviction is never picked up again.
        generation = int(time.time() * 1000)
        if not cache.add(GENERATION_KEY, generation, timeout=None):
            generation = cache.get(GENERATION_KEY, generation)
    return generation


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no counter yet: the next read starts a fresh one
        public_generation()
    except Exception as exc:  # Redis down: pages cached before stay until it is back
        logger.warning("public page cache unreachable: %s", exc.__class__.__name__)


def public_content_changed() -> None:
    """Call from any service that changes what a public page shows.

    Moves the generation on now (so the writer's own next page is fresh)
    and again after commit (so a page cached from the old rows while the
    transaction was open is dropped too)."""
    _bump()
    transaction.on_commit(_bump)


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or "messages" in request.COOKIES:
        return False
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH:
        return False
    # Without a session cookie nobody is signed in: no need to load a session.
    return (settings.SESSION_COOKIE_NAME not in request.COOKIES
            or not request.user.is_authenticated)


def _key(request: HttpRequest) -> str:
    # Scheme and host too: the feed's links are absolute.
    digest = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:40]
    return f"public-page:{digest}"


def cache_public_page(view):
    """Decorate a public view function (or `as_view()`) to cache its page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        timeout = settings.PUBLIC_PAGE_CACHE_SECONDS
        if not timeout or not _cacheable_request(request):
            return view(request, *args, **kwargs)
        # One round trip for the page and the generation: a page is kept with
        # the generation it was made under and used only while that is current.
        key = _key(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY) or public_generation()
        stored = found.get(key)
        if stored is not None and stored[0] == generation:
            response = HttpResponse(stored[1], content_type=stored[2])
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if (response.status_code == 200 and not response.cookies and not response.streaming
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                and not request.META.get("CSRF_COOKIE_USED")):
            cache.set(key, (generation, response.content, response["Content-Type"]), timeout)
        return response

    return wrapped
