"""Middleware written once for every page: response headers, and requests
the portal cannot store answered before any view runs."""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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


class CSPMiddleware(_CSPMiddleware):
    """django-csp's middleware, with the usual header worked out once.

    django-csp rebuilds both policy strings (copying its settings through
    dataclasses.asdict) for every response. A response with no per-view
    policy and no nonce gets the same headers every time, so they are kept
    (until a setting changes, as in tests); anything else goes the usual way."""

    _PER_VIEW = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro",
                 "_csp_update_ro", "_csp_replace_ro", "_csp_exempt", "_csp_exempt_ro")
    _kept: list | None = None

    def process_response(self, request, response):
        if (settings.DEBUG or getattr(request, "_csp_nonce", None) is not None
                or any(getattr(response, name, None) for name in self._PER_VIEW)):
            return super().process_response(request, response)
        kept = CSPMiddleware._kept
        if kept is None:
            kept = CSPMiddleware._kept = self._plain_headers()
        for header, value, excluded in kept:
            if header not in response and not request.path_info.startswith(excluded):
                response[header] = value
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @staticmethod
    def _plain_headers() -> list[tuple[str, str, tuple]]:
        kept = []
        for header, setting, report_only in ((HEADER, "CONTENT_SECURITY_POLICY", False),
                                              (HEADER_REPORT_ONLY,
                                               "CONTENT_SECURITY_POLICY_REPORT_ONLY", True)):
            value = build_policy(report_only=report_only)
            if value:
                policy = getattr(settings, setting, None) or {}
                kept.append((header, value, tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ())))
        return kept


@receiver(setting_changed)
def _forget_csp_headers(**kwargs):
    if kwargs.get("setting", "").startswith("CONTENT_SECURITY_POLICY"):
        CSPMiddleware._kept = None
