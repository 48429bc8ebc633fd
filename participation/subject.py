"""Subject access and erasure for the participation register and "I'd like
to take part" (called from feedback/subject.py, the one mechanism for a
person's requests about their own data). A person is found by the e-mail
address or phone number they gave. The anonymous "who took part" answers
(AboutYou) hold nothing that finds a person, so they are neither found nor
erased."""

from core.audit import Verb
from core.services import audit_record
from feedback.subject import ERASED, Subject, phone_normalise

from .models import Interest, RegisterEntry


def _matches(subject: Subject, email: str, phone: str) -> bool:
    if subject.kind == "email":
        return email.strip().lower() == subject.value
    return bool(phone) and phone_normalise(phone) == subject.value


def _found(model, subject: Subject, organisations=None, org_field="organisation"):
    rows = model.objects.all()
    if subject.kind == "email":
        rows = rows.filter(email__iexact=subject.value)
    else:
        rows = rows.exclude(phone="")
    if organisations is not None:
        rows = rows.filter(**{f"{org_field}__in": organisations})
    return [r for r in rows.order_by("pk") if _matches(subject, r.email, r.phone)]


def register_entries_for(subject: Subject, organisations=None) -> list[RegisterEntry]:
    return _found(RegisterEntry, subject, organisations)


def interests_for(subject: Subject, organisations=None) -> list[Interest]:
    return _found(Interest, subject, organisations,
                  org_field="opportunity__organisation")


def participation_record(subject: Subject, *, acting_user, organisations=None) -> dict:
    entries = register_entries_for(subject, organisations)
    interests = interests_for(subject, organisations)
    for entry in entries:
        audit_record(actor=acting_user, verb=Verb.SUBJECT_ACCESS_EXPORTED, target=entry)
    for interest in interests:
        audit_record(actor=acting_user, verb=Verb.SUBJECT_ACCESS_EXPORTED, target=interest)
    return {
        "participation_register": [{
            "name": e.name, "email": e.email, "phone": e.phone,
            "postal_address": e.postal_address, "ways_to_contact_you": e.get_channels_display(),
            "topics": e.get_topics_display(), "kinds_of_activity": e.get_kinds_display(),
            "consent_wording": e.consent_wording, "consent_given_at": e.consented_at.isoformat(),
            "consent_renewed_at": e.renewed_at.isoformat(),
            "invitations": [{"opportunity": i.opportunity.title, "state": i.get_state_display(),
                             "answer": i.get_answer_display()}
                            for i in e.invitations.select_related("opportunity")],
        } for e in entries],
        "would_like_to_take_part": [{
            "opportunity": i.opportunity.title, "name": i.name, "email": i.email,
            "phone": i.phone, "what_would_help": i.needs, "at": i.created_at.isoformat(),
        } for i in interests],
    }


def participation_erase(subject: Subject, *, acting_user, organisations=None) -> int:
    """Delete the person's register entries (and invitations) and erase what
    they gave with "I'd like to take part". Returns how many rows changed.
    Runs inside subject_erase's transaction."""
    changed = 0
    for entry in register_entries_for(subject, organisations):
        audit_record(actor=acting_user, verb=Verb.SUBJECT_ERASED, target=entry)
        entry.delete()
        changed += 1
    for interest in interests_for(subject, organisations):
        Interest.objects.filter(pk=interest.pk).update(
            name=ERASED, email="", phone="", needs=ERASED if interest.needs else "")
        audit_record(actor=acting_user, verb=Verb.SUBJECT_ERASED, target=interest)
        changed += 1
    return changed


def participation_count(subject: Subject, organisations=None) -> int:
    return (len(register_entries_for(subject, organisations))
            + len(interests_for(subject, organisations)))
