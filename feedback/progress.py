"""Closing the loop: what happened as a result of a family's feedback, and
telling them when it changes.

- "What happened as a result" on the family's private page reads actions
  and reports, which live in apps above this one: they register a reader
  here in their `AppConfig.ready()` (`register_outcomes`), so imports still
  point one way.
- "Tell me when something changes": the services that change an action's
  public status or publish a report call `progress_news_record` with the
  feedback it answers. The news (public words only) waits on at most one
  pending `ProgressMessage` per family, due no sooner than
  PROGRESS_MESSAGE_GAP_HOURS after the last one, and sent by a job
  ("progress_message", core.jobs), so a broker outage delays it, never
  loses it. The job carries the message's id only.
- The links in a message are signed (django.core.signing) with a purpose of
  their own: the way back to the private page (it expires), the stop link
  (it does not) and the "Did it make a difference?" question. None is
  stored, and none is the private link's token, of which only the digest is
  kept: someone who reads the database can make none of them.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import jobs
from core.audit import Verb
from core.services import audit_record

from .models import DifferenceAnswer, Feedback, ProgressMessage, ProgressNews

logger = logging.getLogger(__name__)

# --- What happened as a result (filled in by actionplan and reports) ----------------

_outcome_readers: list[tuple[str, Callable[[int], list]]] = []


def register_outcomes(name: str, reader: Callable[[int], list]) -> None:
    """`reader(feedback_pk)` gives the public facts of one kind that answer
    the feedback (actions, report items), in one query. Called from a
    higher app's `ready()`; registering a name twice keeps one."""
    global _outcome_readers
    _outcome_readers = [(n, r) for n, r in _outcome_readers if n != name] + [(name, reader)]


def outcomes_for(feedback_pk: int) -> dict[str, list]:
    """Every registered kind of outcome for the feedback: one query each."""
    return {name: reader(feedback_pk) for name, reader in _outcome_readers}


# Whether feedback has a linked action still open, and when the last one
# ended: {feedback_pk: (any_open, last_ended_at)} for the retention run.
_action_state_readers: list[Callable[[list[int]], dict[int, tuple[bool, datetime | None]]]] = []


def register_action_states(reader) -> None:
    if reader not in _action_state_readers:
        _action_state_readers.append(reader)


def action_states(feedback_ids: list[int]) -> dict[int, tuple[bool, datetime | None]]:
    states: dict[int, tuple[bool, datetime | None]] = {}
    for reader in _action_state_readers:
        for pk, (is_open, ended) in reader(feedback_ids).items():
            was_open, was_ended = states.get(pk, (False, None))
            states[pk] = (was_open or is_open,
                          max((d for d in (was_ended, ended) if d), default=None))
    return states


# --- Links that carry no stored secret ------------------------------------------------

_WAY_BACK = "feedback.progress.way-back"
_STOP = "feedback.progress.stop"
_DIFFERENCE = "feedback.progress.difference"


def _max_age() -> timedelta:
    return timedelta(days=settings.PROGRESS_LINK_MAX_AGE_DAYS)


# The way back names the feedback and the first characters of its private
# link's digest: a new private link (subject erasure gives one, so the old
# one stops working) ends every way back made before it too. A piece of a
# digest tells nothing of the token.
_DIGEST_PART = 16


def way_back_token(feedback: Feedback) -> str:
    """A fresh link to the private page for one message: signed, dated, good
    for PROGRESS_LINK_MAX_AGE_DAYS, and good for nothing else."""
    return signing.TimestampSigner(salt=_WAY_BACK).sign(
        f"{feedback.pk}.{feedback.tracking_digest[:_DIGEST_PART]}")


def way_back_where(token: str) -> Q | None:
    """What the way back `token` opens (a condition on Feedback), or None
    when it is not ours, has expired or was changed."""
    if not token or len(token) > 120:
        return None
    try:
        value = signing.TimestampSigner(salt=_WAY_BACK).unsign(token, max_age=_max_age())
    except signing.BadSignature:  # includes SignatureExpired
        return None
    pk, _, part = value.partition(".")
    if not (pk.isascii() and pk.isdigit()) or len(part) != _DIGEST_PART:
        return None
    return Q(pk=int(pk), tracking_digest__startswith=part)


def stop_token(feedback_pk: int) -> str:
    """The stop link: it must work however old the message is."""
    return signing.Signer(salt=_STOP).sign(str(feedback_pk))


def difference_token(feedback_pk: int) -> str:
    return signing.TimestampSigner(salt=_DIFFERENCE).sign(str(feedback_pk))


def _unsigned(signer, token: str, **kwargs) -> int | None:
    if not token or len(token) > 100:
        return None
    try:
        value = signer.unsign(token, **kwargs)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return int(value) if value.isascii() and value.isdigit() else None


def feedback_pk_from_stop(token: str) -> int | None:
    return _unsigned(signing.Signer(salt=_STOP), token)


def feedback_pk_from_difference(token: str) -> int | None:
    return _unsigned(signing.TimestampSigner(salt=_DIFFERENCE), token, max_age=_max_age())


# --- Text messages (GOV.UK Notify, wired in by core.notify where installed) -----------


def text_messages_enabled() -> bool:
    """Whether families who gave only a phone number can be told by text.
    core.notify (GOV.UK Notify) says; without it, they cannot."""
    try:
        from core import notify  # type: ignore[attr-defined]
    except ImportError:
        return False
    return bool(notify.text_messages_enabled())


def send_text(phone_number: str, body: str, *, reference: str) -> None:
    from core import notify  # type: ignore[attr-defined]

    notify.send_text_message(phone_number, body, reference=reference)


# --- Recording what happened -----------------------------------------------------------


def feedback_mark_linked(feedback_ids: Iterable[int], *, at: datetime | None = None) -> int:
    """First linked to an action (for the loop figures); later links change nothing."""
    return Feedback.objects.filter(pk__in=list(feedback_ids), linked_at__isnull=True).update(
        linked_at=at or timezone.now())


def feedback_mark_we_did(feedback_ids: Iterable[int] | Q, *, at: datetime | None = None) -> int:
    """First published "we did" (a "Done" reply, a linked action completed,
    a published report item answering it): the loop figures count from the
    feedback to here, and "Did it make a difference?" is asked some weeks
    after. Later ones change nothing. One UPDATE."""
    where = feedback_ids if isinstance(feedback_ids, Q) else Q(pk__in=list(feedback_ids))
    return Feedback.objects.filter(where, we_did_at__isnull=True).update(
        we_did_at=at or timezone.now())


def _wanting(feedback_ids: Iterable[int] | Q) -> list[int]:
    where = feedback_ids if isinstance(feedback_ids, Q) else Q(pk__in=list(feedback_ids))
    return list(Feedback.objects.filter(where, wants_progress=True,
                                        contact_details_erased_at__isnull=True)
                .values_list("pk", flat=True).distinct().order_by("pk"))


def _gap() -> timedelta:
    return timedelta(hours=settings.PROGRESS_MESSAGE_GAP_HOURS)


def _next_due(feedback_ids: list[int], now: datetime) -> dict[int, datetime]:
    """When each family's next message may go: now, or a gap after the last
    one sent, being sent or waiting (a "Did it make a difference?" question
    waiting while progress news comes: the two are a day apart too). One
    query."""
    last = dict(ProgressMessage.objects.filter(
        feedback_id__in=feedback_ids,
        state__in=[ProgressMessage.State.SENDING, ProgressMessage.State.SENT,
                   ProgressMessage.State.PENDING])
        .values("feedback_id").annotate(last=Max(Coalesce("sent_at", "due_at")))
        .values_list("feedback_id", "last"))
    return {pk: max(now, last[pk] + _gap()) if pk in last else now for pk in feedback_ids}


def _owe(feedback_ids: list[int], kind: str, now: datetime) -> dict[int, int]:
    """The pending message of `kind` for each family, created (and its job
    enqueued, due when the gap allows) where there is none. In the caller's
    transaction; the pending rows are locked so that news is never added to
    a message that is being sent."""
    pending = dict(ProgressMessage.objects.select_for_update()
                   .filter(feedback_id__in=feedback_ids, kind=kind,
                           state=ProgressMessage.State.PENDING)
                   .values_list("feedback_id", "pk"))
    missing = [pk for pk in feedback_ids if pk not in pending]
    if missing:
        due = _next_due(missing, now)
        organisations = dict(Feedback.objects.filter(pk__in=missing)
                             .values_list("pk", "organisation_id"))
        for pk in missing:
            message = ProgressMessage.objects.create(feedback_id=pk, kind=kind, due_at=due[pk])
            jobs.enqueue("progress_message", message.pk, organisation_id=organisations.get(pk),
                         run_after=due[pk])
            pending[pk] = message.pk
    return pending


def progress_news_record(*, feedback_ids: Iterable[int] | Q, kind: str, subject_id: int,
                         text: str, now: datetime | None = None) -> int:
    """Owe each family who asked to hear about progress (of the feedback
    given, by ids or a condition) news of a change, in the caller's
    transaction: gathered into their pending message, or a new one due when
    the daily gap allows. `text` is public words only (an action's public
    title and status, a report's title). Returns how many families are owed."""
    now = now or timezone.now()
    wanting = _wanting(feedback_ids)
    if not wanting:
        return 0
    messages = _owe(wanting, ProgressMessage.Kind.PROGRESS, now)
    ProgressNews.objects.bulk_create(
        ProgressNews(feedback_id=pk, kind=kind, subject_id=subject_id, text=text[:500],
                     message_id=messages[pk]) for pk in wanting)
    return len(wanting)


@transaction.atomic
def progress_stop(*, feedback_pk: int) -> Feedback | None:
    """The stop link: no more messages about this feedback (the family,
    signed in nowhere). Idempotent; audited with the reference only."""
    feedback = Feedback.objects.select_for_update().filter(pk=feedback_pk).first()
    if feedback is None:
        return None
    if feedback.wants_progress:
        feedback.wants_progress = False
        feedback.save(update_fields=["wants_progress", "updated_at"])
        audit_record(actor=None, verb=Verb.FEEDBACK_PROGRESS_STOPPED, target=feedback,
                     summary=feedback.reference)
    ProgressMessage.objects.filter(
        feedback=feedback, state=ProgressMessage.State.PENDING).update(
        state=ProgressMessage.State.CANCELLED, updated_at=timezone.now())
    return feedback


def difference_ask_due(*, now: datetime | None = None) -> int:
    """Beat: owe "Did it make a difference?" to each family who asked to
    hear, PROGRESS_DIFFERENCE_WEEKS after their feedback's first "we did".
    Once per feedback (a unique constraint); returns how many were owed."""
    now = now or timezone.now()
    before = now - timedelta(weeks=settings.PROGRESS_DIFFERENCE_WEEKS)
    asked = ProgressMessage.objects.filter(kind=ProgressMessage.Kind.DIFFERENCE)
    owed = 0
    ids = list(Feedback.objects.filter(we_did_at__lte=before, wants_progress=True,
                                       contact_details_erased_at__isnull=True,
                                       difference_answer__isnull=True)
               .exclude(pk__in=asked.values("feedback_id")).values_list("pk", flat=True)[:1000])
    for pk in ids:
        with transaction.atomic():
            Feedback.objects.select_for_update().filter(pk=pk).first()
            if not asked.filter(feedback_id=pk).exists():
                _owe([pk], ProgressMessage.Kind.DIFFERENCE, now)
                owed += 1
    return owed


@transaction.atomic
def difference_answer_record(*, feedback_pk: int, answer: str,
                             comment: str = "") -> DifferenceAnswer | None:
    """A family's answer, once (a second answer changes nothing and returns
    None). A comment comes back into the inbox as new feedback linked to
    the first (for "no" and "partly" that is the point; for "yes" it is
    still read). Audited with the reference and the answer only."""
    from .services import feedback_submit

    original = Feedback.objects.select_for_update().filter(pk=feedback_pk).first()
    if original is None or DifferenceAnswer.objects.filter(feedback=original).exists():
        return None
    comment = comment.strip()
    follow_up = None
    if comment:
        follow_up = feedback_submit(
            channel=Feedback.Channel.DIFFERENCE, even_better_if=comment,
            respondent=original.respondent, age_group=original.age_group,
            about_organisation=original.about_organisation, follows_up=original,
            organisation=original.organisation,
            service_areas=list(original.service_areas.all()))
    result = DifferenceAnswer.objects.create(feedback=original, answer=answer,
                                             follow_up=follow_up)
    audit_record(actor=None, verb=Verb.FEEDBACK_DIFFERENCE_ANSWERED, target=original,
                 summary=original.reference,
                 data={"answer": answer, "follow_up": follow_up.pk if follow_up else None})
    return result
