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


MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """A database id from a form or query string, or None when it is not
    one: ASCII digits only (no "²", "٣" or "1e3") and within bigint range,
    so a lookup with it is a 404, never a server error."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
        if 0 < number <= MAX_ID:
            return number
    return None
