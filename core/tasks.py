from celery import shared_task
from django.utils import timezone

from . import jobs
from .models import Heartbeat


@shared_task(ignore_result=True, acks_late=False)  # beat sends another in a minute
def heartbeat(name: str = "worker") -> None:
    """Prove that beat, the broker, a worker and the database work together.
    Safe to run any number of times: it only moves a timestamp forward."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


class NotAccepted(Exception):
    """The mail transport took nothing (send_mail answered 0)."""


def send_one_mail(subject: str, body: str, to: list[str]) -> None:
    """Send one e-mail or raise: "sent" only when the transport accepted it
    (send_mail raises when the relay refuses or is down, and answers 0 when
    nothing was handed over). Never call it inside a database transaction."""
    from django.core.mail import send_mail

    if send_mail(subject, body, None, to) != 1:
        raise NotAccepted("the mail transport did not accept the message")


def _password_link(user) -> str:
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return settings.SITE_URL + reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user)})


@jobs.register("welcome_email", label="Welcome e-mail to a new member of staff",
               max_attempts=6, backoff=60, backoff_max=1800)
def send_welcome_email(user_id: int) -> None:
    """E-mail a new member of staff a link to choose their password. Safe to
    run twice: only while the account still has no usable password."""
    from django.conf import settings
    from django.template.loader import render_to_string

    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return
    body = render_to_string("registration/welcome_email.txt", {
        "user": user, "link": _password_link(user), "service_name": settings.SERVICE_NAME,
        "organisation_name": settings.ORGANISATION_NAME})
    send_one_mail(f"Your account for {settings.SERVICE_NAME}", body, [user.email])


@jobs.register("password_reset_email", label="Password reset e-mail",
               max_attempts=4, backoff=30, backoff_max=600)
def send_password_reset_email(user_id: int) -> None:
    """E-mail a member of staff who asked for it a link to choose a new
    password. Sent by a worker so that the request never waits on (or fails
    with) the mail relay, and the link is made here, never in the web process."""
    from django.conf import settings
    from django.template.loader import render_to_string

    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    subject = render_to_string("registration/password_reset_subject.txt", {
        "site_name": settings.SERVICE_NAME}).strip()
    body = render_to_string("registration/password_reset_email.html", {
        "user": user, "link": _password_link(user), "service_name": settings.SERVICE_NAME,
        "organisation_name": settings.ORGANISATION_NAME})
    send_one_mail(subject, body, [user.email])


def _approval_email_parts(user, notices) -> tuple[str, str]:
    from django.conf import settings
    from django.template.loader import render_to_string

    body = render_to_string("core/approval_email.txt", {
        "user": user, "notices": notices, "site_url": settings.SITE_URL,
        "service_name": settings.SERVICE_NAME})
    subject = (f"Waiting for your approval: {notices[0].title}" if len(notices) == 1
               else f"{len(notices)} things are waiting for your approval")
    return subject[:200], body


def _approval_notice_failed(notice_id: int, error: str) -> None:
    from .models import ApprovalNotice

    ApprovalNotice.objects.filter(pk=notice_id, state=ApprovalNotice.State.PENDING).update(
        state=ApprovalNotice.State.FAILED)


def _approval_notice_retry(notice_id: int) -> None:
    from .models import ApprovalNotice

    ApprovalNotice.objects.filter(pk=notice_id, state=ApprovalNotice.State.FAILED).update(
        state=ApprovalNotice.State.PENDING)


@jobs.register("approval_notice", label="E-mail telling an approver that work waits for them",
               max_attempts=5, backoff=60, backoff_max=1800,
               on_failed=_approval_notice_failed, on_retry=_approval_notice_retry)
def send_approval_notice(notice_id: int) -> None:
    """Send one "waiting for your approval" e-mail. Safe to run twice: only
    while the notice is pending (the job's lock keeps a second delivery off
    it while the first sends); sent outside any transaction, then marked."""
    from django.db.models import F

    from .models import ApprovalNotice

    notice = (ApprovalNotice.objects.select_related("recipient", "organisation")
              .filter(pk=notice_id, state=ApprovalNotice.State.PENDING).first())
    if notice is None:
        return
    if not notice.recipient.is_active:
        ApprovalNotice.objects.filter(pk=notice.pk).update(state=ApprovalNotice.State.FAILED)
        return
    ApprovalNotice.objects.filter(pk=notice.pk).update(attempts=F("attempts") + 1)
    subject, body = _approval_email_parts(notice.recipient, [notice])
    send_one_mail(subject, body, [notice.recipient.email])
    ApprovalNotice.objects.filter(pk=notice.pk, state=ApprovalNotice.State.PENDING).update(
        state=ApprovalNotice.State.SENT, sent_at=timezone.now())


def _claim(queryset, limit: int | None = None) -> list:
    """Mark rows sent and return them, in a short transaction of its own, so
    the e-mail goes after commit (no network I/O inside a transaction) and
    a second worker never claims the same row. A failed send puts them back."""
    from django.db import transaction

    from .models import ApprovalNotice

    with transaction.atomic():
        rows = list(queryset.select_for_update(skip_locked=True, of=("self",))
                    .select_related("recipient", "organisation").order_by("pk")[:limit])
        ApprovalNotice.objects.filter(pk__in=[r.pk for r in rows]).update(
            state=ApprovalNotice.State.SENT, sent_at=timezone.now())
    return rows


def _unclaim(rows, state: str) -> None:
    from django.db.models import F

    from .models import ApprovalNotice

    ApprovalNotice.objects.filter(pk__in=[r.pk for r in rows]).update(
        state=state, sent_at=None, attempts=F("attempts") + 1)
    ApprovalNotice.objects.filter(pk__in=[r.pk for r in rows], attempts__gte=5).update(
        state=ApprovalNotice.State.FAILED)


@shared_task(ignore_result=True)
def send_approval_digests() -> None:
    """Beat, once a day: one e-mail per person who chose the daily digest,
    listing what started waiting for them since the last one. A scheduled
    sweep rather than a job: what it sends is decided when it runs. A
    digest that fails is put back and goes with the next day's."""
    from .models import ApprovalNotice

    waiting = ApprovalNotice.objects.filter(state=ApprovalNotice.State.DIGEST)
    for recipient_id in list(waiting.values_list("recipient_id", flat=True).distinct()):
        rows = _claim(waiting.filter(recipient_id=recipient_id))
        if not rows:
            continue
        subject, body = _approval_email_parts(rows[0].recipient, rows)
        try:
            send_one_mail(subject, body, [rows[0].recipient.email])
        except Exception:  # noqa: BLE001 - put back for tomorrow, whatever the relay said
            _unclaim(rows, ApprovalNotice.State.DIGEST)


@shared_task(ignore_result=True, acks_late=False)  # beat sends another soon
def refresh_notify_statuses() -> int:
    """Beat, when GOV.UK Notify is configured: ask Notify what became of
    the messages still on their way (core.notify). A sweep, safe to run any
    number of times: it only moves statuses on."""
    from . import notify

    return notify.refresh_statuses()
