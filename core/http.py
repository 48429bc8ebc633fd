"""The address a request came from, behind the proxies we trust.

One helper for everything that counts clients (rate limits, sign-in
lock-outs). X-Forwarded-For is written by whoever sends the request, so it is
read only when the connection itself comes from a proxy we trust
(TRUSTED_PROXIES); a client that reaches gunicorn directly cannot choose its
own address.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str) -> bool:
    ip = _parse(address)
    if ip is None:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest, *_args) -> str:
    """The client's address.

    REMOTE_ADDR, unless the connection comes from a trusted proxy
    (TRUSTED_PROXIES, addresses or CIDR ranges). Then X-Forwarded-For is read
    from the right: each entry our proxies appended is skipped while it is
    itself a trusted proxy, and the first one that is not is the client. With
    TRUSTED_PROXY_COUNT set, at most that many entries are read (the chain has
    that many proxies); fewer entries than that means someone else wrote the
    header, so we keep the last address we could trust. Entries further left
    were written by the client and are never used.

    (The extra positional arguments let django-axes call it as
    AXES_CLIENT_IP_CALLABLE.)
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not is_trusted_proxy(remote):
        return remote
    hops = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if a.strip()]
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        if len(hops) < count:
            return remote
        hops = hops[-count:]
    client = remote
    for hop in reversed(hops):
        if _parse(hop) is None:
            break  # garbage: don't guess past it
        client = hop
        if not is_trusted_proxy(hop):
            break
    return client


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
