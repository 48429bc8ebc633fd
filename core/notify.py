"""E-mails and text messages through GOV.UK Notify, when it is configured.

Councils and NHS bodies send through GOV.UK Notify; parent carer forums
cannot, so SMTP stays the default. With `NOTIFY_API_KEY` set, the settings
make `NotifyEmailBackend` Django's e-mail backend: everything sent with
`send_mail` (core.tasks.send_one_mail and every job that uses it) goes
through Notify's generic e-mail template (`NOTIFY_EMAIL_TEMPLATE_ID`, whose
subject is `((subject))` and body `((body))`). With `NOTIFY_SMS_TEMPLATE_ID`
as well (its body `((body))`), `send_text_message` sends texts.

What the portal keeps: one `NotifyMessage` row per message Notify accepted
(its kind, Notify's id, our non-personal reference, Notify's last status),
never the address, the phone number or the words. Statuses are refreshed by
beat (`refresh_statuses`, every NOTIFY_STATUS_REFRESH_SECONDS) asking Notify
for each message still on its way. Polling rather than Notify's delivery-
status callback: a callback needs an HTTPS endpoint reachable from Notify
and registered, with a bearer token, in the council's Notify account — a
new public surface most council networks do not open to an internal
portal; polling needs nothing inbound, and Notify settles a message within
72 hours and keeps it for 7 days, so a few requests per message suffice.

Errors, the way the job framework (core.jobs) expects them:
- 400 (BadRequestError, ValidationError: an unknown template, a missing
  personalisation, a recipient a trial key may not send to) and 403
  (AuthError: a wrong or revoked key, a clock more than 30 s out) are
  `NotifyRejected`, a `jobs.GiveUp`: sending the same request again cannot
  succeed, so the job fails at once and shows on "Background work", where an
  administrator presses "try again" once the key or template is fixed;
- 429 (RateLimitError, TooManyRequestsError), 5xx (Exception) and a Notify
  that cannot be reached are `NotifyUnavailable`: the job is tried again
  with its kind's back-off.
An error's text names only the status and Notify's error classes, never
the recipient or the words (Notify's own messages are not kept either).
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from .jobs import GiveUp
from .models import NotifyMessage

logger = logging.getLogger(__name__)

# Statuses after which Notify says nothing more about a message. "sent" is
# a text to an international number, for which no receipt ever comes.
FINAL_STATUSES = frozenset({"delivered", "sent", "permanent-failure", "temporary-failure",
                            "technical-failure", "unknown"})
# Notify deletes a message's details after this long; no use asking later.
NOTIFY_KEEPS = timedelta(days=7)
REFERENCE_MAX = 100


class NotifyError(Exception):
    """Notify did not take the message. Its text is the HTTP status and
    Notify's error classes only."""

    def __init__(self, status_code: int, errors: tuple[str, ...] = ()):
        self.status_code = status_code
        self.errors = errors
        super().__init__(f"Notify answered {status_code}"
                         + (f" ({', '.join(errors)})" if errors else ""))


class NotifyRejected(NotifyError, GiveUp):
    """400 or 403: the request or the key is wrong; sending it again cannot help."""


class NotifyUnavailable(NotifyError):
    """429, 5xx or no answer: try again later."""


def enabled() -> bool:
    return bool(settings.NOTIFY_API_KEY)


def text_messages_enabled() -> bool:
    """Texts can be sent: Notify is configured with a text message template."""
    return bool(settings.NOTIFY_API_KEY and settings.NOTIFY_SMS_TEMPLATE_ID)


def _client():
    from notifications_python_client.notifications import NotificationsAPIClient

    if not settings.NOTIFY_API_KEY:
        raise ImproperlyConfigured("NOTIFY_API_KEY is not set")
    # Not thread-safe (it keeps a requests session): one per use.
    return NotificationsAPIClient(settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL,
                                  timeout=settings.NOTIFY_TIMEOUT)


def _error_names(exc) -> tuple[str, ...]:
    try:
        errors = exc.response.json().get("errors") or []
        return tuple(str(e.get("error"))[:40] for e in errors if isinstance(e, dict))
    except (AttributeError, TypeError, ValueError):
        return ()


def _call(method, *args, **kwargs):
    """Call the client, turning its errors into ours. `from None`: the
    client's own exception carries Notify's message, which is not ours to
    keep in a job row or a log."""
    from notifications_python_client.errors import APIError

    try:
        return method(*args, **kwargs)
    except APIError as exc:
        status = exc.status_code
        names = _error_names(exc)
    # 429, 5xx, no answer at all (the client says 503), or an answer that
    # was not Notify's (a 2xx without JSON, from a proxy in the way).
    if status == 429 or status >= 500 or status < 400:
        raise NotifyUnavailable(status, names) from None
    raise NotifyRejected(status, names) from None


def _check_reference(reference: str) -> str:
    if not reference or len(reference) > REFERENCE_MAX:
        raise ValueError(f"a Notify reference is 1 to {REFERENCE_MAX} characters")
    return reference


def _record(kind: str, response: dict, reference: str) -> NotifyMessage:
    return NotifyMessage.objects.create(kind=kind, notify_id=response["id"],
                                        reference=reference, status="created")


def send_email(client, address: str, subject: str, body: str, *,
               reference: str) -> NotifyMessage:
    """One e-mail through the generic template; its delivery status kept."""
    response = _call(client.send_email_notification, email_address=address,
                     template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
                     personalisation={"subject": subject, "body": body},
                     reference=_check_reference(reference))
    message = _record(NotifyMessage.Kind.EMAIL, response, reference)
    logger.info("e-mail %s handed to Notify (reference %s)", message.notify_id, reference)
    return message


def send_text_message(phone_number: str, body: str, *, reference: str) -> None:
    """Send one text message through Notify, or raise NotifyError
    (NotifyRejected: give up; NotifyUnavailable: try again later).

    `reference` must say nothing about the person (a job or subject id):
    Notify shows it to the council's staff and sends it back with the
    status. Never call it inside a database transaction."""
    if not text_messages_enabled():
        raise ImproperlyConfigured("text messages need NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID")
    response = _call(_client().send_sms_notification, phone_number=phone_number,
                     template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                     personalisation={"body": body}, reference=_check_reference(reference))
    message = _record(NotifyMessage.Kind.SMS, response, reference)
    logger.info("text message %s handed to Notify (reference %s)", message.notify_id, reference)


class NotifyEmailBackend(BaseEmailBackend):
    """Django's e-mail backend, through Notify. Each recipient of each
    message is one Notify e-mail (Notify sends to one address at a time),
    with the message's subject and plain-text body as personalisation and a
    random reference. Attachments and HTML alternatives are not sent (the
    portal sends neither). Returns how many messages went to all their
    recipients; raises NotifyError unless fail_silently."""

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        client = _client()
        sent = 0
        for message in email_messages:
            try:
                for address in message.recipients():
                    send_email(client, address, str(message.subject), str(message.body),
                               reference=f"email-{uuid.uuid4()}")
            except NotifyError:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent


def refresh_statuses(limit: int = 500) -> int:
    """Ask Notify what became of each message still on its way (oldest news
    first, at most `limit` a run); returns how many were asked about.
    Messages older than Notify keeps them, never settled, become "unknown".
    A 429 or 5xx ends the run (the next one carries on); a 403 too, logged."""
    if not enabled():
        return 0
    now = timezone.now()
    waiting = NotifyMessage.objects.exclude(status__in=FINAL_STATUSES)
    waiting.filter(created_at__lt=now - NOTIFY_KEEPS).update(status="unknown", updated_at=now)
    rows = list(waiting.order_by("updated_at", "pk").only("pk", "notify_id", "status")[:limit])
    if not rows:
        return 0
    client = _client()
    asked = 0
    for row in rows:
        try:
            answer = _call(client.get_notification_by_id, str(row.notify_id))
        except NotifyUnavailable as exc:
            logger.info("Notify status refresh stopped after %s: %s", asked, exc)
            break
        except NotifyRejected as exc:
            if exc.status_code == 404:  # no longer kept by Notify
                NotifyMessage.objects.filter(pk=row.pk).update(status="unknown",
                                                               updated_at=timezone.now())
                asked += 1
                continue
            logger.warning("Notify status refresh refused: %s", exc)
            break
        asked += 1
        status = str(answer.get("status") or "unknown")[:30]
        NotifyMessage.objects.filter(pk=row.pk).update(status=status, updated_at=timezone.now())
    return asked
