"""Background work for feedback: e-mails to families and officers, the
retention job, and survey imports. Every task takes ids and is safe to run
twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Feedback, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


class NotAccepted(Exception):
    pass


def _message(notification: Notification) -> tuple[str, str, list[str]] | None:
    feedback = notification.feedback
    context = {"feedback": feedback, "site_url": settings.SITE_URL,
               "service_name": settings.SERVICE_NAME,
               "organisation_name": settings.ORGANISATION_NAME,
               "response_days": feedback.organisation.response_days}
    if notification.kind == Notification.Kind.ASSIGNMENT:
        user = notification.recipient_user
        if user is None or not user.is_active:
            return None
        context["staff_url"] = settings.SITE_URL + reverse("staff:feedback:detail",
                                                           args=[feedback.pk])
        body = render_to_string("feedback/email/assignment.txt", context)
        return f"Feedback {feedback.reference} has been assigned to you", body, [user.email]
    if not feedback.contact_email:
        return None  # erased, or never given
    context["tracking_url"] = settings.SITE_URL + reverse("feedback:track-token",
                                                          args=[feedback.tracking_token])
    if notification.kind == Notification.Kind.ACKNOWLEDGEMENT:
        body = render_to_string("feedback/email/acknowledgement.txt", context)
        return f"We have received your feedback ({feedback.reference})", body, [feedback.contact_email]
    reply = feedback.replies.filter(pk=notification.subject_id).first()
    if reply is None:
        return None
    context["reply"] = reply
    body = render_to_string("feedback/email/reply.txt", context)
    return f"Our reply to your feedback ({feedback.reference})", body, [feedback.contact_email]


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, ignore_result=True)
def send_notification(self, notification_id: int) -> None:
    """Send one owed e-mail, at most once.

    The row is locked while sending, so two deliveries of this task (or the
    task and the beat job) cannot both send it. A failure is recorded on the
    row (staff see it on the feedback page) and retried with backoff, up to
    MAX_ATTEMPTS; then the notification is marked failed.
    """
    with transaction.atomic():
        notification = (Notification.objects.select_for_update(skip_locked=True, of=("self",))
                        .select_related("feedback", "recipient_user")
                        .filter(pk=notification_id, state=Notification.State.PENDING).first())
        if notification is None:
            return  # already sent, cancelled, failed for good, or being sent now
        message = _message(notification)
        if message is None:
            notification.state = Notification.State.CANCELLED
            notification.save(update_fields=["state", "updated_at"])
            return
        subject, body, to = message
        notification.attempts += 1
        try:
            # "Sent" only when the transport accepted the message: send_mail
            # raises when the relay refuses or is down, and answers 0 when
            # nothing was handed over.
            if send_mail(subject, body, None, to) != 1:
                raise NotAccepted("the mail transport did not accept the message")
        except Exception as exc:
            notification.last_error = exc.__class__.__name__
            if notification.attempts >= MAX_ATTEMPTS:
                notification.state = Notification.State.FAILED
            notification.save(update_fields=["attempts", "last_error", "state", "updated_at"])
            logger.warning("notification %s failed (attempt %s): %s", notification.pk,
                           notification.attempts, exc.__class__.__name__)
            if notification.state == Notification.State.PENDING:
                retry = True
            else:
                return
        else:
            retry = False
            notification.state = Notification.State.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
            notification.save(update_fields=["attempts", "state", "sent_at", "last_error",
                                             "updated_at"])
            if (notification.kind == Notification.Kind.ACKNOWLEDGEMENT
                    and notification.feedback.status == Feedback.Status.RECEIVED):
                from .services import _move

                _move(notification.feedback, Feedback.Status.ACKNOWLEDGED, None)
    if retry:
        raise self.retry(countdown=retry_delay(notification.attempts))


def retry_delay(attempts: int) -> int:
    """Seconds to wait after `attempts` failed tries: doubling from
    NOTIFICATION_RETRY_BASE_SECONDS (60), at most an hour. With five tries a
    relay may be down for about half an hour before an e-mail is given up."""
    return min(settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** attempts, 3600)


@shared_task(ignore_result=True)
def send_pending_notifications() -> int:
    """Beat, every minute: enqueue every notification still pending (for
    example because the broker was down when the feedback arrived) whose
    back-off after a failed try has run out. Without that wait, a relay down
    for five minutes would use up every try and lose the e-mails."""
    now = timezone.now()
    due = Q(attempts=0)
    for attempts in range(1, MAX_ATTEMPTS):
        due |= Q(attempts=attempts,
                 updated_at__lte=now - timedelta(seconds=retry_delay(attempts)))
    ids = list(Notification.objects.filter(due, state=Notification.State.PENDING)
               .order_by("created_at").values_list("pk", flat=True)[:500])
    for pk in ids:
        send_notification.delay(pk)
    return len(ids)


@shared_task(ignore_result=True)
def apply_retention() -> int:
    """Beat: the retention duty, recorded each run (see `retention_apply`)."""
    from .services import retention_apply

    return retention_apply().pk


@shared_task(bind=True, max_retries=3, ignore_result=True, soft_time_limit=600, time_limit=900)
def survey_import_run(self, survey_import_id: int) -> None:
    """Import a checked survey file. Safe to run twice: rows already imported
    (same fingerprint) are skipped, and statistics are replaced, not added."""
    from .imports import survey_import_execute

    survey_import_execute(survey_import_id=survey_import_id)
