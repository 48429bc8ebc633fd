"""Every write to feedback. Views, tasks and the admin call these.

What a family typed and their contact details never go into audit data or
logs: those carry references, ids and states only.
"""

import secrets
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from core import jobs
from core.approvals import approvers_tell
from core.audit import Verb
from core.concurrency import lock_for_edit
from core.models import ApprovalNotice, Organisation, Role, ServiceArea, Theme
from core.roles import has_role
from core.services import audit_record
from core.working_days import add_working_days

from .models import (
    LOCAL_OFFER_SLUG,
    SEARCHED_FIELDS,
    TOKEN_FORGOTTEN,
    Feedback,
    InternalNote,
    LocalOfferCoding,
    Notification,
    ProgressMessage,
    Quote,
    ReferenceCounter,
    Reply,
    Reroute,
    RetentionRun,
    StatusChange,
    reference_format,
    text_search_vector,
    text_search_vector_of,
)
from .routing import route_for, untouched

OPEN_STATUSES = (Feedback.Status.RECEIVED, Feedback.Status.ACKNOWLEDGED, Feedback.Status.IN_REVIEW)

# Which status an officer may move feedback to by hand. "Responded" comes only
# from publishing a reply; "acknowledged" also when the acknowledgement is sent.
MANUAL_TRANSITIONS = {
    Feedback.Status.RECEIVED: {Feedback.Status.ACKNOWLEDGED, Feedback.Status.IN_REVIEW},
    Feedback.Status.ACKNOWLEDGED: {Feedback.Status.IN_REVIEW},
    Feedback.Status.IN_REVIEW: {Feedback.Status.ACKNOWLEDGED},
    Feedback.Status.RESPONDED: {Feedback.Status.CLOSED, Feedback.Status.IN_REVIEW},
    # Closed feedback is reopened only with a reason (feedback_reopen).
}


def manual_transitions(feedback: Feedback) -> set[str]:
    """The statuses staff may move this feedback to by hand. Feedback that
    needs no reply (a "Was this page useful?" comment) can be closed once read."""
    allowed = set(MANUAL_TRANSITIONS.get(feedback.status, set()))
    if not feedback.needs_reply and feedback.status in OPEN_STATUSES:
        allowed.add(Feedback.Status.CLOSED)
    return allowed


def allocate_references(year: int, count: int = 1) -> list[str]:
    """Give out `count` consecutive references for `year`.

    One statement creates the year's counter row or raises it, and returns
    the new last number (INSERT … ON CONFLICT … DO UPDATE … RETURNING, which
    Postgres and SQLite both know): two requests never share a number, as
    the statement locks the row while it raises it. The lock is then held
    until the transaction ends, so inside a caller's transaction every other
    submission of the year waits for that one to commit: take the numbers
    as late as possible. Outside a transaction (autocommit) the statement is
    its own transaction and the lock lasts only as long as the statement:
    see `take_reference`."""
    table = ReferenceCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, %s) "  # nosec B608 - our table's name
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + excluded.last "
            "RETURNING last", [year, count])
        last = cursor.fetchone()[0]
    first = last - count + 1
    return [reference_format(year, n) for n in range(first, first + count)]


def take_reference(year: int) -> str:
    """One reference for a new submission, taken without holding the year's
    counter row until the submission commits.

    Called outside any transaction (a public form's request), the number is
    taken and committed by one statement before the feedback's own
    transaction starts: submissions then wait for one another only for that
    statement, not for each other's inserts and commit. The price is that
    references may have gaps: a number is spent even if storing the
    feedback then fails (a database error, a worker killed between the two),
    and is never given out again. References identify feedback, they do not
    count it (the inbox and reports count rows), and each is still unique
    (the counter, and the column's unique constraint). Called inside a
    caller's transaction (a staff page, a report's "Was this page useful?",
    tests), the number is taken in it, with no gap, and the counter row
    stays locked until that transaction ends."""
    return allocate_references(year)[0]


def new_tracking_token() -> str:
    """A new private-link token (256 random bits). Give it to a feedback with
    `feedback.tracking_token = ...`, which stores only its digest."""
    return secrets.token_urlsafe(32)


def default_organisation() -> Organisation:
    slug = settings.FEEDBACK_DEFAULT_ORGANISATION
    if slug:
        return Organisation.objects.get(slug=slug)
    org = Organisation.objects.filter(kind=Organisation.Kind.LOCAL_AUTHORITY).order_by("id").first()
    if org is None:
        raise ValidationError("No organisation is set up to receive feedback yet.")
    return org


QUOTE_DECIDERS = (Role.OFFICER, Role.APPROVER)


def response_due(received_on: date, organisation: Organisation | None = None) -> date:
    """The answering organisation's response target (its own setting, or the
    environment's FEEDBACK_RESPONSE_WORKING_DAYS) in working days."""
    days = organisation.response_days if organisation else settings.FEEDBACK_RESPONSE_WORKING_DAYS
    return add_working_days(received_on, days)


def search_vector_refresh(feedback_ids) -> None:
    """Index what the families wrote for the inbox's text search. Called by
    every service that stores or changes that text (one UPDATE, in the
    caller's transaction). Postgres only: SQLite searches with icontains."""
    if connection.vendor == "postgresql":
        Feedback.objects.filter(pk__in=feedback_ids).update(search_vector=text_search_vector())


def _insert_indexed(feedback: Feedback) -> None:
    """Insert a new feedback, indexed for the inbox's search by the same
    INSERT: the vector `text_search_vector()` would give, computed by the
    database from the words being stored, so the new row is not written a
    second time by search_vector_refresh (Postgres only, like it)."""
    if connection.vendor == "postgresql":
        feedback.search_vector = text_search_vector_of(
            *(getattr(feedback, name) for name in SEARCHED_FIELDS))
    feedback.save(force_insert=True)
    # Then left unloaded on the instance, as a deferred field is: a later
    # save() of this instance leaves the stored vector alone (services that
    # change the words refresh it) instead of writing this one again.
    feedback.__dict__.pop("search_vector", None)


def search_vector_fill_missing() -> int:
    """Index every row stored without going through a service (the volume
    generator's bulk rows). Returns how many rows were indexed."""
    if connection.vendor != "postgresql":
        return 0
    return Feedback.objects.filter(search_vector__isnull=True).update(
        search_vector=text_search_vector())


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
    wants_progress: bool = False,
    follows_up: Feedback | None = None,
    organisation: Organisation | None = None,
    themes: Iterable[Theme] = (),
) -> Feedback:
    """Store a piece of feedback, then (after commit) acknowledge it.

    Called by the public forms (acting_user None), by staff logging feedback
    from other channels, and by reports' "Was this page useful?". Stored
    first: the feedback, its service areas, its first status, its audit
    event and (when the family gave an e-mail address) the pending
    acknowledgement are written in one transaction, so a broker outage loses
    nothing. `needs_reply=False` (comments from "Was this page useful?")
    means no deadline and no reply. `wants_progress` ("tell me when
    something changes") is kept only with contact details. `follows_up`:
    the feedback a "Did it make a difference?" comment answers (it goes to
    that one's `organisation`).

    The reference is taken just before that transaction (`take_reference`),
    so concurrent submissions do not queue behind each other's commit.

    Who answers it: `organisation` when staff chose one; otherwise the
    routing table's organisation for its service areas (and `themes`), with
    the route's officer assigned (they are e-mailed) and the other
    organisations concerned (other routed areas, the one the family named)
    able to read it; otherwise the organisation the family named, or the
    default organisation.
    """
    if not wants_contact:
        contact_name = contact_email = contact_phone = ""
    wants_progress = wants_progress and bool(contact_email.strip() or contact_phone.strip())
    today = timezone.localdate()
    received_on = received_on or today
    service_areas, themes = list(service_areas), list(themes)
    assignee_id, readers = None, set()
    routed = route_for(service_areas, themes)
    if organisation is not None:
        if routed is not None and routed.organisation_id == organisation.pk:
            assignee_id = routed.assignee_id
    elif routed is not None:
        organisation = routed.organisation
        assignee_id = routed.assignee_id
        readers = set(routed.also_organisation_ids)
        if about_organisation is not None:
            readers.add(about_organisation.pk)
        readers.discard(organisation.pk)
    else:
        organisation = about_organisation or default_organisation()
    what_went_well, even_better_if = what_went_well.strip(), even_better_if.strip()
    feedback = Feedback(
        tracking_token=new_tracking_token(),
        channel=channel,
        received_on=received_on,
        respondent=respondent,
        age_group=age_group,
        about_organisation=about_organisation,
        organisation=organisation,
        what_went_well=what_went_well,
        even_better_if=even_better_if,
        rating=rating,
        consent_to_quote=consent_to_quote,
        wants_contact=wants_contact,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip(),
        wants_progress=wants_progress,
        follows_up=follows_up,
        needs_reply=needs_reply,
        response_due_on=response_due(received_on, organisation) if needs_reply else None,
        logged_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        assigned_to_id=assignee_id,
        source_url=source_url,
        source_label=source_label[:300],
    )
    # The fields' own checks (lengths, choices, the rating's range, the
    # e-mail address), which need no query. Not checked here, as the
    # database enforces them on the insert: the foreign keys (objects just
    # read), the unique reference and digest (a counter, and 256 random
    # bits) and the table's check constraints (which the values above meet
    # by construction: contact details only when wanted, a deadline only
    # when a reply is needed). Checking those here cost a query each, a
    # dozen in all, for every submission.
    feedback.full_clean(exclude=["reference", "organisation", "about_organisation",
                                 "logged_by", "survey_import", "follows_up"],
                        validate_unique=False, validate_constraints=False)
    feedback.reference = take_reference(received_on.year)
    with transaction.atomic():
        _insert_indexed(feedback)
        # A new row has no service areas yet: added in one insert.
        feedback.service_areas.add(*service_areas)
        if themes:
            feedback.themes.add(*themes)
        if readers:
            feedback.shared_with.add(*readers)
        StatusChange.objects.create(feedback=feedback, to_status=Feedback.Status.RECEIVED,
                                    actor=feedback.logged_by)
        audit_record(actor=acting_user, verb=Verb.FEEDBACK_RECEIVED, target=feedback,
                     summary=feedback.reference, data={"channel": channel})
        if feedback.wants_contact and feedback.contact_email:
            # The e-mail carries the private link: its token waits on the owed
            # e-mail only (blanked when sent), as the feedback keeps the digest.
            _notify(feedback, Notification.Kind.ACKNOWLEDGEMENT,
                    tracking_token=feedback.tracking_token, new_feedback=True)
        if assignee_id is not None and assignee_id != getattr(acting_user, "pk", None):
            _notify(feedback, Notification.Kind.ASSIGNMENT, subject_id=assignee_id,
                    recipient_user_id=assignee_id, new_feedback=True)
    # `feedback.tracking_token` is still the plain token on this instance, for
    # the confirmation page; it is not stored.
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


def _notify(feedback: Feedback, kind: str, *, subject_id: int = 0, recipient_user=None,
            tracking_token: str = "", new_feedback: bool = False,
            recipient_user_id: int | None = None) -> None:
    """Owe an e-mail about `feedback`, sent after commit. Once per feedback,
    kind and subject: asked again, nothing more is owed. (Feedback stored in
    this same transaction is owed nothing yet: no need to look.)"""
    recipient_user_id = recipient_user_id or getattr(recipient_user, "pk", None)
    if new_feedback:
        notification, created = Notification.objects.create(
            feedback=feedback, kind=kind, subject_id=subject_id,
            recipient_user_id=recipient_user_id, tracking_token=tracking_token), True
    else:
        notification, created = Notification.objects.get_or_create(
            feedback=feedback, kind=kind, subject_id=subject_id,
            defaults={"recipient_user_id": recipient_user_id, "tracking_token": tracking_token},
        )
    if created:
        jobs.enqueue("notification", notification.pk, organisation_id=feedback.organisation_id)


def _move(feedback: Feedback, to_status: str, actor, *, at=None) -> None:
    if feedback.status == to_status:
        return
    StatusChange.objects.create(feedback=feedback, from_status=feedback.status,
                                to_status=to_status, actor=actor)
    audit_record(actor=actor, verb=Verb.FEEDBACK_STATUS_CHANGED, target=feedback,
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
def feedback_reopen(*, acting_user, feedback: Feedback, reason: str,
                    lock_version: int | None = None) -> Feedback:
    """Reopen closed feedback: back in the inbox as "in review", with a new
    reply deadline counted from today (the old one has passed), and the
    reason on its staff timeline. Only who handles it (the view checks
    `feedback.handle_feedback`); refused unless it is closed. Audited as
    `feedback.reopened` (the reason stays on the timeline, out of the audit
    log, as it may name people)."""
    feedback = _lock(feedback, lock_version)
    reason = reason.strip()
    if feedback.status != Feedback.Status.CLOSED:
        raise ValidationError("Only closed feedback can be reopened.")
    if not reason:
        raise ValidationError({"reason": "Enter why you are reopening this feedback"})
    StatusChange.objects.create(feedback=feedback, from_status=feedback.status,
                                to_status=Feedback.Status.IN_REVIEW, actor=acting_user,
                                reason=reason)
    changed = ["status", "closed_at"]
    feedback.status = Feedback.Status.IN_REVIEW
    feedback.closed_at = None  # retention starts again when it is closed again
    if feedback.needs_reply:
        feedback.response_due_on = response_due(timezone.localdate())
        changed.append("response_due_on")
    feedback.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=acting_user, verb=Verb.FEEDBACK_REOPENED, target=feedback,
                 summary=f"{feedback.reference}: closed → in_review",
                 data={"changed": changed})
    return feedback


@transaction.atomic
def feedback_export_record(*, acting_user, filters: list[str]) -> None:
    """Record that someone downloaded feedback (families' words, in bulk) and
    with which filters (their names only). The rows are chosen by the view
    from `selectors.feedback_visible_to`; nothing is written but the audit."""
    audit_record(actor=acting_user, verb=Verb.FEEDBACK_EXPORTED, target=acting_user,
                 summary="Feedback CSV",
                 data={"filters": sorted(filters)})


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
    audit_record(actor=acting_user, verb=Verb.FEEDBACK_ASSIGNED, target=feedback,
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
    """Tag feedback with themes and service areas, and choose which other
    organisations may read it. Sharing grants read access, so each
    organisation added or removed is audited on its own
    (Verb.FEEDBACK_SHARED / FEEDBACK_UNSHARED, with the organisation's id)."""
    feedback = _lock(feedback, lock_version)
    themes = list(themes)
    before = {t.pk for t in feedback.themes.all()}
    feedback.themes.set(themes)
    if service_areas is not None:
        feedback.service_areas.set(service_areas)
    if shared_with is not None:
        before = set(feedback.shared_with.values_list("pk", flat=True))
        wanted = {o.pk for o in shared_with if o.pk != feedback.organisation_id}
        feedback.shared_with.set(wanted)
        for verb, ids in ((Verb.FEEDBACK_SHARED, wanted - before),
                          (Verb.FEEDBACK_UNSHARED, before - wanted)):
            for organisation_id in sorted(ids):
                audit_record(actor=acting_user, verb=verb, target=feedback,
                             summary=feedback.reference,
                             data={"organisation": organisation_id})
    audit_record(actor=acting_user, verb=Verb.FEEDBACK_TAGGED, target=feedback,
                 summary=feedback.reference,
                 data={"themes": sorted(t.pk for t in feedback.themes.all())})
    added = [t for t in themes if t.pk not in before]
    if added:
        _route_after_tagging(acting_user=acting_user, feedback=feedback, themes=themes,
                             added={t.pk for t in added})
    return feedback


THEME_TAGGED = "Theme tagged"


def _route_after_tagging(*, acting_user, feedback: Feedback, themes: list[Theme],
                         added: set[int]) -> None:
    """A theme just tagged has its own route, to another organisation: the
    feedback goes there if no one has handled it yet (a Reroute by the rule,
    reason "Theme tagged: <theme>"); otherwise it stays, and the route is
    offered to its handlers on its page (route_suggested_to), audited.
    Closed feedback is left alone."""
    routed = route_for(feedback.service_areas.all(), themes)
    if (routed is None or routed.theme is None or routed.theme.pk not in added
            or routed.organisation_id == feedback.organisation_id
            or feedback.status == Feedback.Status.CLOSED):
        return
    because = f"{THEME_TAGGED}: {routed.theme.name}"[:300]
    if untouched(feedback):
        _send_on(acting_user=acting_user, feedback=feedback, organisation=routed.organisation,
                 reason=because, by_rule=True, routed=routed)
        return
    feedback.route_suggested_to, feedback.route_suggested_because = routed.organisation, because
    feedback.save(update_fields=["route_suggested_to", "route_suggested_because", "updated_at"])
    audit_record(actor=acting_user, verb=Verb.FEEDBACK_ROUTE_SUGGESTED, target=feedback,
                 summary=feedback.reference,
                 data={"to": routed.organisation_id, "theme": routed.theme.pk})


@transaction.atomic
def route_suggestion_keep(*, acting_user, feedback: Feedback,
                          lock_version: int | None = None) -> Feedback:
    """"Keep it here": the suggested route is declined; the feedback stays
    with its organisation. Audited (feedback.route_kept, ids only). Who may
    call: whoever handles it (the view checks)."""
    feedback = _lock(feedback, lock_version)
    if feedback.route_suggested_to_id is None:
        return feedback
    audit_record(actor=acting_user, verb=Verb.FEEDBACK_ROUTE_KEPT, target=feedback,
                 summary=feedback.reference, data={"suggested": feedback.route_suggested_to_id})
    feedback.route_suggested_to, feedback.route_suggested_because = None, ""
    feedback.save(update_fields=["route_suggested_to", "route_suggested_because", "updated_at"])
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
    audit_record(actor=acting_user, verb=Verb.FEEDBACK_NOTE_ADDED, target=feedback, summary=feedback.reference)
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
    audit_record(actor=acting_user, verb=Verb.REPLY_WRITTEN, target=feedback,
                 summary=feedback.reference, data={"reply": reply.pk, "outcome": outcome,
                                                   "state": reply.state})
    if needs_approval:
        approvers_tell(organisation_id=feedback.organisation_id, kind=ApprovalNotice.Kind.REPLY,
                       title=f"Reply to feedback {feedback.reference}",
                       path=reverse("staff:feedback:replies"),
                       exclude_user_ids=[acting_user.pk])
    else:
        _publish(reply, acting_user)
    return reply


def _publish(reply: Reply, actor) -> None:
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
    if reply.outcome == Reply.Outcome.DONE:
        from .progress import feedback_mark_we_did

        feedback_mark_we_did([feedback.pk], at=now)
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
    audit_record(actor=acting_user, verb=Verb.REPLY_APPROVED if approve else Verb.REPLY_RETURNED,
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
    audit_record(actor=acting_user, verb=Verb.QUOTE_PROPOSED, target=feedback,
                 summary=feedback.reference, data={"quote": quote.pk})
    # Anyone who may reply, except the proposer, decides (feedback/rules.py).
    approvers_tell(organisation_id=feedback.organisation_id, kind=ApprovalNotice.Kind.QUOTE,
                   title=f"Quote from feedback {feedback.reference}",
                   path=reverse("staff:feedback:quotes"), roles=QUOTE_DECIDERS,
                   exclude_user_ids=[acting_user.pk])
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
    audit_record(actor=acting_user, verb=Verb.QUOTE_APPROVED if approve else Verb.QUOTE_REJECTED, target=quote.feedback,
                 summary=quote.feedback.reference, data={"quote": quote.pk})
    return quote


@transaction.atomic
def contact_details_erase(*, acting_user, feedback: Feedback) -> Feedback:
    """Delete a family's contact details (retention, or on request)."""
    feedback.contact_name = feedback.contact_email = feedback.contact_phone = ""
    feedback.wants_contact = feedback.wants_progress = False
    feedback.contact_details_erased_at = timezone.now()
    feedback.save(update_fields=["contact_name", "contact_email", "contact_phone",
                                 "wants_contact", "wants_progress", "contact_details_erased_at",
                                 "updated_at"])
    Notification.objects.filter(feedback=feedback, state=Notification.State.PENDING,
                                recipient_user__isnull=True).update(
        state=Notification.State.CANCELLED, tracking_token=TOKEN_FORGOTTEN)
    ProgressMessage.objects.filter(feedback=feedback, state=ProgressMessage.State.PENDING).update(
        state=ProgressMessage.State.CANCELLED, updated_at=timezone.now())
    audit_record(actor=acting_user, verb=Verb.FEEDBACK_CONTACT_DETAILS_ERASED, target=feedback,
                 summary=feedback.reference)
    return feedback


# Later apps' parts of the retention run (participation/ registers its
# register's), so that feedback depends on none of them: each takes `now` and
# returns (asked to renew, erased).
retention_steps: list = []


def retention_apply(*, now=None) -> RetentionRun:
    """The retention duty, run by beat. Idempotent; each run is recorded.

    1. Answered feedback nobody closed is closed FEEDBACK_AUTO_CLOSE_DAYS after
       its answer (on the timeline, by no person), so it cannot keep contact
       details for ever.
    2. Contact details are erased FEEDBACK_CONTACT_RETENTION_DAYS after closure
       (not after the last edit, which any triage change would push back).
    3. Except where the family asked to hear about progress and the
       feedback is linked to actions: then they are kept while a linked
       action is open, and erased PROGRESS_CONTACT_RETENTION_DAYS after the
       last one ended (closed or not).
    4. The steps other apps register in `retention_steps`: participation
       register entries are asked to renew and, once lapsed, erased
       (participation.services.register_retention_apply).
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
    # Each answering organisation keeps contact details for its own number
    # of days (its setting, or FEEDBACK_CONTACT_RETENTION_DAYS).
    expired = Q(pk__in=[])
    for organisation in Organisation.objects.only("pk", "contact_retention_days"):
        expired |= Q(organisation_id=organisation.pk,
                     closed_at__lt=now - timedelta(days=organisation.retention_days))
    from .progress import action_states

    # Kept for progress: the answers of the action plan (one query).
    states = action_states(list(
        Feedback.objects.filter(wants_progress=True, contact_details_erased_at__isnull=True)
        .values_list("pk", flat=True)))
    progress_limit = now - timedelta(days=settings.PROGRESS_CONTACT_RETENTION_DAYS)
    progress_expired = [pk for pk, (is_open, ended) in states.items()
                        if not is_open and ended and ended < progress_limit]
    closed_expired = (Feedback.objects.filter(expired, status=Feedback.Status.CLOSED,
                                              contact_details_erased_at__isnull=True)
                      .exclude(contact_name="", contact_email="", contact_phone="")
                      .exclude(pk__in=list(states)).values_list("pk", flat=True))
    for pk in [*closed_expired.iterator(), *progress_expired]:
        with transaction.atomic():
            feedback = Feedback.objects.select_for_update().get(pk=pk)
            held_for_progress = feedback.wants_progress and pk in states
            if ((held_for_progress or feedback.status == Feedback.Status.CLOSED)
                    and feedback.has_any_contact_details):
                contact_details_erase(acting_user=None, feedback=feedback)
                run.erased_count += 1
    # 4. The participation register: renewal asked every 12 months, lapsed
    #    entries erased (registered by participation's AppConfig.ready).
    for step in retention_steps:
        asked, erased = step(now=now)
        run.register_asked_count += asked
        run.register_erased_count += erased
    run.finished_at = timezone.now()
    run.save(update_fields=["closed_count", "erased_count", "register_asked_count",
                            "register_erased_count", "finished_at"])
    return run


@transaction.atomic
def feedback_reroute(*, acting_user, feedback: Feedback, organisation: Organisation,
                     reason: str, lock_version: int | None = None) -> Feedback:
    """Send feedback to another organisation's inbox, saying why.

    The new organisation answers it (its officer, if its route for the
    feedback's area names one, is assigned; otherwise no one is); the
    deadline stays the family's. The organisation it leaves keeps read
    access (it is shared with it), so it can follow what happens. Recorded
    as a `Reroute` with the reason (staff only) and audited
    (feedback.rerouted, ids only). Who may call: whoever handles it (the
    view checks `feedback.handle_feedback`)."""
    feedback = _lock(feedback, lock_version)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why it should go to another organisation"})
    if organisation.pk == feedback.organisation_id:
        raise ValidationError({"organisation": "Choose an organisation other than the one that answers it now"})
    return _send_on(acting_user=acting_user, feedback=feedback, organisation=organisation,
                    reason=reason)


def _send_on(*, acting_user, feedback: Feedback, organisation: Organisation, reason: str,
             by_rule: bool = False, routed=None) -> Feedback:
    """Move locked `feedback` to `organisation`'s inbox (see feedback_reroute);
    `by_rule`: the routing table moved it, not a person's choice."""
    previous = feedback.organisation_id
    Reroute.objects.create(feedback=feedback, from_organisation_id=previous,
                           to_organisation=organisation, actor=acting_user, reason=reason,
                           by_rule=by_rule)
    routed = routed or route_for(feedback.service_areas.all(), feedback.themes.all())
    assignee_id = routed.assignee_id if routed and routed.organisation_id == organisation.pk else None
    feedback.organisation = organisation
    feedback.assigned_to_id = assignee_id
    feedback.route_suggested_to, feedback.route_suggested_because = None, ""
    feedback.save(update_fields=["organisation", "assigned_to", "route_suggested_to",
                                 "route_suggested_because", "updated_at"])
    feedback.shared_with.remove(organisation)
    feedback.shared_with.add(previous)
    audit_record(actor=acting_user, verb=Verb.FEEDBACK_REROUTED, target=feedback,
                 summary=feedback.reference,
                 data={"from": previous, "to": organisation.pk, "assignee": assignee_id,
                       "by_rule": by_rule})
    if assignee_id is not None and assignee_id != getattr(acting_user, "pk", None):
        _notify(feedback, Notification.Kind.ASSIGNMENT, subject_id=assignee_id,
                recipient_user_id=assignee_id)
    return feedback


def is_local_offer_comment(feedback: Feedback, coding: LocalOfferCoding | None = None) -> bool:
    """Whether feedback counts as a comment on the Local Offer: in the Local
    Offer service area, or marked by an officer as about it."""
    if coding is not None and coding.about_local_offer:
        return True
    return any(a.slug == LOCAL_OFFER_SLUG for a in feedback.service_areas.all())


@transaction.atomic
def local_offer_code(*, acting_user, feedback: Feedback, about_local_offer: bool,
                     code: str, left_out_reason: str) -> LocalOfferCoding:
    """Code a comment on the Local Offer with regulation 56's matter and
    decide whether it is published (a reason when it is left out). Only
    Local Offer feedback (its service area, or `about_local_offer`) can be
    coded. Who may: those who handle the feedback (checked by the view).
    Each decision is audited with who made it: coding (Verb.LOCAL_OFFER_CODED)
    and leaving out or putting back (LOCAL_OFFER_LEFT_OUT / PUT_BACK), with
    codes only, never the comment's words. Saving what is already there
    changes and records nothing."""
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    coding = LocalOfferCoding.objects.filter(feedback=feedback).first() \
        or LocalOfferCoding(feedback=feedback)
    before = (coding.about_local_offer, coding.code, coding.left_out_reason)
    coding.about_local_offer = about_local_offer
    coding.code = code
    coding.left_out_reason = left_out_reason
    if not is_local_offer_comment(feedback, coding) and (code or left_out_reason):
        raise ValidationError({"about_local_offer": "Mark it as about the Local Offer before "
                                                    "coding it"})
    if before == (coding.about_local_offer, coding.code, coding.left_out_reason) and coding.pk \
            and LocalOfferCoding.objects.filter(pk=coding.pk).exists():
        return coding
    coding.decided_by = acting_user
    coding.decided_at = timezone.now()
    coding.full_clean()
    coding.save()
    audit_record(actor=acting_user, verb=Verb.LOCAL_OFFER_CODED, target=feedback,
                 summary=feedback.reference,
                 data={"code": code, "about_local_offer": about_local_offer})
    if before[2] != left_out_reason:
        audit_record(actor=acting_user,
                     verb=Verb.LOCAL_OFFER_LEFT_OUT if left_out_reason
                     else Verb.LOCAL_OFFER_PUT_BACK,
                     target=feedback, summary=feedback.reference,
                     data={"reason": left_out_reason, "was": before[2]})
    return coding
