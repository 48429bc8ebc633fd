"""Middleware written once for every page: response headers, and requests
the portal cannot store answered before any view runs."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response, and no caching of staff pages.

    A Permissions-Policy is one constant header, so a few lines here rather
    than another dependency (django-permissions-policy). Staff pages carry
    personal data: `Cache-Control: no-store, private` keeps them out of
    shared and browser caches (the tracking pages say the same through
    never_cache on their views).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENY)
        self.private_prefixes = tuple(settings.NO_STORE_PATH_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.policy)
        if request.path.startswith(self.private_prefixes):
            add_never_cache_headers(response)
        return response

NUL = "\x00"


def _has_nul(query_dict) -> bool:
    return any(NUL in key or any(NUL in v for v in values)
               for key, values in query_dict.lists())


class RejectNulBytesMiddleware:
    """A NUL byte in the address, the query string or a form field answers
    400 with a GOV.UK page. Postgres cannot store NUL in text, so without
    this a NUL in a tracking or pulse token, or in any value a view looks up
    directly, was a server error. People never type one; the page tells them
    to go back, where their browser still holds what they typed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path or _has_nul(request.GET) or (
                request.method == "POST" and _has_nul(request.POST)):
            return render(request, "400.html", status=400)
        return self.get_response(request)
