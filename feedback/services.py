"""Every write to feedback. Views, tasks and the admin call these.

What a family typed and their contact details never go into audit data or
logs: those carry references, ids and states only.
"""

import secrets
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.concurrency import lock_for_edit
from core.models import Organisation, Role, ServiceArea, Theme
from core.pagecache import public_content_changed
from core.roles import has_role
from core.services import audit_record
from core.tasks import enqueue_on_commit
from core.working_days import add_working_days

from .models import (
    Feedback,
    InternalNote,
    Notification,
    Quote,
    ReferenceCounter,
    Reply,
    RetentionRun,
    StatusChange,
)

OPEN_STATUSES = (Feedback.Status.RECEIVED, Feedback.Status.ACKNOWLEDGED, Feedback.Status.IN_REVIEW)

# Which status an officer may move feedback to by hand. "Responded" comes only
# from publishing a reply; "acknowledged" also when the acknowledgement is sent.
MANUAL_TRANSITIONS = {
    Feedback.Status.RECEIVED: {Feedback.Status.ACKNOWLEDGED, Feedback.Status.IN_REVIEW},
    Feedback.Status.ACKNOWLEDGED: {Feedback.Status.IN_REVIEW},
    Feedback.Status.IN_REVIEW: {Feedback.Status.ACKNOWLEDGED},
    Feedback.Status.RESPONDED: {Feedback.Status.CLOSED, Feedback.Status.IN_REVIEW},
    Feedback.Status.CLOSED: {Feedback.Status.IN_REVIEW},
}


def manual_transitions(feedback: Feedback) -> set[str]:
    """The statuses staff may move this feedback to by hand. Feedback that
    needs no reply (a "Was this page useful?" comment) can be closed once read."""
    allowed = set(MANUAL_TRANSITIONS.get(feedback.status, set()))
    if not feedback.needs_reply and feedback.status in OPEN_STATUSES:
        allowed.add(Feedback.Status.CLOSED)
    return allowed


def allocate_references(year: int, count: int = 1) -> list[str]:
    """Give out `count` consecutive references for `year`. Must run inside a
    transaction; the counter row is locked so two requests never share one."""
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [f"FB-{year}-{n:05d}" for n in range(first, first + count)]


def new_tracking_token() -> str:
    return secrets.token_urlsafe(32)


def default_organisation() -> Organisation:
    slug = settings.FEEDBACK_DEFAULT_ORGANISATION
    if slug:
        return Organisation.objects.get(slug=slug)
    org = Organisation.objects.filter(kind=Organisation.Kind.LOCAL_AUTHORITY).order_by("id").first()
    if org is None:
        raise ValidationError("No organisation is set up to receive feedback yet.")
    return org


def response_due(received_on: date) -> date:
    return add_working_days(received_on, settings.FEEDBACK_RESPONSE_WORKING_DAYS)


@transaction.atomic
def feedback_submit(
    *,
    channel: str = Feedback.Channel.WEB_FORM,
    what_went_well: str = "",
    even_better_if: str = "",
    rating: int | None = None,
    respondent: str = "",
    age_group: str = "",
    service_areas: Iterable[ServiceArea] = (),
    about_organisation: Organisation | None = None,
    wants_contact: bool = False,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    consent_to_quote: bool = False,
    received_on: date | None = None,
    acting_user=None,
    source_url: str = "",
    source_label: str = "",
    needs_reply: bool = True,
) -> Feedback:
    """Store a piece of feedback, then (after commit) acknowledge it.

    Called by the public forms (acting_user None), by staff logging feedback
    from other channels, and by reports' "Was this page useful?". Stored
    first: the acknowledgement is a pending Notification row in the same
    transaction, so a broker outage loses nothing. `needs_reply=False`
    (comments from "Was this page useful?") means no deadline and no reply.
    """
    if not wants_contact:
        contact_name = contact_email = contact_phone = ""
    today = timezone.localdate()
    received_on = received_on or today
    organisation = about_organisation or default_organisation()
    feedback = Feedback(
        tracking_token=new_tracking_token(),
        channel=channel,
        received_on=received_on,
        respondent=respondent,
        age_group=age_group,
        about_organisation=about_organisation,
        organisation=organisation,
        what_went_well=what_went_well.strip(),
        even_better_if=even_better_if.strip(),
        rating=rating,
        consent_to_quote=consent_to_quote,
        wants_contact=wants_contact,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip(),
        needs_reply=needs_reply,
        response_due_on=response_due(received_on) if needs_reply else None,
        logged_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        source_url=source_url,
        source_label=source_label[:300],
    )
    # Checked before the reference is taken: taking it locks the year's counter
    # row until commit, and every submission waits for that lock, so the
    # dozen checking queries stay out of it. (The reference is unique by the
    # counter and by its database constraint.)
    feedback.full_clean(exclude=["reference"])
    feedback.reference = allocate_references(received_on.year)[0]
    feedback.save()
    feedback.service_areas.set(service_areas)
    StatusChange.objects.create(feedback=feedback, to_status=Feedback.Status.RECEIVED,
                                actor=feedback.logged_by)
    audit_record(actor=acting_user, verb="feedback received", target=feedback,
                 summary=feedback.reference, data={"channel": channel})
    if feedback.wants_contact and feedback.contact_email:
        _notify(feedback, Notification.Kind.ACKNOWLEDGEMENT)
    return feedback


def _lock(feedback: Feedback, lock_version: int | None) -> Feedback:
    """The feedback, row-locked for this transaction and its lock_version
    raised (core.concurrency). Raises EditConflict when the page the person
    worked from showed an older version: so a triage or reply based on an
    out-of-date page never overwrites a colleague's, and a reply posted twice
    at once is sent once."""
    locked = lock_for_edit(Feedback.objects.select_related("organisation"), feedback.pk,
                           lock_version)
    Feedback.objects.filter(pk=locked.pk).update(lock_version=locked.lock_version)
    return locked


def _notify(feedback: Feedback, kind: str, *, subject_id: int = 0, recipient_user=None) -> None:
    notification, created = Notification.objects.get_or_create(
        feedback=feedback, kind=kind, subject_id=subject_id,
        defaults={"recipient_user": recipient_user},
    )
    if created:
        from .tasks import send_notification

        enqueue_on_commit(send_notification, notification.pk)


def _move(feedback: Feedback, to_status: str, actor, *, at=None) -> None:
    if feedback.status == to_status:
        return
    StatusChange.objects.create(feedback=feedback, from_status=feedback.status,
                                to_status=to_status, actor=actor)
    audit_record(actor=actor, verb="feedback status changed", target=feedback,
                 summary=f"{feedback.reference}: {feedback.status} → {to_status}",
                 data={"from": feedback.status, "to": to_status})
    feedback.status = to_status
    # Retention runs from closure; reopened feedback starts again when it closes.
    feedback.closed_at = (at or timezone.now()) if to_status == Feedback.Status.CLOSED else None
    feedback.save(update_fields=["status", "closed_at", "updated_at"])


@transaction.atomic
def feedback_change_status(*, acting_user, feedback: Feedback, status: str,
                           lock_version: int | None = None) -> Feedback:
    """Move feedback along its timeline by hand. Only the moves in
    MANUAL_TRANSITIONS; each one is recorded with who and when."""
    feedback = _lock(feedback, lock_version)
    if status not in manual_transitions(feedback):
        raise ValidationError(f"Feedback that is {feedback.get_status_display().lower()} "
                              f"cannot be moved to {Feedback.Status(status).label.lower()}.")
    _move(feedback, status, acting_user)
    return feedback


@transaction.atomic
def feedback_assign(*, acting_user, feedback: Feedback, assignee,
                    lock_version: int | None = None) -> Feedback:
    """Give feedback to an officer of its organisation; they are told by e-mail."""
    feedback = _lock(feedback, lock_version)
    if assignee is not None and not has_role(assignee, {Role.OFFICER, Role.APPROVER},
                                             feedback.organisation_id):
        raise ValidationError("Choose an officer of the organisation that answers this feedback.")
    previous = feedback.assigned_to_id
    feedback.assigned_to = assignee
    feedback.save(update_fields=["assigned_to", "updated_at"])
    audit_record(actor=acting_user, verb="feedback assigned", target=feedback,
                 summary=feedback.reference,
                 data={"from": previous, "to": assignee.pk if assignee else None})
    if assignee is not None and assignee != acting_user and assignee.pk != previous:
        _notify(feedback, Notification.Kind.ASSIGNMENT, subject_id=assignee.pk,
                recipient_user=assignee)
    if feedback.status == Feedback.Status.RECEIVED:
        _move(feedback, Feedback.Status.IN_REVIEW, acting_user)
    return feedback


@transaction.atomic
def feedback_set_themes(*, acting_user, feedback: Feedback, themes: Iterable[Theme],
                        service_areas: Iterable[ServiceArea] | None = None,
                        shared_with: Iterable[Organisation] | None = None,
                        lock_version: int | None = None) -> Feedback:
    feedback = _lock(feedback, lock_version)
    feedback.themes.set(themes)
    if service_areas is not None:
        feedback.service_areas.set(service_areas)
    if shared_with is not None:
        feedback.shared_with.set([o for o in shared_with if o.pk != feedback.organisation_id])
    audit_record(actor=acting_user, verb="feedback tagged", target=feedback,
                 summary=feedback.reference,
                 data={"themes": sorted(t.pk for t in feedback.themes.all())})
    return feedback


@transaction.atomic
def feedback_triage(*, acting_user, feedback: Feedback, assigned_to, themes: Iterable[Theme],
                    service_areas: Iterable[ServiceArea], shared_with: Iterable[Organisation],
                    lock_version: int | None = None) -> Feedback:
    """The triage form in one go: assignment, themes, service areas and
    sharing. Refused as a whole (EditConflict) when someone else triaged,
    changed the status or replied since the page was shown."""
    feedback = _lock(feedback, lock_version)
    if assigned_to != feedback.assigned_to:
        feedback = feedback_assign(acting_user=acting_user, feedback=feedback,
                                   assignee=assigned_to)
    return feedback_set_themes(acting_user=acting_user, feedback=feedback, themes=themes,
                               service_areas=service_areas, shared_with=shared_with)


@transaction.atomic
def note_add(*, acting_user, feedback: Feedback, text: str) -> InternalNote:
    note = InternalNote(feedback=feedback, author=acting_user, text=text.strip())
    note.full_clean()
    note.save()
    audit_record(actor=acting_user, verb="note added", target=feedback, summary=feedback.reference)
    return note


@transaction.atomic
def reply_create(*, acting_user, feedback: Feedback, outcome: str, text: str,
                 reason: str = "", lock_version: int | None = None) -> Reply:
    """Write the answer. Published at once, unless the organisation wants an
    approver to check replies first. "Not possible" must say why. Feedback
    that needs no reply (no one to answer) is refused.

    The feedback row is locked and its lock_version checked: two replies
    posted at once from pages showing the same version (two people, or one
    double click) make one reply, one e-mail, one "Responded"; the other
    raises EditConflict."""
    feedback = _lock(feedback, lock_version)
    if not feedback.needs_reply:
        raise ValidationError("This feedback needs no reply: there is no one to send it to.")
    needs_approval = feedback.organisation.replies_need_approval
    reply = Reply(
        feedback=feedback, author=acting_user, outcome=outcome, text=text.strip(),
        reason=reason.strip() if outcome == Reply.Outcome.NOT_POSSIBLE else "",
        state=Reply.State.AWAITING_APPROVAL if needs_approval else Reply.State.PUBLISHED,
    )
    if outcome == Reply.Outcome.NOT_POSSIBLE and not reply.reason:
        raise ValidationError({"reason": "Explain why it is not possible"})
    reply.full_clean()
    reply.save()
    audit_record(actor=acting_user, verb="reply written", target=feedback,
                 summary=feedback.reference, data={"reply": reply.pk, "outcome": outcome,
                                                   "state": reply.state})
    if not needs_approval:
        _publish(reply, acting_user)
    return reply


def _publish(reply: Reply, actor) -> None:
    public_content_changed()  # public pages show this
    now = timezone.now()
    reply.state = Reply.State.PUBLISHED
    reply.published_at = now
    reply.save(update_fields=["state", "published_at", "updated_at"])
    feedback = reply.feedback
    Feedback.objects.filter(pk=feedback.pk).update(lock_version=F("lock_version") + 1)
    if feedback.responded_at is None:
        feedback.responded_at = now
        feedback.save(update_fields=["responded_at", "updated_at"])
    _move(feedback, Feedback.Status.RESPONDED, actor)
    if feedback.wants_contact and feedback.contact_email:
        _notify(feedback, Notification.Kind.REPLY, subject_id=reply.pk)


@transaction.atomic
def reply_decide(*, acting_user, reply: Reply, approve: bool) -> Reply:
    """An approver, never the author, approves (publishes) or returns a reply."""
    reply = Reply.objects.select_for_update().select_related("feedback").get(pk=reply.pk)
    if reply.state != Reply.State.AWAITING_APPROVAL:
        raise ValidationError("This reply has already been decided.")
    if reply.author_id == acting_user.pk:
        raise PermissionDenied("You cannot approve your own reply.")
    reply.decided_by = acting_user
    reply.decided_at = timezone.now()
    reply.save(update_fields=["decided_by", "decided_at", "updated_at"])
    audit_record(actor=acting_user, verb="reply approved" if approve else "reply returned",
                 target=reply.feedback, summary=reply.feedback.reference, data={"reply": reply.pk})
    if approve:
        _publish(reply, acting_user)
    else:
        reply.state = Reply.State.RETURNED
        reply.save(update_fields=["state", "updated_at"])
    return reply


@transaction.atomic
def quote_propose(*, acting_user, feedback: Feedback, redacted_text: str,
                  theme: Theme | None = None) -> Quote:
    """Propose a redacted quote. Only with the family's consent; the original
    words stay in the feedback and are never published."""
    if not feedback.consent_to_quote:
        raise ValidationError("The family did not agree to be quoted.")
    quote = Quote(feedback=feedback, redacted_text=redacted_text.strip(), theme=theme,
                  proposed_by=acting_user)
    quote.full_clean()
    quote.save()
    audit_record(actor=acting_user, verb="quote proposed", target=feedback,
                 summary=feedback.reference, data={"quote": quote.pk})
    return quote


@transaction.atomic
def quote_decide(*, acting_user, quote: Quote, approve: bool) -> Quote:
    """A second person approves or rejects a proposed quote."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status != Quote.Status.PROPOSED:
        raise ValidationError("This quote has already been decided.")
    if quote.proposed_by_id == acting_user.pk:
        raise PermissionDenied("Someone other than the person who proposed it must decide.")
    quote.status = Quote.Status.APPROVED if approve else Quote.Status.REJECTED
    quote.decided_by = acting_user
    quote.decided_at = timezone.now()
    quote.full_clean()
    quote.save()
    audit_record(actor=acting_user, verb=f"quote {quote.status}", target=quote.feedback,
                 summary=quote.feedback.reference, data={"quote": quote.pk})
    return quote


@transaction.atomic
def contact_details_erase(*, acting_user, feedback: Feedback) -> Feedback:
    """Delete a family's contact details (retention, or on request)."""
    feedback.contact_name = feedback.contact_email = feedback.contact_phone = ""
    feedback.wants_contact = False
    feedback.contact_details_erased_at = timezone.now()
    feedback.save(update_fields=["contact_name", "contact_email", "contact_phone",
                                 "wants_contact", "contact_details_erased_at", "updated_at"])
    Notification.objects.filter(feedback=feedback, state=Notification.State.PENDING,
                                recipient_user__isnull=True).update(
        state=Notification.State.CANCELLED)
    audit_record(actor=acting_user, verb="contact details erased", target=feedback,
                 summary=feedback.reference)
    return feedback


def retention_apply(*, now=None) -> RetentionRun:
    """The retention duty, run by beat. Idempotent; each run is recorded.

    1. Answered feedback nobody closed is closed FEEDBACK_AUTO_CLOSE_DAYS after
       its answer (on the timeline, by no person), so it cannot keep contact
       details for ever.
    2. Contact details are erased FEEDBACK_CONTACT_RETENTION_DAYS after closure
       (not after the last edit, which any triage change would push back).
    Each piece is handled in its own short transaction under a row lock.
    """
    now = now or timezone.now()
    run = RetentionRun.objects.create(started_at=now)
    close_before = now - timedelta(days=settings.FEEDBACK_AUTO_CLOSE_DAYS)
    for pk in (Feedback.objects.filter(status=Feedback.Status.RESPONDED,
                                       responded_at__lt=close_before)
               .values_list("pk", flat=True).iterator()):
        with transaction.atomic():
            feedback = Feedback.objects.select_for_update().get(pk=pk)
            if feedback.status == Feedback.Status.RESPONDED:
                _move(feedback, Feedback.Status.CLOSED, None, at=now)
                run.closed_count += 1
    erase_before = now - timedelta(days=settings.FEEDBACK_CONTACT_RETENTION_DAYS)
    for pk in (Feedback.objects.filter(status=Feedback.Status.CLOSED, closed_at__lt=erase_before,
                                       contact_details_erased_at__isnull=True)
               .exclude(contact_name="", contact_email="", contact_phone="")
               .values_list("pk", flat=True).iterator()):
        with transaction.atomic():
            feedback = Feedback.objects.select_for_update().get(pk=pk)
            if feedback.status == Feedback.Status.CLOSED and feedback.has_any_contact_details:
                contact_details_erase(acting_user=None, feedback=feedback)
                run.erased_count += 1
    run.finished_at = timezone.now()
    run.save(update_fields=["closed_count", "erased_count", "finished_at"])
    return run
