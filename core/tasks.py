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
