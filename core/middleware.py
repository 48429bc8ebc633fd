"""Response headers every page needs, in one place."""

from django.conf import settings
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
