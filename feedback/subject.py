"""Requests from one person about their own data (UK GDPR articles 15 and 17).

A family is known to the portal only through the contact details they chose to
give with their feedback, so a person is found by an e-mail address or a phone
number. Everything held about them hangs off those `Feedback` rows: what they
wrote, the timeline, replies to them, staff notes about them, quotes taken from
their words and the e-mails sent to them.

Neither the address nor the phone number is ever written to the audit trail or
logs: events carry the feedback references only.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from core.audit import Verb
from core.services import audit_record

from .models import (
    TOKEN_FORGOTTEN,
    Feedback,
    FeedbackEmbedding,
    InternalNote,
    Notification,
    ProgressMessage,
    Quote,
    Reply,
)
from .services import new_tracking_token, search_vector_refresh

ERASED = "[Erased at the person's request]"


@dataclass(frozen=True)
class SubjectSource:
    """What another app holds about a person found by the same contact
    details (the participation register), registered from that app's
    AppConfig.ready so that feedback depends on no app after it. Each takes
    (subject, organisations) and: `record` (with acting_user) gives its part
    of the export, as {heading: data}; `erase` (with acting_user) erases it
    inside subject_erase's transaction and says how many rows changed;
    `count` says how many rows it holds."""

    record: Callable[..., dict]
    erase: Callable[..., int]
    count: Callable[..., int]


subject_sources: list[SubjectSource] = []


def other_records_count(subject: "Subject", organisations=None) -> int:
    return sum(source.count(subject, organisations) for source in subject_sources)


@dataclass(frozen=True)
class Subject:
    """Who a request is about: an e-mail address or a phone number."""

    kind: str  # "email" or "phone"
    value: str

    def matches(self, feedback: Feedback) -> bool:
        if self.kind == "email":
            return feedback.contact_email.strip().lower() == self.value
        return bool(feedback.contact_phone) and phone_normalise(feedback.contact_phone) == self.value


def phone_normalise(value: str) -> str:
    """Digits only, UK international prefix folded: "+44 (0)7700 900123",
    "07700 900123" and "447700900123" are one number."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("440"):
        digits = digits[2:]
    elif digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits


def subject_parse(value: str) -> Subject:
    """Read what an officer typed: an e-mail address or a phone number."""
    value = (value or "").strip()
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError("Enter an e-mail address in the correct format, "
                                  "like name@example.com") from None
        return Subject("email", value.lower())
    digits = phone_normalise(value)
    if re.fullmatch(r"[\d\s()+.-]+", value) and 10 <= len(digits) <= 15:
        return Subject("phone", digits)
    raise ValidationError("Enter an e-mail address or a phone number, "
                          "like name@example.com or 07700 900 123")


def subject_feedback(subject: Subject, *, organisations=None) -> list[Feedback]:
    """Every piece of feedback that carries the person's contact details
    (answered by one of `organisations`, when given: each partner is the
    controller of its own feedback)."""
    if subject.kind == "email":
        found = Feedback.objects.filter(contact_email__iexact=subject.value)
    else:
        # Phone numbers are typed in many shapes, so they are compared after
        # normalising. Only feedback still holding a number can match, which
        # retention keeps small.
        found = Feedback.objects.exclude(contact_phone="")
    if organisations is not None:
        found = found.filter(organisation__in=organisations)
    found = found.select_related("organisation").prefetch_related(
        "service_areas", "themes", "status_changes", "replies", "notes", "quotes", "notifications",
        "progress_messages")
    return [f for f in found.order_by("received_on", "pk") if subject.matches(f)]


def _feedback_record(feedback: Feedback) -> dict:
    return {
        "reference": feedback.reference,
        "received_on": feedback.received_on.isoformat(),
        "channel": feedback.get_channel_display(),
        "status": feedback.get_status_display(),
        "organisation": feedback.organisation.name,
        "about_you": {
            "who_gave_it": feedback.get_respondent_display(),
            "age_group": feedback.get_age_group_display(),
        },
        "what_you_told_us": {
            "what_went_well": feedback.what_went_well,
            "even_better_if": feedback.even_better_if,
            "rating": feedback.rating,
            "agreed_to_be_quoted": feedback.consent_to_quote,
        },
        "service_areas": [s.name for s in feedback.service_areas.all()],
        "themes": [t.name for t in feedback.themes.all()],
        "contact_details": {
            "name": feedback.contact_name,
            "email": feedback.contact_email,
            "phone": feedback.contact_phone,
        },
        "timeline": [
            {"at": c.at.isoformat(), "status": c.get_to_status_display()}
            for c in feedback.status_changes.all()
        ],
        "replies": [
            {"written_at": r.created_at.isoformat(),
             "sent_at": r.published_at.isoformat() if r.published_at else None,
             "state": r.get_state_display(), "outcome": r.get_outcome_display(),
             "text": r.text, "reason": r.reason}
            for r in feedback.replies.all()
        ],
        "staff_notes": [
            {"written_at": n.created_at.isoformat(), "text": n.text} for n in feedback.notes.all()
        ],
        "quotes": [
            {"text": q.redacted_text, "status": q.get_status_display()}
            for q in feedback.quotes.all()
        ],
        "emails_to_you": [
            {"kind": n.get_kind_display(), "state": n.get_state_display(),
             "sent_at": n.sent_at.isoformat() if n.sent_at else None}
            for n in feedback.notifications.all() if n.recipient_user_id is None
        ],
        "progress_messages": {
            "asked_to_hear_about_progress": feedback.wants_progress,
            "messages": [
                {"kind": m.get_kind_display(), "state": m.get_state_display(),
                 "sent_at": m.sent_at.isoformat() if m.sent_at else None, "told": m.told}
                for m in feedback.progress_messages.all()
            ],
        },
    }


def subject_access_export(*, acting_user, subject: Subject, organisations=None) -> dict:
    """Everything held about the person, as plain data (JSON-ready).

    Audited per piece of feedback found (by reference, never by the address)."""
    found = subject_feedback(subject, organisations=organisations)
    for feedback in found:
        audit_record(actor=acting_user, verb=Verb.SUBJECT_ACCESS_EXPORTED, target=feedback,
                     summary=feedback.reference)
    return {
        "controller": settings.ORGANISATION_NAME,
        "service": settings.SERVICE_NAME,
        "generated_at": timezone.now().isoformat(),
        "searched_for": {"email": "an e-mail address", "phone": "a phone number"}[subject.kind],
        "feedback": [_feedback_record(f) for f in found],
        # Other apps' parts (the participation register: participation/subject.py).
        **{key: value for source in subject_sources
           for key, value in source.record(subject, acting_user=acting_user,
                                           organisations=organisations).items()},
    }


@transaction.atomic
def subject_erase(*, acting_user, subject: Subject, organisations=None) -> list[str]:
    """Remove or anonymise everything held about the person. Returns the
    references of the feedback that was changed.

    The feedback rows stay (anonymous counts in published reports must not
    change), but what the person wrote, the contact details, staff notes and
    replies addressed to them are replaced, quotes not yet published are
    deleted, owed e-mails are cancelled and the private tracking link stops
    working. Approved quotes stay: they were redacted and approved for
    publication and may already be in a published report.
    """
    references = []
    for found in subject_feedback(subject, organisations=organisations):
        feedback = Feedback.objects.select_for_update().get(pk=found.pk)
        if not subject.matches(feedback):
            continue
        feedback.what_went_well = ERASED if feedback.what_went_well else ""
        feedback.even_better_if = ERASED if feedback.even_better_if else ""
        feedback.contact_name = feedback.contact_email = feedback.contact_phone = ""
        feedback.wants_contact = feedback.wants_progress = False
        feedback.consent_to_quote = False
        feedback.contact_details_erased_at = timezone.now()
        feedback.tracking_token = new_tracking_token()  # stores a new digest: the old link stops working
        feedback.save()
        search_vector_refresh([feedback.pk])  # the erased words must not be found either
        FeedbackEmbedding.objects.filter(feedback=feedback).delete()  # nor their vector
        InternalNote.objects.filter(feedback=feedback).update(text=ERASED)
        Reply.objects.filter(feedback=feedback).exclude(reason="").update(reason=ERASED)
        Reply.objects.filter(feedback=feedback).update(text=ERASED)
        Quote.objects.filter(feedback=feedback).exclude(status=Quote.Status.APPROVED).delete()
        Notification.objects.filter(feedback=feedback, state=Notification.State.PENDING).update(
            state=Notification.State.CANCELLED, tracking_token=TOKEN_FORGOTTEN)
        Notification.objects.filter(feedback=feedback).update(last_error="")
        ProgressMessage.objects.filter(feedback=feedback,
                                       state=ProgressMessage.State.PENDING).update(
            state=ProgressMessage.State.CANCELLED)
        audit_record(actor=acting_user, verb=Verb.SUBJECT_ERASED, target=feedback,
                     summary=feedback.reference)
        references.append(feedback.reference)
    changed = sum(source.erase(subject, acting_user=acting_user, organisations=organisations)
                  for source in subject_sources)
    if changed:
        references.append(f"{changed} participation record{'s' if changed != 1 else ''}")
    return references
