"""What changes the participation app's data. Views call these; nothing else
writes the models.

Messages to register members (invitations, renewal requests) are rows
written in the caller's transaction and sent by the job framework
(core.jobs) after it commits; the sending itself never runs in a
transaction (participation/tasks.py).

The private link to change or leave the register is a random token of
which only the digest is stored (feedback.models.tracking_digest, as for
feedback's private links). The links in messages (answer an invitation,
renew) are signed (django.core.signing) for their one purpose and stored
nowhere.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from core import jobs
from core.audit import Verb
from core.services import audit_record
from feedback.models import tracking_digest
from feedback.services import default_organisation, new_tracking_token
from feedback.subject import ERASED

from .models import AboutYou, AreaFigure, Channel, Interest, Invitation, Opportunity, RegisterEntry

CONSENT_WORDING = (
    "I agree that {organisation} may keep my name and contact details on its participation "
    "register, to ask me to take part in the topics and kinds of activity I chose, in the ways I "
    "chose. I will be asked to renew this every 12 months, and I can change my choices or leave "
    "at any time through my private link. If I do not renew, my details are deleted.")

_ANSWER_SALT = "participation.invitation-answer"
_RENEW_SALT = "participation.register-renew"
ABOUT_FIELDS = ("relationship", "child_age", "need", "area")


def _month(now) -> "timezone.datetime":
    return timezone.localdate(now).replace(day=1)


def _about_record(*, source: str, about: dict, opportunity=None, now=None) -> AboutYou | None:
    """Store the optional answers, apart from the person; nothing when all
    were left blank."""
    values = {f: (about or {}).get(f) or "" for f in ABOUT_FIELDS}
    if not any(values.values()):
        return None
    return AboutYou.objects.create(source=source, opportunity=opportunity,
                                   month=_month(now or timezone.now()), **values)


def opportunities_public():
    return Opportunity.objects.filter(published=True).select_related("organisation")


@transaction.atomic
def interest_submit(*, opportunity: Opportunity, name: str, email: str = "", phone: str = "",
                    needs: str = "", about: dict | None = None) -> Interest:
    """"I'd like to take part": stored first, answered by the organisation's staff."""
    interest = Interest.objects.create(opportunity=opportunity, name=name, email=email,
                                       phone=phone, needs=needs)
    _about_record(source=AboutYou.Source.INTEREST, about=about, opportunity=opportunity)
    audit_record(actor=None, verb=Verb.INTEREST_RECEIVED, target=interest,
                 data={"opportunity": opportunity.pk})
    return interest


def entry_for_token(token: str) -> RegisterEntry | None:
    if not token or len(token) > 100:
        return None
    return RegisterEntry.objects.filter(token_digest=tracking_digest(token)).first()


@transaction.atomic
def register_join(*, name: str, email: str, phone: str, postal_address: str, channels: list,
                  topics: list, kinds: list, about: dict | None = None) -> RegisterEntry:
    """Add someone to the register with their consent, its wording and date.
    The returned entry carries its private link's plain token (`entry.token`),
    for the page that shows it once; only the digest is stored."""
    organisation = default_organisation()
    now = timezone.now()
    entry = RegisterEntry(organisation=organisation, name=name, email=email, phone=phone,
                          postal_address=postal_address, channels=channels, topics=topics,
                          kinds=kinds, consented_at=now, renewed_at=now,
                          consent_wording=CONSENT_WORDING.format(
                              organisation=organisation.display_name))
    entry.token = new_tracking_token()
    entry.save()
    _about_record(source=AboutYou.Source.REGISTER, about=about)
    audit_record(actor=None, verb=Verb.REGISTER_JOINED, target=entry)
    return entry


def register_change(*, entry: RegisterEntry, name: str, email: str, phone: str,
                    postal_address: str, channels: list, topics: list, kinds: list) -> RegisterEntry:
    entry.name, entry.email, entry.phone, entry.postal_address = name, email, phone, postal_address
    entry.channels, entry.topics, entry.kinds = channels, topics, kinds
    entry.save()
    audit_record(actor=None, verb=Verb.REGISTER_CHANGED, target=entry)
    return entry


def register_leave(*, entry: RegisterEntry) -> None:
    """Leaving deletes the entry and its invitations at once."""
    audit_record(actor=None, verb=Verb.REGISTER_LEFT, target=entry)
    entry.delete()


def register_renew(*, entry: RegisterEntry, now=None) -> RegisterEntry:
    entry.renewed_at = now or timezone.now()
    entry.renewal_asked_at = None
    entry.save(update_fields=["renewed_at", "renewal_asked_at", "updated_at"])
    audit_record(actor=None, verb=Verb.REGISTER_RENEWED, target=entry)
    return entry


# --- Signed links in messages --------------------------------------------------------------


def answer_token(invitation: Invitation) -> str:
    return signing.Signer(salt=_ANSWER_SALT).sign(str(invitation.pk))


def renew_token(entry: RegisterEntry) -> str:
    # Bound to the entry's current digest: a link for an erased entry opens nothing.
    return signing.TimestampSigner(salt=_RENEW_SALT).sign(f"{entry.pk}.{entry.token_digest[:12]}")


def _unsign(signer, token: str, **kwargs) -> str | None:
    if not token or len(token) > 120:
        return None
    try:
        return signer.unsign(token, **kwargs)
    except signing.BadSignature:
        return None


def invitation_for_answer(token: str) -> Invitation | None:
    value = _unsign(signing.Signer(salt=_ANSWER_SALT), token)
    if value is None or not value.isdigit():
        return None
    return Invitation.objects.select_related("opportunity").filter(pk=int(value)).first()


def entry_for_renewal(token: str) -> RegisterEntry | None:
    max_age = timedelta(days=settings.REGISTER_LAPSE_DAYS + 30)
    value = _unsign(signing.TimestampSigner(salt=_RENEW_SALT), token, max_age=max_age)
    if value is None:
        return None
    pk, _, part = value.partition(".")
    if not pk.isdigit():
        return None
    return RegisterEntry.objects.filter(pk=int(pk), token_digest__startswith=part).first()


def invitation_answer(*, invitation: Invitation, answer: str) -> Invitation:
    invitation.answer = answer
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["answer", "answered_at"])
    audit_record(actor=None, verb=Verb.INVITATION_ANSWERED, target=invitation,
                 data={"answer": answer})
    return invitation


# --- Staff ---------------------------------------------------------------------------------


def _channel_for(entry: RegisterEntry) -> str:
    """How to reach the person: the first way they chose that we can use."""
    from core.notify import text_messages_enabled

    for channel in entry.channels:
        if channel == Channel.EMAIL and entry.email:
            return Channel.EMAIL
        if channel == Channel.TEXT and entry.phone and text_messages_enabled():
            return Channel.TEXT
        if channel == Channel.POST and entry.postal_address:
            return Channel.POST
    return Channel.EMAIL if entry.email else Channel.POST


@transaction.atomic
def invite(*, acting_user, opportunity: Opportunity, entries) -> list[Invitation]:
    """Invite register members to an opportunity (once each). E-mails and
    texts are jobs, sent after this transaction commits; letters are listed
    for staff to post."""
    already = set(opportunity.invitations.values_list("entry_id", flat=True))
    made = []
    for entry in entries:
        if entry.pk in already:
            continue
        channel = _channel_for(entry)
        invitation = Invitation.objects.create(
            opportunity=opportunity, entry=entry, invited_by=acting_user, channel=channel,
            state=Invitation.State.BY_POST if channel == Channel.POST else Invitation.State.PENDING)
        if channel != Channel.POST:
            jobs.enqueue("participation_invitation", invitation.pk,
                         organisation_id=opportunity.organisation_id)
        made.append(invitation)
    if made:
        audit_record(actor=acting_user, verb=Verb.REGISTER_INVITED, target=opportunity,
                     data={"invitations": [i.pk for i in made]})
    return made


def register_retention_apply(*, now=None) -> tuple[int, int]:
    """Part of the retention run: ask for renewal REGISTER_RENEWAL_DAYS after
    consent was given or renewed, and erase entries not renewed
    REGISTER_LAPSE_DAYS after being asked. Returns (asked, erased)."""
    now = now or timezone.now()
    asked = erased = 0
    due = RegisterEntry.objects.filter(
        renewed_at__lt=now - timedelta(days=settings.REGISTER_RENEWAL_DAYS),
        renewal_asked_at__isnull=True)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            if RegisterEntry.objects.filter(pk=pk, renewal_asked_at__isnull=True).update(
                    renewal_asked_at=now):
                jobs.enqueue("register_renewal", pk)
                audit_record(actor=None, verb=Verb.REGISTER_RENEWAL_ASKED,
                             target=RegisterEntry(pk=pk))
                asked += 1
    lapsed = RegisterEntry.objects.filter(
        renewal_asked_at__lt=now - timedelta(days=settings.REGISTER_LAPSE_DAYS))
    for pk in list(lapsed.values_list("pk", flat=True)):
        with transaction.atomic():
            entry = RegisterEntry.objects.select_for_update().filter(
                pk=pk, renewal_asked_at__lt=now - timedelta(days=settings.REGISTER_LAPSE_DAYS)
            ).first()
            if entry is not None:
                audit_record(actor=None, verb=Verb.REGISTER_LAPSED, target=entry)
                entry.delete()
                erased += 1
    # What people gave with "I'd like to take part" is kept while it is
    # needed: erased INTEREST_RETENTION_DAYS after the opportunity closed.
    closed_before = timezone.localdate(now) - timedelta(days=settings.INTEREST_RETENTION_DAYS)
    for interest in Interest.objects.filter(opportunity__closes_on__lt=closed_before).exclude(
            email="", phone="", needs=""):
        with transaction.atomic():
            Interest.objects.filter(pk=interest.pk).update(name=ERASED, email="", phone="",
                                                           needs="")
            audit_record(actor=None, verb=Verb.INTEREST_ERASED, target=interest)
    return asked, erased


@transaction.atomic
def opportunity_save(*, acting_user, opportunity: Opportunity) -> Opportunity:
    """Add or change an opportunity (its form has checked it)."""
    if not opportunity.slug:
        opportunity.slug = _unique_slug(opportunity.title)
    opportunity.save()
    audit_record(actor=acting_user, verb=Verb.OPPORTUNITY_SAVED, target=opportunity,
                 data={"published": opportunity.published})
    return opportunity


def _unique_slug(title: str) -> str:
    from django.utils.text import slugify

    base = slugify(title)[:180] or "opportunity"
    slug, n = base, 2
    while Opportunity.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def area_figures_save(*, acting_user, dimension: str, counts: dict, source: str) -> None:
    """Replace one dimension's published figures ({value: count}; None or
    missing leaves the group out)."""
    AreaFigure.objects.filter(dimension=dimension).delete()
    AreaFigure.objects.bulk_create([
        AreaFigure(dimension=dimension, value=value, count=count, source=source)
        for value, count in counts.items() if count is not None])
    audit_record(actor=acting_user, verb=Verb.AREA_FIGURES_SAVED,
                 target=AreaFigure.objects.filter(dimension=dimension).first()
                 or AreaFigure(pk=0), data={"dimension": dimension})
