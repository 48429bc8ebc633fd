"""Production settings: refuse to start unless properly configured."""

from django.core.exceptions import ImproperlyConfigured

from sendportal.env import env_bool, env_int, env_list, env_str

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, EMAIL_HOST, NOTIFY_API_KEY, NOTIFY_EMAIL_BACKEND, SECRET_KEY

if not SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 50 or more characters")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the host(s) the portal is served from")

# E-mail: a real transport, never the console (a printed e-mail puts a
# family's address, its private link or a staff reset link in the logs).
# EMAIL_HOST sends through that SMTP relay; without it, EMAIL_BACKEND may name
# a backend that keeps messages for operators without printing them, e.g.
# django.core.mail.backends.filebased.EmailBackend with EMAIL_FILE_PATH.
_NOT_A_TRANSPORT = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
if NOTIFY_API_KEY:
    EMAIL_BACKEND = NOTIFY_EMAIL_BACKEND  # GOV.UK Notify (core.notify), set in base
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND")
    if not EMAIL_BACKEND:
        raise ImproperlyConfigured(
            "EMAIL_HOST must name an SMTP relay (or NOTIFY_API_KEY a GOV.UK Notify key, or "
            "EMAIL_BACKEND a backend that stores "
            "messages, such as django.core.mail.backends.filebased.EmailBackend): "
            "production never prints e-mails")
if EMAIL_BACKEND in _NOT_A_TRANSPORT:
    raise ImproperlyConfigured(f"EMAIL_BACKEND {EMAIL_BACKEND} does not deliver e-mail; "
                               "set EMAIL_HOST to an SMTP relay")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", "/app/outbox")

DEBUG = False

STORAGES = {  # files where base.py says (local disk, or the bucket when one is named)
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The container healthcheck calls http://127.0.0.1:8000/healthz from inside,
# with no proxy in between: it must get its answer, not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a load balancer that terminates TLS and sets X-Forwarded-Proto.
if env_bool("BEHIND_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Rate limits and sign-in lock-outs count the family's address, not the
    # load balancer's: X-Forwarded-For is believed only from these addresses
    # (by default a proxy on the same machine; docker-compose.yml sets its own).
    TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
    TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", ["127.0.0.1", "::1"])
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
