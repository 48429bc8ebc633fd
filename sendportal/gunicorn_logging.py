"""gunicorn's logger, with secrets in addresses redacted from the access log.

A family opens its private tracking link from an e-mail, and staff open a
password reset link: gunicorn would write those addresses, token and all, to
the access log. This logger passes every access-log field (request line,
path, query, referrer) through core.logging.redact first. Used through
`logger_class` in gunicorn.conf.py.
"""

from gunicorn.glogging import Logger

from core.logging import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in atoms.items()}
