"""The Content-Security-Policy header is django-csp's own, through its public
API: the middleware named in settings, the policy from
CONTENT_SECURITY_POLICY, per-view changes with its decorators."""

from csp.constants import HEADER
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpResponse


def _headers(request, response):
    return CSPMiddleware(lambda r: response).process_response(request, response)


def test_every_page_gets_django_csps_header(client):
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    assert not any(name.startswith("core.") and "CSP" in name for name in settings.MIDDLEWARE)
    header = client.get("/healthz")[HEADER]
    assert header == build_policy() and "default-src 'self'" in header
    assert "frame-ancestors 'none'" in header


def test_a_changed_setting_is_followed(rf, settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert _headers(rf.get("/"), HttpResponse("x"))[HEADER] == "default-src 'none'"


def test_per_view_policies_still_apply(rf):
    view = csp_update({"img-src": ["https://example.org"]})(lambda request: HttpResponse("x"))
    request = rf.get("/")
    assert "https://example.org" in _headers(request, view(request))[HEADER]
