from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task(ignore_result=True)
def heartbeat(name: str = "worker") -> None:
    """Prove that beat, the broker, a worker and the database work together.
    Safe to run any number of times: it only moves a timestamp forward."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


@shared_task(bind=True, max_retries=5, ignore_result=True)
def send_welcome_email(self, user_id: int) -> None:
    """E-mail a new member of staff a link to choose their password. Safe to
    run twice: only while the account still has no usable password."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return
    link = settings.SITE_URL + reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user)})
    body = render_to_string("registration/welcome_email.txt", {
        "user": user, "link": link, "service_name": settings.SERVICE_NAME,
        "organisation_name": settings.ORGANISATION_NAME})
    try:
        accepted = send_mail(f"Your account for {settings.SERVICE_NAME}", body, None, [user.email])
    except OSError as exc:
        raise self.retry(countdown=60, exc=exc) from exc
    if accepted != 1:
        raise self.retry(countdown=60)


@shared_task(bind=True, max_retries=3, ignore_result=True)
def send_password_reset_email(self, user_id: int) -> None:
    """E-mail a member of staff who asked for it a link to choose a new
    password. Sent by a worker so that the request never waits on (or fails
    with) the mail relay, and the link is made here, never in the web process."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    link = settings.SITE_URL + reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user)})
    subject = render_to_string("registration/password_reset_subject.txt", {
        "site_name": settings.SERVICE_NAME}).strip()
    body = render_to_string("registration/password_reset_email.html", {
        "user": user, "link": link, "service_name": settings.SERVICE_NAME,
        "organisation_name": settings.ORGANISATION_NAME})
    try:
        accepted = send_mail(subject, body, None, [user.email])
    except OSError as exc:
        raise self.retry(countdown=60, exc=exc) from exc
    if accepted != 1:
        raise self.retry(countdown=60)


def enqueue_on_commit(task, *args) -> None:
    """Send `task` to the broker once the current transaction commits.

    If the broker cannot be reached, the work is not lost: callers store what
    the task needs first (a row in a pending state), and a beat job sends
    anything still pending. So a broker failure here is logged (ids only)
    and swallowed, never shown to the person who submitted something.
    """
    import logging

    from django.db import transaction
    from kombu.exceptions import KombuError

    def send():
        try:
            task.apply_async(args=args)
        except (KombuError, OSError) as exc:  # the broker could not be reached
            logging.getLogger(__name__).warning(
                "could not enqueue %s%r now (%s); it stays pending", task.name, args,
                exc.__class__.__name__,
            )

    transaction.on_commit(send)


def _approval_email(user, notices) -> int:
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    body = render_to_string("core/approval_email.txt", {
        "user": user, "notices": notices, "site_url": settings.SITE_URL,
        "service_name": settings.SERVICE_NAME})
    subject = (f"Waiting for your approval: {notices[0].title}" if len(notices) == 1
               else f"{len(notices)} things are waiting for your approval")
    return send_mail(subject[:200], body, None, [user.email])


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


@shared_task(bind=True, max_retries=5, ignore_result=True)
def send_approval_notices(self) -> None:
    """Send every pending "waiting for your approval" e-mail, one per row.
    Safe to run twice or in two workers at once (see _claim): each goes once.
    Beat runs it every minute too, so a row whose enqueue was lost is sent."""
    from .models import ApprovalNotice

    failed = False
    while True:
        rows = _claim(ApprovalNotice.objects.filter(state=ApprovalNotice.State.PENDING), 1)
        if not rows:
            break
        try:
            accepted = _approval_email(rows[0].recipient, rows)
        except OSError:
            accepted = 0
        if accepted != 1:
            _unclaim(rows, ApprovalNotice.State.PENDING)
            failed = True
            break
    if failed:
        raise self.retry(countdown=60)


@shared_task(ignore_result=True)
def send_approval_digests() -> None:
    """Once a day: one e-mail per person who chose the daily digest, listing
    what started waiting for them since the last one."""
    from .models import ApprovalNotice

    waiting = ApprovalNotice.objects.filter(state=ApprovalNotice.State.DIGEST)
    for recipient_id in list(waiting.values_list("recipient_id", flat=True).distinct()):
        rows = _claim(waiting.filter(recipient_id=recipient_id))
        if not rows:
            continue
        try:
            accepted = _approval_email(rows[0].recipient, rows)
        except OSError:
            accepted = 0
        if accepted != 1:
            _unclaim(rows, ApprovalNotice.State.DIGEST)
