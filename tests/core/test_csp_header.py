"""The Content-Security-Policy header, worked out once (core.middleware.CSPMiddleware),
is the one django-csp would build, follows a changed setting, and leaves
per-view policies and nonces to django-csp."""

from csp.constants import HEADER
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse

from core.middleware import CSPMiddleware


def _headers(middleware_class, request, response):
    return middleware_class(lambda r: response).process_response(request, response)


def test_the_kept_header_is_django_csps(rf):
    ours = _headers(CSPMiddleware, rf.get("/"), HttpResponse("x"))
    theirs = _headers(DjangoCSPMiddleware, rf.get("/"), HttpResponse("x"))
    assert ours[HEADER] == theirs[HEADER] and "default-src" in ours[HEADER]


def test_a_changed_setting_is_followed(rf, settings):
    _headers(CSPMiddleware, rf.get("/"), HttpResponse("x"))
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert _headers(CSPMiddleware, rf.get("/"), HttpResponse("x"))[HEADER] == "default-src 'none'"


def test_per_view_policies_still_apply(rf):
    view = csp_update({"img-src": ["https://example.org"]})(lambda request: HttpResponse("x"))
    request = rf.get("/")
    response = view(request)
    assert "https://example.org" in _headers(CSPMiddleware, request, response)[HEADER]
