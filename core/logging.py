"""Keep secrets that travel in addresses out of every log line.

The private tracking link (/feedback/track/<token>/), the links in progress
messages (/feedback/progress/[stop/|difference/]<signed>/), a pulse invitation
(/charter/pulse/<token>/), the participation register's private link and the
links in its messages (/get-involved/register/manage|renew/, /get-involved/answer/)
and a password reset or welcome link
(/staff/account/reset/<uid>/<token>/) are secrets that are also addresses.
Whoever reads the logs must not be able to follow them, so every log line
(Django's, Celery's and gunicorn's access log, which uses the same function)
has them replaced by a placeholder.
"""

import logging
import re

_SECRET_PATHS = re.compile(
    r"(?P<prefix>/feedback/track/|/feedback/progress/(?:stop/|difference/)?|/charter/pulse/"
    r"|/get-involved/register/(?:manage|renew)/|/get-involved/answer/"
    r"|/staff/account/reset/[^/\s?\"']+/)"
    r"(?!set-password/)(?P<secret>[^/\s?\"'#]+)"
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _SECRET_PATHS.sub(lambda m: m.group("prefix") + REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """A logging filter for handlers: rewrites the record's message with the
    secrets in addresses redacted (the arguments are merged in first, so a
    path passed as an argument is caught too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
