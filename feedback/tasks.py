"""Background work for feedback: e-mails to families and officers, the
retention job, and survey imports. Every task takes ids and is safe to run
twice."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import jobs
from core.tasks import send_one_mail

from .imports import ImportFileError
from .models import TOKEN_FORGOTTEN, Feedback, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


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
    if notification.kind == Notification.Kind.ACKNOWLEDGEMENT:
        # The token waits on the notification until sent (the feedback holds
        # only its digest). Without it (owed before tokens were hashed) the
        # e-mail still gives the reference.
        if notification.tracking_token:
            context["tracking_url"] = settings.SITE_URL + reverse(
                "feedback:track-token", args=[notification.tracking_token])
        body = render_to_string("feedback/email/acknowledgement.txt", context)
        return f"We have received your feedback ({feedback.reference})", body, [feedback.contact_email]
    reply = feedback.replies.filter(pk=notification.subject_id).first()
    if reply is None:
        return None
    context["reply"] = reply
    body = render_to_string("feedback/email/reply.txt", context)
    return f"Our reply to your feedback ({feedback.reference})", body, [feedback.contact_email]


def _notification_failed(notification_id: int, error: str) -> None:
    Notification.objects.filter(pk=notification_id, state=Notification.State.PENDING).update(
        state=Notification.State.FAILED, updated_at=timezone.now(),
        tracking_token=TOKEN_FORGOTTEN)  # never sent: nobody needs it now


def _notification_retry(notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id, state=Notification.State.FAILED).update(
        state=Notification.State.PENDING, attempts=0, updated_at=timezone.now())


@jobs.register("notification", label="E-mail about feedback (to a family or an officer)",
               max_attempts=MAX_ATTEMPTS, backoff=2 * settings.NOTIFICATION_RETRY_BASE_SECONDS,
               backoff_max=3600, on_failed=_notification_failed, on_retry=_notification_retry)
def send_notification(notification_id: int) -> None:
    """Send one owed e-mail, at most once.

    One worker at a time works on a notification (the job's lock), and only
    while it is pending; the e-mail is sent outside any transaction, then
    marked sent. A failure is recorded on the row (staff see it on the
    feedback page) and retried with back-off by the job (core.jobs): with
    five tries a relay may be down for about half an hour; then the
    notification is marked failed.
    """
    notification = (Notification.objects.select_related("feedback", "recipient_user")
                    .filter(pk=notification_id, state=Notification.State.PENDING).first())
    if notification is None:
        return  # already sent, cancelled, or failed for good
    message = _message(notification)
    if message is None:
        Notification.objects.filter(pk=notification.pk).update(
            state=Notification.State.CANCELLED, tracking_token=TOKEN_FORGOTTEN,
            updated_at=timezone.now())
        return
    subject, body, to = message
    Notification.objects.filter(pk=notification.pk).update(attempts=F("attempts") + 1,
                                                           updated_at=timezone.now())
    try:
        send_one_mail(subject, body, to)
    except Exception as exc:
        Notification.objects.filter(pk=notification.pk).update(
            last_error=exc.__class__.__name__, updated_at=timezone.now())
        raise
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(
            state=Notification.State.SENT, sent_at=timezone.now(), last_error="",
            tracking_token=TOKEN_FORGOTTEN,  # in the family's e-mail now; not kept here
            updated_at=timezone.now())
        feedback = Feedback.objects.select_for_update().get(pk=notification.feedback_id)
        if (notification.kind == Notification.Kind.ACKNOWLEDGEMENT
                and feedback.status == Feedback.Status.RECEIVED):
            from .services import _move

            _move(feedback, Feedback.Status.ACKNOWLEDGED, None)


@shared_task(ignore_result=True)
def apply_retention() -> int:
    """Beat: the retention duty, recorded each run (see `retention_apply`)."""
    from .services import retention_apply

    return retention_apply().pk


def _import_failed(survey_import_id: int, error: str) -> None:
    from .models import SurveyImport

    SurveyImport.objects.filter(pk=survey_import_id).exclude(
        state=SurveyImport.State.IMPORTED).update(
        state=SurveyImport.State.FAILED,
        failure=("The import stopped before it finished. Rows already imported are kept; "
                 "importing again adds only the rest.")
        if not error.startswith("ImportFileError") else error.split(": ", 1)[-1][:300])


def _import_retry(survey_import_id: int) -> None:
    from .models import SurveyImport

    SurveyImport.objects.filter(pk=survey_import_id, state=SurveyImport.State.FAILED).update(
        state=SurveyImport.State.IMPORTING, failure="")


@jobs.register("survey_import", label="Survey import", max_attempts=4, backoff=30,
               backoff_max=600, give_up_on=(ImportFileError,), on_failed=_import_failed,
               on_retry=_import_retry, coalesce=True, error_detail=True,
               staff_url=lambda pk: reverse("staff:feedback:import-detail", args=[pk]),
               soft_time_limit=600, time_limit=900)
def survey_import_run(survey_import_id: int) -> None:
    """Import a checked survey file. Safe to run twice: rows already imported
    (same fingerprint) are skipped, and statistics are replaced, not added.
    A broker outage, a soft time limit or a killed worker leave the job
    pending, and it is taken up again; a file that cannot be read fails at
    once."""
    from .imports import survey_import_execute

    survey_import_execute(survey_import_id=survey_import_id)


# --- Progress messages (feedback/progress.py) ------------------------------------------


def _progress_failed(message_id: int, error: str) -> None:
    from .models import ProgressMessage

    ProgressMessage.objects.filter(
        pk=message_id, state__in=[ProgressMessage.State.PENDING, ProgressMessage.State.SENDING]
    ).update(state=ProgressMessage.State.FAILED, updated_at=timezone.now())


def _progress_retry(message_id: int) -> None:
    from .models import ProgressMessage

    ProgressMessage.objects.filter(pk=message_id, state=ProgressMessage.State.FAILED).update(
        state=ProgressMessage.State.PENDING, updated_at=timezone.now())


def _progress_body(message, news: list, *, by_text: bool) -> tuple[str, str]:
    from . import progress
    from .models import ProgressMessage

    feedback = message.feedback
    context = {
        "feedback": feedback, "news": news, "service_name": settings.SERVICE_NAME,
        "organisation_name": settings.ORGANISATION_NAME,
        "way_back_url": settings.SITE_URL + reverse(
            "feedback:progress-way-back", args=[progress.way_back_token(feedback)]),
        "stop_url": settings.SITE_URL + reverse(
            "feedback:progress-stop", args=[progress.stop_token(feedback.pk)]),
        "link_days": settings.PROGRESS_LINK_MAX_AGE_DAYS, "by_text": by_text,
    }
    if message.kind == ProgressMessage.Kind.DIFFERENCE:
        context["difference_url"] = settings.SITE_URL + reverse(
            "feedback:progress-difference", args=[progress.difference_token(feedback.pk)])
        return (f"Did it make a difference? ({feedback.reference})",
                render_to_string("feedback/email/difference.txt", context))
    return (f"News about your feedback ({feedback.reference})",
            render_to_string("feedback/email/progress.txt", context))


@jobs.register("progress_message", label="Message to a family about their feedback's progress",
               max_attempts=MAX_ATTEMPTS, backoff=2 * settings.NOTIFICATION_RETRY_BASE_SECONDS,
               backoff_max=3600, on_failed=_progress_failed, on_retry=_progress_retry)
def send_progress_message(message_id: int) -> None:
    """Send one progress message (or the "Did it make a difference?"
    question), at most once, with every change gathered into it so far.

    Marked "being sent" under a row lock first, so that news arriving now
    starts the next message (a day later) instead of joining one already
    written; then sent outside any transaction, by e-mail, or by text where
    only a phone number was given and text messages are on; then marked
    sent with what the family was told (public words, for staff). Cancelled
    when the family stopped messages or their details were erased. Its job
    carries the message's id only: no words, address or link.
    """
    from . import progress
    from .models import ProgressMessage

    State = ProgressMessage.State
    with transaction.atomic():
        message = (ProgressMessage.objects.select_for_update(of=("self",))
                   .select_related("feedback")
                   .filter(pk=message_id, state__in=[State.PENDING, State.SENDING]).first())
        if message is None:
            return  # sent, cancelled or failed for good
        feedback = message.feedback
        news = [n.text for n in message.news.order_by("at", "id")]
        by = ("email" if feedback.contact_email else
              "text" if feedback.contact_phone and progress.text_messages_enabled() else "")
        wanted = news or message.kind == ProgressMessage.Kind.DIFFERENCE
        if not (feedback.wants_progress and by and wanted):
            message.state = State.CANCELLED
            message.save(update_fields=["state", "updated_at"])
            return
        message.state, message.by = State.SENDING, by
        message.save(update_fields=["state", "by", "updated_at"])
    subject, body = _progress_body(message, news, by_text=by == "text")
    if by == "email":
        send_one_mail(subject, body, [feedback.contact_email])
    else:
        # Notify shows the reference to staff and sends it back: an id only.
        progress.send_text(feedback.contact_phone, body, reference=f"progress-{message.pk}")
    told = ("\n".join(news) if message.kind == ProgressMessage.Kind.PROGRESS
            else "Asked: did it make a difference?")
    ProgressMessage.objects.filter(pk=message.pk, state=State.SENDING).update(
        state=State.SENT, sent_at=timezone.now(), told=told, updated_at=timezone.now())
    logger.info("progress message %s sent (%s, %s)", message.pk, feedback.reference, by)


@shared_task(ignore_result=True)
def ask_difference() -> int:
    """Beat: owe "Did it make a difference?" where it is due (progress.difference_ask_due)."""
    from .progress import difference_ask_due

    return difference_ask_due()


# --- Paper feedback cards ----------------------------------------------------------------


def _cards_failed(batch_id: int, error: str) -> None:
    from .models import CardBatch

    CardBatch.objects.filter(pk=batch_id, pdf_state=CardBatch.PdfState.PENDING).update(
        pdf_state=CardBatch.PdfState.FAILED, pdf_error=error.split(":", 1)[0][:300])


def _cards_retry(batch_id: int) -> None:
    from .models import CardBatch

    CardBatch.objects.filter(pk=batch_id, pdf_state=CardBatch.PdfState.FAILED).update(
        pdf_state=CardBatch.PdfState.PENDING, pdf_error="")


# 500 cards (feedback.cards.MAX_BATCH) took 115 s of CPU and 1.4 GB at their
# peak (7 December 2026), and 25 minutes on a machine shared at load 17: the
# limits leave room for a busy machine rather than fail a long batch.
@jobs.register("card_batch_pdf", label="Feedback cards PDF", max_attempts=3, backoff=20,
               backoff_max=600, on_failed=_cards_failed, on_retry=_cards_retry, coalesce=True,
               error_detail=True,
               staff_url=lambda pk: reverse("staff:feedback:card-batch", args=[pk]),
               soft_time_limit=1800, time_limit=1900)
def card_batch_pdf_make(batch_id: int) -> None:
    """Make a batch of paper cards' PDF (feedback.cards.card_batch_pdf_build)."""
    from .cards import card_batch_pdf_build

    batch = card_batch_pdf_build(batch_id)
    if batch is not None:
        logger.info("card batch %s PDF ready (%s cards)", batch_id, batch.size)
