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
