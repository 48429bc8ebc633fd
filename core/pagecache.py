"""Whole public pages kept in the cache (Redis in production), for visitors
who are not signed in, until any table they read is written.

Every page declares the groups of tables it reads (`groups`, core.changes)
and is stored with their *generations* as they were read before it was
made; it is served only while all of them are still current. The
generations are moved on by the database connection itself when a write is
committed (core.changes), whoever made it: a service, the admin site, a
worker, a management command or raw SQL. So nothing withdrawn or unpublished
is served again, and a report's PDF link shows as soon as the worker's row
is committed. tests/core/test_freshness.py checks that each kept page reads
no table outside its groups, and that each way of writing shows at once.

Never cached: signed-in people, requests carrying messages, responses that
set a cookie, anything but a 200. So a page with personal data or a session
can never be stored. A page with a POST form (it carries the visitor's CSRF
token) is cached only when its view asks for it (`csrf_form=True`): every
token made from this visitor's CSRF secret is taken out of the stored page
and each visitor's own token is put in when it is served, so no visitor ever
sees another's token (a page that shows the secret some other way is not
stored at all).

Compressed once: a kept page without a CSRF form is also kept gzipped
(compressed when it is made, never per request), and a visitor whose
browser accepts gzip gets those bytes with `Content-Encoding: gzip`. Every
kept page says `Vary: Accept-Encoding`. Safe from BREACH: a kept page holds
no secret (no CSRF token, no session, nothing personal), and pages with a
form's token are never compressed. A long public page (a plan with many
measures' charts, the actions CSV) moves a tenth of the bytes through Redis
and the network (docs/benchmarks/http-2026-12-07-perf.md).

Bounded: a page declares the query parameters it reads (`params`); the
others are taken off the request before the view sees it, so they neither
change the page nor make another entry (`/?x=1`, `/?x=2`, … are all `/`).
The key is made of the declared parameters only, in their declared order.
What remains (distinct pages of an archive's filters) is bounded by the
cache Redis's own `maxmemory` and `allkeys-lru` eviction (docker-compose.yml).

Finished once: a step that changes every public page after its view (the
jargon buster's plain words, directory.plainwords) registers itself with
`finish_before_keeping`, naming the groups of tables it reads. It runs on
the page as it is made, before the page is kept, and every kept page also
depends on those groups; a kept page is served as it was finished, with no
read of the step's own data, and marked `finished_page` so the step's
middleware leaves it alone. A page with a form's token is finished before
each visitor's token goes in, so the step runs once, not per visitor.
"""

import functools
import gzip
import hashlib
import logging
import re
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.db import connection
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware, _unmask_cipher_token, get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from core.cache import derived as cache

logger = logging.getLogger(__name__)

# Kept with a page besides its type: the open data's validators (opendata.http)
# and a CSV file's name and metadata link.
KEPT_HEADERS = ("ETag", "Last-Modified", "Content-Disposition", "Link")
MAX_QUERY_LENGTH = 200


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


# Where each visitor's own CSRF token goes in a stored page (never in a real page:
# it is not made of the token's letters and digits only).
TOKEN_SLOT = b"{{csrf-token-slot}}"
_TOKEN_LIKE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


def _without_tokens(request: HttpRequest, content: bytes) -> bytes | None:
    """The page with every token made from this visitor's CSRF secret put
    back as TOKEN_SLOT; None if the secret shows in any other form."""
    secret = request.META.get("CSRF_COOKIE", "")
    if not secret or secret.encode() in content or TOKEN_SLOT in content:
        return None
    out = _TOKEN_LIKE.sub(
        lambda m: TOKEN_SLOT if _unmask_cipher_token(m.group().decode()) == secret
        else m.group(), content)
    return None if secret.encode() in out else out


_GZIP = re.compile(r"\bgzip\b")  # as django.middleware.gzip reads the header


def _accepts_gzip(request: HttpRequest) -> bool:
    return bool(_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def _gzip_response(stored, request: HttpRequest) -> HttpResponse:
    """A kept page's gzipped bytes as they are: nothing per visitor to put in."""
    response = HttpResponse(stored[1], content_type=stored[2])
    for header, value in _gzipped_headers(stored[3]):
        response[header] = value
    patch_vary_headers(response, ["Accept-Encoding"])
    response["X-Page-Cache"] = "hit"
    return response


def _kept_response(request: HttpRequest, content: bytes | tuple, headers) -> HttpResponse:
    """A kept page, served: this visitor's own CSRF token put in its slots
    (which sets their cookie if they had none) and the headers it was kept with.
    `content` is the page, or the page already cut at its slots (_cut)."""
    if isinstance(content, tuple):
        content = get_token(request).encode().join(content) if len(content) > 1 else content[0]
    elif TOKEN_SLOT in content:
        content = content.replace(TOKEN_SLOT, get_token(request).encode())
    response = HttpResponse(content)
    for header, value in headers:
        response[header] = value
    response["Content-Length"] = str(len(content))
    response["X-Page-Cache"] = "hit"
    return response


def _cut(content: bytes) -> tuple[bytes, ...]:
    """The page cut at its token slots once, as it is kept: each answer then
    joins the parts around this visitor's token, with no search through the
    page (a search of the 466 KB stress-case dashboard was 0.2 ms an answer)."""
    return tuple(content.split(TOKEN_SLOT))


# Steps run on a public page before it is kept: (step, groups it reads).
_finishers: list[tuple] = []


def finish_before_keeping(step, *, groups: tuple[str, ...]) -> None:
    """Register `step(request, response)`, which changes a public page in
    place after its view, to run once as the page is made, before it is kept
    (its AppConfig.ready() calls this). Every kept public page then also
    depends on `groups`, the tables the step reads."""
    from core import changes

    entry = (step, changes.check_groups(groups))
    if entry not in _finishers:
        _finishers.append(entry)
        _with_finishers.cache_clear()


@functools.cache
def _with_finishers(groups: tuple[str, ...]) -> tuple[str, ...]:
    extra = [g for _, step_groups in _finishers for g in step_groups]
    return tuple(dict.fromkeys((*groups, *extra)))


def _finished(response: HttpResponse) -> HttpResponse:
    response.finished_page = True
    return response


def only_declared_params(request: HttpRequest, params: tuple[str, ...]) -> None:
    """Leave `request` only the query parameters in `params`, in that order:
    the page is made from them alone, and its address (the cache key) names
    them alone."""
    kept = QueryDict(mutable=True)
    for name in params:
        values = request.GET.getlist(name)
        if values:
            kept.setlist(name, values)
    query = kept.urlencode()
    if query != request.META.get("QUERY_STRING", ""):
        request.META["QUERY_STRING"] = query
        request.GET = QueryDict(query)


def cache_public_page(view=None, *, groups: tuple[str, ...], csrf_form: bool = False,
                      params: tuple[str, ...] = ()):
    """Decorate a public view function (or `as_view()`) to cache its page.
    `groups`: the groups of tables the page reads (core.changes.GROUPS); it
    is kept until one of them is written.
    `csrf_form=True` for a page with a POST form (see the module's notes).
    `params`: the query parameters the page reads (filters, `page`); any
    other is dropped from a GET before the view runs, for everyone."""
    from core import changes

    if view is None:
        return lambda v: cache_public_page(v, groups=groups, csrf_form=csrf_form, params=params)
    params = tuple(params)
    groups = changes.check_groups(groups)

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        request.kept_page_groups = _with_finishers(groups)  # for the tests of what a page reads
        if getattr(request, "_keeps_public_page", False):
            request._kept_page_declared = (groups, params, csrf_form)  # for KeptPageMiddleware
        if request.method in ("GET", "HEAD"):
            only_declared_params(request, params)
        timeout = settings.PUBLIC_PAGE_CACHE_SECONDS
        if not timeout or not _cacheable_request(request):
            return view(request, *args, **kwargs)
        # One round trip for the page and the generations: a page is kept with
        # the generations it was made under (read before its rows are) and
        # used only while they are all current. A visitor who accepts gzip
        # reads the compressed copy (never a page with a form's token:
        # csrf_form pages are not compressed).
        key = _key(request)
        gz_key = f"{key}:gzip"
        wants_gzip = not csrf_form and _accepts_gzip(request)
        generation, stored = changes.stamp_and_get(_with_finishers(groups),
                                                   gz_key if wants_gzip else key)
        if generation is None:  # Redis unreachable: whether anything changed is unknown
            return view(request, *args, **kwargs)
        if stored is not None and stored[0] == generation and (
                # Kept before KeptPageMiddleware was in the stack: made again for it.
                len(stored) > 4 or not getattr(request, "_keeps_public_page", False)):
            if wants_gzip:
                return _finished(_gzip_response(stored, request))
            response = _kept_response(request, stored[1], [
                ("Content-Type", stored[2]), *(stored[3] if len(stored) > 3 else ())])
            if not csrf_form:
                patch_vary_headers(response, ["Accept-Encoding"])
            return _finished(response)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code != 200 or response.cookies or response.streaming:
            return response
        for step, _ in _finishers:
            step(request, response)
        _finished(response)
        content = response.content
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
            content = _without_tokens(request, content) if csrf_form else None
        if content is not None:
            kept = [(h, response[h]) for h in KEPT_HEADERS if response.has_header(h)]
            entries = {key: (generation, content, response["Content-Type"], kept)}
            if not csrf_form:
                # Compressed once here, not for each visitor (mtime 0: the
                # same page gives the same bytes).
                entries[gz_key] = (generation, gzip.compress(content, 6, mtime=0),
                                   response["Content-Type"], kept)
                patch_vary_headers(response, ["Accept-Encoding"])
            if getattr(request, "_keeps_public_page", False):
                request._kept_page_entries = entries  # KeptPageMiddleware adds the final headers
            else:
                cache.set_many(entries, timeout)
        return response

    wrapped.public_page_groups = groups
    return wrapped


# --- Served before the rest of the stack ------------------------------------------------
#
# A kept public page for a visitor with no session is the same bytes whoever
# asks, so the sessions, CSRF, authentication, messages, two-factor, CSP and
# plain-words middleware below have nothing to decide for it: they ran when
# the page was made, and the headers they gave it are kept with it. This
# middleware (just under WhiteNoise) answers such a visitor from the cache
# with those headers, as Django's own FetchFromCacheMiddleware answers from
# its cache before the rest, but with the freshness rules above (the
# generations of the page's groups). Measured in bench/profile_page.py: a
# kept home page's CPU a request fell from 0.56 to 0.30 ms (docs/caching.md).
#
# It knows which addresses are kept pages, and what each declares (groups,
# params, csrf_form), from the decorator itself: an address's first
# anonymous GET in each process goes down the whole stack; cache_public_page
# says what the address declares and hands a page it made up to this
# middleware, which keeps it with the headers the stack gave it. An address
# whose answer was a kept page (a 200) is noted (a dict in each process,
# emptied when it reaches MAX_DECLARED_PATHS, and when ROOT_URLCONF
# changes), never a 404 however many are asked. A page is answered here
# only if it was kept with its final headers, so only after going down the
# whole stack once. Left to the whole stack, every time: anything but GET or
# HEAD, a visitor with a session or messages cookie, conditional requests
# (the open data answers 304 in its view), a query longer than
# MAX_QUERY_LENGTH or holding a NUL byte, and whatever the cache cannot
# answer (Redis down: the view's own path decides).
#
# A long page (settings.LONG_PAGE_BYTES and over: a plan of many measures,
# the CSV files) is also held in this process's memory ("long_pages", a
# LocMemCache of LONG_PAGE_ENTRIES pages, each for LONG_PAGE_SECONDS) with
# the generations it was kept under: an answer then reads only the
# generations from Redis, not the page (1.5 MB for the actions CSV). Used
# only while they are current, as the copy in Redis is.

# The addresses each process has seen answered as kept pages, with what
# their views declare: public (groups, params, csrf_form) and staff (groups).
MAX_DECLARED_PATHS = 4096
_declared_paths: dict[str, tuple] = {}
_declared_staff_paths: dict[str, tuple] = {}
# Set for each answer, not kept with the page.
_NOT_FINAL = frozenset({"content-length", "x-page-cache"})
_CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
                "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE")


def _declare(paths: dict, path: str, declared: tuple) -> None:
    if path not in paths:
        if len(paths) >= MAX_DECLARED_PATHS:
            paths.clear()
        paths[path] = declared


def _forget_declared(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _declared_paths.clear()
        _declared_staff_paths.clear()


setting_changed.connect(_forget_declared)


def _final_headers(response: HttpResponse) -> list:
    """The headers the whole stack below a middleware gave a page, to keep with it."""
    return [(h, v) for h, v in response.items() if h.lower() not in _NOT_FINAL]


def _has_nul(request: HttpRequest) -> bool:
    """A NUL byte in the address (RejectNulBytesMiddleware, further down, answers 400)."""
    query = request.META.get("QUERY_STRING", "")
    return "%00" in query or "\x00" in query or "\x00" in request.path_info


class KeptPageMiddleware:
    """Answer a visitor with no session from a kept public page, with the
    headers the whole stack gave it, before the rest of the stack runs."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._may_serve(request):
            return self.get_response(request)
        declared = _declared_paths.get(request.path_info)
        if declared is not None:
            response = self._kept(request, *declared)
            if response is not None:
                return response
        # Down the whole stack; a page made there is kept here, with its headers.
        request._keeps_public_page = True
        response = self.get_response(request)
        declared = getattr(request, "_kept_page_declared", None)
        if declared is None or response.status_code != 200 or any(
                name != settings.CSRF_COOKIE_NAME for name in response.cookies):
            return response
        entries = getattr(request, "_kept_page_entries", None)
        if entries:  # made just now: kept with the headers the stack gave it
            final = _final_headers(response)
            cache.set_many({key: (*entry, _gzipped_headers(final) if key.endswith(":gzip")
                                  else final) for key, entry in entries.items()},
                           settings.PUBLIC_PAGE_CACHE_SECONDS)
        _declare(_declared_paths, request.path_info, declared)
        return response

    @staticmethod
    def _may_serve(request: HttpRequest) -> bool:
        if request.method not in ("GET", "HEAD") or not settings.PUBLIC_PAGE_CACHE_SECONDS:
            return False
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            return False
        meta = request.META
        return (len(meta.get("QUERY_STRING", "")) <= MAX_QUERY_LENGTH and not _has_nul(request)
                and not any(name in meta for name in _CONDITIONAL))

    def _kept(self, request, groups, params, csrf_form) -> HttpResponse | None:
        from django.core.cache import caches

        from core import changes

        only_declared_params(request, params)
        key = _key(request)
        if not csrf_form and _accepts_gzip(request):
            key = f"{key}:gzip"
        groups = _with_finishers(groups)
        # A long page held here: only the generations are read from Redis.
        long_pages = caches["long_pages"]
        stored = long_pages.get(key)
        if stored is not None and changes.stamp(groups) == stored[0]:
            return self._answer(request, stored, csrf_form)
        generation, stored = changes.stamp_and_get(groups, key)
        if generation is None or stored is None or stored[0] != generation or len(stored) < 5:
            return None
        if len(stored[1]) >= settings.LONG_PAGE_BYTES:
            long_pages.set(key, stored)
        return self._answer(request, stored, csrf_form)

    def _answer(self, request, stored, csrf_form) -> HttpResponse:
        if not csrf_form:
            # No form, so no token slots: a page cut at its slots is the page
            # itself (_kept_response then never searches it).
            return _finished(_kept_response(request, (stored[1],), stored[4]))
        self.csrf.process_request(request)  # this visitor's CSRF cookie, if any
        response = _kept_response(request, stored[1], stored[4])
        self.csrf.process_response(request, response)  # sets the cookie if it was new
        return _finished(response)


def _gzipped_headers(final: list) -> list:
    """The gzipped copy's final headers: its own validator, and its encoding."""
    out = [(h, value[:-1] + '-gzip"' if h == "ETag" and value.endswith('"') else value)
           for h, value in final]
    return [*out, ("Content-Encoding", "gzip")]


# --- Staff pages --------------------------------------------------------------------------
#
# The busiest staff pages (the staff home, the inbox, the action list, the
# board dashboard) are kept whole for each person, until anything they show
# changes: a page is made under the current generation of each group of
# tables it reads (core.changes, moved on by every write to them, however it
# is made) and used only while all of those are still current. So an
# officer's second look at the inbox, or a board member's at the dashboard,
# costs a look-up; a family's new feedback empties every kept inbox at once.
#
# Kept in each web process's own memory (the "staff_pages" local-memory
# cache), never in Redis: these pages hold what families wrote, and a page
# never leaves the process that rendered it, is never written to disk, and
# goes when the process does. Only the generation numbers are shared. The
# key is the person, the whole address (filters included) and the day (what
# is overdue changes at midnight); each visitor's own CSRF token is put back
# in as for public pages. The checks before any view runs (signed in, the
# two-factor code entered, the session not idle too long) run every time.
# Never kept: anything but a 200, a page with messages to show, a response
# that sets a cookie or changed the session.


def _staff_key(request: HttpRequest) -> str:
    raw = f"{request.user.pk}|{timezone.localdate().isoformat()}|{request.build_absolute_uri()}"
    return "staff-page:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def _cacheable_staff_request(request: HttpRequest) -> bool:
    return (request.method in ("GET", "HEAD")
            # Inside a transaction the rows read may be this request's own
            # uncommitted writes, which no generation counts yet.
            and not connection.in_atomic_block
            and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_LENGTH
            and request.user.is_authenticated
            and not len(get_messages(request)))  # counts without marking them shown


def cache_staff_page(*groups: str):
    """Decorate a staff view function (or `as_view()`) to keep its page for
    each person until a table in one of `groups` (app labels; "core" and
    "other", which every staff page reads, are always added) is written.
    tests/core/test_staff_page_cache.py checks that each kept page reads no
    table outside its groups."""
    from django.core.cache import caches

    from core import changes

    depends = changes.check_groups((*groups, "core", "other"))

    def decorate(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            request.kept_page_groups = depends
            request._kept_staff_page_declared = depends  # for KeptStaffPageMiddleware
            timeout = settings.STAFF_PAGE_CACHE_SECONDS
            if not timeout or not _cacheable_staff_request(request):
                return view(request, *args, **kwargs)
            kept = caches["staff_pages"]
            key = _staff_key(request)
            # Read before rendering: a page made from rows written after this
            # look is kept under older numbers, so it is never used.
            current = changes.generations(depends)
            if current is None:  # Redis unreachable: whether anything changed is unknown
                return view(request, *args, **kwargs)
            generation = tuple(current.values())
            stored = kept.get(key)
            if stored is not None and stored[0] == generation and (
                    # Kept before KeptStaffPageMiddleware was in the stack: made again for it.
                    len(stored) > 3 or not getattr(request, "_keeps_staff_page", False)):
                return _kept_response(request, stored[1], stored[2])
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if (response.status_code != 200 or response.cookies or response.streaming
                    or request.session.modified or len(get_messages(request))):
                return response
            content = _without_tokens(request, response.content)
            if content is not None:
                headers = [(h, v) for h, v in response.items() if h.lower() != "content-length"]
                if getattr(request, "_keeps_staff_page", False):
                    # KeptStaffPageMiddleware keeps it, adding the final headers.
                    request._kept_staff_page_entry = (key, (generation, content, headers))
                else:
                    kept.set(key, (generation, content, headers), timeout)
            return response

        wrapped.staff_page_groups = depends
        return wrapped

    return decorate


# A kept staff page, answered as soon as the person, their two-factor step,
# their idle time and their messages are known (just under MessageMiddleware):
# the middleware below it (X-Frame-Options, CSP, the NUL check, plain words,
# django-axes), the URL resolver and the view's wrappers have nothing to
# decide for it, and the headers they gave it are kept with it. The same
# page, key, generations and rules as cache_staff_page's own look-up, which
# still answers when this middleware is not in the stack or the address is
# new to this process (the decorator says what each address declares, and
# an address whose answer was a 200 is noted). Measured with
# bench/profile_page.py: a kept inbox's best time fell from 1.5 to 1.1 ms.

class KeptStaffPageMiddleware:
    """Answer a signed-in person's kept staff page before the rest of the stack."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        depends = _declared_staff_paths.get(request.path_info)
        if depends is not None and self._may_serve(request):
            response = self._kept(request, depends)
            if response is not None:
                return response
        request._keeps_staff_page = True
        response = self.get_response(request)
        depends = getattr(request, "_kept_staff_page_declared", None)
        if depends is None or response.status_code != 200:
            return response
        entry = getattr(request, "_kept_staff_page_entry", None)
        if entry is not None:
            from django.core.cache import caches

            key, (generation, content, headers) = entry
            caches["staff_pages"].set(
                key, (generation, _cut(content), headers, _final_headers(response)),
                settings.STAFF_PAGE_CACHE_SECONDS)
        _declare(_declared_staff_paths, request.path_info, depends)
        return response

    @staticmethod
    def _may_serve(request: HttpRequest) -> bool:
        return (bool(settings.STAFF_PAGE_CACHE_SECONDS) and not _has_nul(request)
                and _cacheable_staff_request(request))

    @staticmethod
    def _kept(request: HttpRequest, depends) -> HttpResponse | None:
        from django.core.cache import caches

        from core import changes

        current = changes.generations(depends)
        if current is None:
            return None
        stored = caches["staff_pages"].get(_staff_key(request))
        if stored is None or len(stored) < 4 or stored[0] != tuple(current.values()):
            return None
        return _finished(_kept_response(request, stored[1], stored[3]))
