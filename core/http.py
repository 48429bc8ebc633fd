"""The address a request came from, behind however many trusted proxies."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies (a load balancer),
    the address the nearest trusted proxy saw in X-Forwarded-For. Addresses
    further left are written by the client and cannot be trusted."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                     if a.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
