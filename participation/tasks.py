"""Messages to register members, sent by the job framework (core.jobs)
after the transaction that owed them commits, never inside one."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import jobs
from core.tasks import send_one_mail

from . import services
from .models import Channel, Invitation, RegisterEntry


def _invitation_failed(invitation_id: int, error: str) -> None:
    Invitation.objects.filter(pk=invitation_id, state=Invitation.State.PENDING).update(
        state=Invitation.State.FAILED)


def _invitation_retry(invitation_id: int) -> None:
    Invitation.objects.filter(pk=invitation_id, state=Invitation.State.FAILED).update(
        state=Invitation.State.PENDING)


@jobs.register("participation_invitation", label="Invitation to take part (to a register member)",
               on_failed=_invitation_failed, on_retry=_invitation_retry)
def send_invitation(invitation_id: int) -> None:
    """Send one invitation, at most once (the job's lock; only while pending)."""
    invitation = (Invitation.objects.select_related("opportunity", "entry")
                  .filter(pk=invitation_id, state=Invitation.State.PENDING).first())
    if invitation is None:
        return
    entry, opportunity = invitation.entry, invitation.opportunity
    context = {"entry": entry, "opportunity": opportunity, "service_name": settings.SERVICE_NAME,
               "opportunity_url": settings.SITE_URL + opportunity.get_absolute_url(),
               "answer_url": settings.SITE_URL + reverse(
                   "participation:answer", args=[services.answer_token(invitation)])}
    if invitation.channel == Channel.TEXT and entry.phone:
        from core.notify import send_text_message

        body = render_to_string("participation/email/invitation.sms.txt", context)
        send_text_message(entry.phone, body, reference=f"invitation-{invitation.pk}")
    elif entry.email:
        body = render_to_string("participation/email/invitation.txt", context)
        send_one_mail(f"Would you like to take part? {opportunity.title}", body, [entry.email])
    else:
        Invitation.objects.filter(pk=invitation.pk).update(state=Invitation.State.BY_POST)
        return
    Invitation.objects.filter(pk=invitation.pk, state=Invitation.State.PENDING).update(
        state=Invitation.State.SENT, sent_at=timezone.now())


@jobs.register("register_renewal", label="Request to renew a place on the participation register")
def send_renewal(entry_id: int) -> None:
    """Ask a register member to renew (by e-mail; by text if that is all
    they gave). Nothing is sent once they have renewed or left."""
    entry = RegisterEntry.objects.filter(pk=entry_id, renewal_asked_at__isnull=False).first()
    if entry is None:
        return
    context = {"entry": entry, "service_name": settings.SERVICE_NAME,
               "lapse_days": settings.REGISTER_LAPSE_DAYS,
               "renew_url": settings.SITE_URL + reverse(
                   "participation:renew", args=[services.renew_token(entry)])}
    body = render_to_string("participation/email/renewal.txt", context)
    if entry.email:
        send_one_mail("Would you like to stay on the participation register?", body,
                      [entry.email])
    elif entry.phone:
        from core.notify import send_text_message, text_messages_enabled

        if text_messages_enabled():
            send_text_message(entry.phone, body, reference=f"renewal-{entry.pk}")
