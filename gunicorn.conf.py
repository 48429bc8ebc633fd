"""gunicorn settings for the portal: the Dockerfile, docker-compose.yml and the
production-stack tests (tests/stack) all start gunicorn with this file.
Environment variables override the defaults for a different machine."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# Tracking tokens and reset links are redacted from access-log lines.
logger_class = "sendportal.gunicorn_logging.RedactingLogger"
# Gunicorn's own URL scheme handling trusts only these addresses; Django reads
# X-Forwarded-Proto itself (SECURE_PROXY_SSL_HEADER), and the client address
# comes from core.http.client_address with TRUSTED_PROXIES.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def _without_server_banner() -> None:
    """Send no `Server: gunicorn` header. gunicorn 27 writes it in
    Response.default_headers and has no setting to omit it (its maintainers
    declined one, benoitc/gunicorn#825), so the line is filtered out here."""
    from gunicorn.http import wsgi

    if getattr(wsgi.Response.default_headers, "without_server", False):
        return
    original = wsgi.Response.default_headers

    def default_headers(self):
        return [line for line in original(self) if not line.lower().startswith("server:")]

    default_headers.without_server = True
    wsgi.Response.default_headers = default_headers


_without_server_banner()
