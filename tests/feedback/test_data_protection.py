"""Data protection duties: retention counted from closure, subject access and
erasure (UK GDPR articles 15 and 17)."""

import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from core.audit import Verb
from core.models import AuditEvent, Role
from feedback import services
from feedback.models import Feedback, Notification, Quote, Reply, RetentionRun
from feedback.subject import ERASED, subject_parse
from tests.core.factories import OrganisationFactory, staff_user
from tests.feedback.factories import FeedbackFactory

pytestmark = pytest.mark.django_db

CANARY = "Quillonby"  # a name that appears nowhere else
CANARY_EMAIL = "canary.parent@family.example"
CANARY_PHONE = "07700 900123"


@pytest.fixture
def council():
    return OrganisationFactory(name="Testshire County Council")


# --- Retention -------------------------------------------------------------------------


def test_contact_details_are_kept_for_the_retention_period_after_closure(council, settings):
    settings.FEEDBACK_CONTACT_RETENTION_DAYS = 90
    now = timezone.now()
    # Closed 91 days ago but edited yesterday (a theme added): counted from closure.
    long_closed = FeedbackFactory(organisation=council, status="closed", wants_contact=True,
                                  contact_email="jo@example.com",
                                  closed_at=now - timedelta(days=91))
    # Last edited long ago, but closed only last week: kept.
    just_closed = FeedbackFactory(organisation=council, status="closed", wants_contact=True,
                                  contact_email="sam@example.com",
                                  closed_at=now - timedelta(days=7))
    Feedback.objects.filter(pk=just_closed.pk).update(updated_at=now - timedelta(days=400))

    run = services.retention_apply(now=now)

    long_closed.refresh_from_db()
    just_closed.refresh_from_db()
    assert long_closed.contact_email == "" and long_closed.contact_details_erased_at
    assert just_closed.contact_email == "sam@example.com"
    assert (run.closed_count, run.erased_count) == (0, 1)
    assert run.finished_at is not None


def test_answered_feedback_nobody_closes_is_closed_then_its_contact_details_erased(
        council, settings):
    settings.FEEDBACK_AUTO_CLOSE_DAYS = 60
    settings.FEEDBACK_CONTACT_RETENTION_DAYS = 90
    answered_at = timezone.now() - timedelta(days=61)
    feedback = FeedbackFactory(organisation=council, status="responded", responded_at=answered_at,
                               wants_contact=True, contact_email="jo@example.com")
    recent = FeedbackFactory(organisation=council, status="responded",
                             responded_at=timezone.now() - timedelta(days=3),
                             wants_contact=True, contact_email="sam@example.com")

    first = services.retention_apply()
    feedback.refresh_from_db()
    assert feedback.status == "closed" and feedback.closed_at is not None
    assert feedback.status_changes.filter(to_status="closed", actor=None).count() == 1
    assert feedback.contact_email == "jo@example.com"  # the retention period starts now
    recent.refresh_from_db()
    assert recent.status == "responded"

    later = services.retention_apply(now=timezone.now() + timedelta(days=91))
    feedback.refresh_from_db()
    assert feedback.contact_email == "" and feedback.contact_details_erased_at
    assert (first.closed_count, first.erased_count) == (1, 0)
    # By then the recent one has been answered for 94 days: closed, not yet erased.
    assert (later.closed_count, later.erased_count) == (1, 1)
    assert RetentionRun.objects.count() == 2

    again = services.retention_apply(now=timezone.now() + timedelta(days=91))
    assert (again.closed_count, again.erased_count) == (0, 0)  # idempotent


def test_reopening_closed_feedback_restarts_the_retention_clock(council):
    officer = staff_user(Role.OFFICER, council)
    feedback = FeedbackFactory(organisation=council, status="responded")
    services.feedback_change_status(acting_user=officer, feedback=feedback, status="closed")
    feedback.refresh_from_db()
    assert feedback.closed_at is not None
    services.feedback_reopen(acting_user=officer, feedback=feedback, reason="Asked again")
    feedback.refresh_from_db()
    assert feedback.closed_at is None


# --- Finding a person ------------------------------------------------------------------


@pytest.mark.parametrize("typed, expected", [
    ("Canary.Parent@Family.example", ("email", "canary.parent@family.example")),
    ("07700 900123", ("phone", "07700900123")),
    ("+44 7700 900123", ("phone", "07700900123")),
    ("+44 (0)7700 900123", ("phone", "07700900123")),
])
def test_a_person_is_found_by_email_or_any_shape_of_phone_number(typed, expected):
    subject = subject_parse(typed)
    assert (subject.kind, subject.value) == expected


@pytest.mark.parametrize("typed", ["", "jo@", "not a number", "123", "0770\x00900123"])
def test_what_is_neither_an_email_nor_a_phone_number_is_refused(typed):
    with pytest.raises(ValidationError):
        subject_parse(typed)


@pytest.fixture
def canary_family(council, django_capture_on_commit_callbacks):
    """A family who gave feedback twice (once by e-mail, once by phone), was
    answered, quoted and written about; and another family who was not."""
    officer = staff_user(Role.OFFICER, council)
    approver = staff_user(Role.APPROVER, council)
    by_email = services.feedback_submit(
        even_better_if=f"{CANARY} needs a named caseworker.", wants_contact=True,
        contact_name=f"Sam {CANARY}", contact_email=CANARY_EMAIL, consent_to_quote=True,
        about_organisation=council)
    by_phone = services.feedback_submit(
        what_went_well=f"The {CANARY} family liked the short breaks.", wants_contact=True,
        contact_name=f"Sam {CANARY}", contact_phone="+44 7700 900 123",
        about_organisation=council)
    services.note_add(acting_user=officer, feedback=by_email, text=f"Called Mrs {CANARY}.")
    services.reply_create(acting_user=officer, feedback=by_email, outcome="done",
                          text=f"Dear {CANARY} family, your caseworker is Ali.")
    kept = services.quote_propose(acting_user=officer, feedback=by_email,
                                  redacted_text="[Name] needs a named caseworker.")
    services.quote_decide(acting_user=approver, quote=kept, approve=True)
    services.quote_propose(acting_user=officer, feedback=by_email,
                           redacted_text=f"{CANARY} needs a named caseworker.")
    other = services.feedback_submit(even_better_if="Shorter forms, please.", wants_contact=True,
                                     contact_email="someone.else@family.example",
                                     about_organisation=council)
    return {"by_email": by_email, "by_phone": by_phone, "other": other, "kept_quote": kept}


# --- Subject access --------------------------------------------------------------------


def test_subject_access_finds_everything_held_about_the_person(canary_family):
    out, err = io.StringIO(), io.StringIO()
    call_command("subject_access", CANARY_EMAIL.upper(), stdout=out, stderr=err)
    export = json.loads(out.getvalue())
    assert [f["reference"] for f in export["feedback"]] == [canary_family["by_email"].reference]
    record = export["feedback"][0]
    assert CANARY in record["what_you_told_us"]["even_better_if"]
    assert record["contact_details"]["email"] == CANARY_EMAIL
    assert CANARY in record["replies"][0]["text"]
    assert CANARY in record["staff_notes"][0]["text"]
    assert {q["status"] for q in record["quotes"]} == {"Approved", "Waiting for approval"}
    assert [e["kind"] for e in record["emails_to_you"]] == [
        "Reply to the family", "Acknowledgement to the family"]
    assert "someone.else" not in out.getvalue()

    out = io.StringIO()
    call_command("subject_access", CANARY_PHONE, stdout=out, stderr=io.StringIO())
    by_phone = json.loads(out.getvalue())
    assert [f["reference"] for f in by_phone["feedback"]] == [canary_family["by_phone"].reference]


def test_subject_access_is_audited_by_reference_never_by_address(canary_family):
    call_command("subject_access", CANARY_EMAIL, stdout=io.StringIO(), stderr=io.StringIO())
    events = AuditEvent.objects.filter(verb=Verb.SUBJECT_ACCESS_EXPORTED)
    assert [e.summary for e in events] == [canary_family["by_email"].reference]
    assert CANARY_EMAIL not in json.dumps([e.data for e in events])


def test_subject_access_refuses_what_is_not_an_address_or_number():
    with pytest.raises(CommandError, match="e-mail address or a phone number"):
        call_command("subject_access", "nobody", stdout=io.StringIO())


# --- Erasure ---------------------------------------------------------------------------


def _text_columns_holding(value: str) -> list[str]:
    """Every text, character and JSON column of every table in the database
    that holds `value` anywhere: the proof that nothing is left."""
    hits = []
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema()
              AND data_type IN ('text', 'character varying', 'jsonb', 'json')
        """)
        for table, column in cursor.fetchall():
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                [f"%{value}%"])
            if cursor.fetchone()[0]:
                hits.append(f"{table}.{column}")
    return hits


@pytest.mark.postgres
def test_erasure_leaves_no_trace_of_the_person_anywhere_in_the_database(canary_family):
    assert _text_columns_holding(CANARY)  # the scan does find it before erasure
    call_command("erase_subject", CANARY_EMAIL, "--no-input", stdout=io.StringIO())
    call_command("erase_subject", CANARY_PHONE, "--no-input", stdout=io.StringIO())

    assert _text_columns_holding(CANARY) == []
    assert _text_columns_holding(CANARY_EMAIL) == []
    assert _text_columns_holding("7700 900") == []
    assert _text_columns_holding("7700900") == []


def test_erasure_keeps_approved_quotes_and_anonymous_counts(canary_family):
    by_email = canary_family["by_email"]
    old_digest = by_email.tracking_digest
    call_command("erase_subject", CANARY_EMAIL, "--no-input", stdout=io.StringIO())

    by_email.refresh_from_db()
    assert Feedback.objects.count() == 3  # report counts do not change
    assert by_email.even_better_if == ERASED and by_email.contact_email == ""
    assert by_email.contact_details_erased_at and not by_email.wants_contact
    assert by_email.tracking_digest != old_digest  # the old private link stops working
    assert list(Quote.objects.filter(feedback=by_email)) == [canary_family["kept_quote"]]
    assert Reply.objects.get(feedback=by_email).text == ERASED
    assert not Notification.objects.filter(feedback=by_email, state="pending").exists()
    other = canary_family["other"]
    other.refresh_from_db()
    assert other.contact_email == "someone.else@family.example"  # nobody else touched
    assert AuditEvent.objects.filter(verb=Verb.SUBJECT_ERASED).count() == 1


def test_erasure_asks_before_it_erases(canary_family, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing was erased"):
        call_command("erase_subject", CANARY_EMAIL, stdout=io.StringIO())
    canary_family["by_email"].refresh_from_db()
    assert canary_family["by_email"].contact_email == CANARY_EMAIL
