"""A mail backend whose server refuses every connection, as a down SMTP relay would."""

from django.core.mail.backends.base import BaseEmailBackend


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("smtp relay refused the connection")
