import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from core import jobs
from core.models import AuditEvent, Job, Role
from feedback import services
from feedback.models import Feedback, Notification, Quote, Reply, StatusChange
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, staff_user
from tests.feedback.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return OrganisationFactory(name="Testshire County Council")


def submit(**kwargs):
    defaults = {"even_better_if": "Tell us who our caseworker is.", "respondent": "parent_carer"}
    return services.feedback_submit(**{**defaults, **kwargs})


def test_submission_gets_a_reference_a_secret_link_and_a_due_date(council):
    first = submit(received_on=date(2026, 12, 14))
    second = submit(received_on=date(2026, 12, 14))
    assert first.reference == "FB-2026-00001" and second.reference == "FB-2026-00002"
    assert len(first.tracking_token) >= 40 and first.reference not in first.tracking_token
    assert first.tracking_token != second.tracking_token
    assert first.response_due_on == date(2027, 1, 14)  # 20 working days over Christmas
    assert first.organisation == council  # nobody chosen: the local authority answers
    assert list(first.status_changes.values_list("to_status", flat=True)) == ["received"]


def test_contact_details_are_dropped_unless_the_family_wants_contact(council):
    feedback = submit(wants_contact=False, contact_name="Jo Bloggs", contact_email="jo@example.com")
    feedback.refresh_from_db()
    assert (feedback.contact_name, feedback.contact_email) == ("", "")
    assert not feedback.notifications.exists()


def test_the_database_refuses_contact_details_without_consent(council):
    feedback = FeedbackFactory(organisation=council)
    with pytest.raises(IntegrityError):
        Feedback.objects.filter(pk=feedback.pk).update(contact_email="jo@example.com")


def test_acknowledgement_is_sent_once_after_commit_and_moves_the_status(
        council, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        feedback = submit(wants_contact=True, contact_name="Jo", contact_email="jo@example.com")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jo@example.com"]
    assert feedback.reference in message.subject
    assert f"/feedback/track/{feedback.tracking_token}/" in message.body
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.ACKNOWLEDGED
    notification = feedback.notifications.get()
    assert notification.state == Notification.State.SENT and notification.attempts == 1
    assert Job.objects.get(kind="notification", subject_id=notification.pk).state == "done"
    # The beat job finds nothing pending and sends nothing more.
    assert jobs.dispatch() == 0
    assert len(mail.outbox) == 1


def test_audit_events_never_hold_what_the_family_wrote(council):
    feedback = submit(wants_contact=True, contact_name="Jo Bloggs", contact_email="jo@example.com",
                      even_better_if="My son Oliver at Hillview School")
    for event in AuditEvent.objects.filter(target_id=str(feedback.pk)):
        text = f"{event.summary} {event.data}"
        assert "Oliver" not in text and "jo@example.com" not in text and "Bloggs" not in text


def test_reply_not_possible_needs_a_reason(council):
    officer = staff_user(Role.OFFICER, council)
    feedback = FeedbackFactory(organisation=council)
    with pytest.raises(ValidationError):
        services.reply_create(acting_user=officer, feedback=feedback, outcome="not_possible",
                              text="Sorry.", reason="  ")
    assert not Reply.objects.exists()


def test_reply_publishes_and_tells_the_family(council, django_capture_on_commit_callbacks):
    officer = staff_user(Role.OFFICER, council)
    feedback = FeedbackFactory(organisation=council, wants_contact=True,
                               contact_email="family@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_create(acting_user=officer, feedback=feedback, outcome="done",
                                      text="We now phone every family.")
    feedback.refresh_from_db()
    assert reply.state == Reply.State.PUBLISHED and reply.published_at
    assert feedback.status == Feedback.Status.RESPONDED and feedback.responded_at
    assert [m.to for m in mail.outbox] == [["family@example.com"]]
    assert "We now phone every family." in mail.outbox[0].body


def test_replies_wait_for_an_approver_who_is_not_the_author(council):
    council.replies_need_approval = True
    council.save()
    officer = staff_user(Role.APPROVER, council)
    other_approver = staff_user(Role.APPROVER, council)
    feedback = FeedbackFactory(organisation=council)
    reply = services.reply_create(acting_user=officer, feedback=feedback, outcome="in_progress",
                                  text="We are recruiting.")
    assert reply.state == Reply.State.AWAITING_APPROVAL
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.RECEIVED
    with pytest.raises(PermissionDenied):
        services.reply_decide(acting_user=officer, reply=reply, approve=True)
    services.reply_decide(acting_user=other_approver, reply=reply, approve=True)
    reply.refresh_from_db()
    feedback.refresh_from_db()
    assert reply.state == Reply.State.PUBLISHED and reply.decided_by == other_approver
    assert feedback.status == Feedback.Status.RESPONDED


def test_quotes_need_consent_and_a_second_person(council):
    officer = staff_user(Role.OFFICER, council)
    colleague = staff_user(Role.OFFICER, council)
    no_consent = FeedbackFactory(organisation=council, consent_to_quote=False)
    with pytest.raises(ValidationError):
        services.quote_propose(acting_user=officer, feedback=no_consent, redacted_text="x")
    feedback = FeedbackFactory(organisation=council)
    quote = services.quote_propose(acting_user=officer, feedback=feedback,
                                   redacted_text="Replies within a week would help.")
    with pytest.raises(PermissionDenied):
        services.quote_decide(acting_user=officer, quote=quote, approve=True)
    services.quote_decide(acting_user=colleague, quote=quote, approve=True)
    assert Quote.objects.get().status == Quote.Status.APPROVED


def test_the_database_refuses_a_quote_approved_by_its_proposer(council):
    officer = staff_user(Role.OFFICER, council)
    feedback = FeedbackFactory(organisation=council)
    quote = services.quote_propose(acting_user=officer, feedback=feedback, redacted_text="x")
    with pytest.raises(IntegrityError):
        Quote.objects.filter(pk=quote.pk).update(status="approved", decided_by=officer)


def test_status_moves_are_limited_and_recorded(council):
    officer = staff_user(Role.OFFICER, council)
    feedback = FeedbackFactory(organisation=council)
    with pytest.raises(ValidationError):
        services.feedback_change_status(acting_user=officer, feedback=feedback, status="closed")
    services.feedback_change_status(acting_user=officer, feedback=feedback, status="in_review")
    change = StatusChange.objects.get(feedback=feedback)
    assert (change.from_status, change.to_status, change.actor) == ("received", "in_review", officer)


def test_assignment_tells_the_officer_and_only_officers_of_the_organisation(
        council, django_capture_on_commit_callbacks):
    approver = staff_user(Role.APPROVER, council)
    officer = staff_user(Role.OFFICER, council)
    outsider = staff_user(Role.OFFICER)
    feedback = FeedbackFactory(organisation=council)
    with pytest.raises(ValidationError):
        services.feedback_assign(acting_user=approver, feedback=feedback, assignee=outsider)
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_assign(acting_user=approver, feedback=feedback, assignee=officer)
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert feedback.reference in mail.outbox[0].subject
    assert feedback.even_better_if not in mail.outbox[0].body  # no family words in e-mails to staff


def test_retention_erases_contact_details_of_long_closed_feedback(council, settings):
    settings.FEEDBACK_CONTACT_RETENTION_DAYS = 90
    old = FeedbackFactory(organisation=council, status="closed", wants_contact=True,
                          contact_name="Jo", contact_email="jo@example.com")
    recent = FeedbackFactory(organisation=council, status="closed", wants_contact=True,
                             contact_email="sam@example.com")
    Feedback.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=91))
    Feedback.objects.filter(pk=recent.pk).update(closed_at=timezone.now())
    assert services.retention_apply().erased_count == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.contact_email == "" and old.contact_details_erased_at is not None
    assert recent.contact_email == "sam@example.com"
    assert services.retention_apply().erased_count == 0  # idempotent


def _owe_acknowledgement(council):
    feedback = FeedbackFactory(organisation=council, wants_contact=True,
                               contact_email="jo@example.com")
    notification = Notification.objects.create(feedback=feedback, kind="acknowledgement")
    job = jobs.enqueue("notification", notification.pk, organisation_id=council.pk)
    return notification, job


def _due_now(job):
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())


def test_a_failing_mail_server_is_retried_then_shown_as_failed(council, settings):
    settings.EMAIL_BACKEND = "tests.feedback.broken_mail.BrokenBackend"
    notification, job = _owe_acknowledgement(council)
    from feedback.tasks import MAX_ATTEMPTS

    for _ in range(MAX_ATTEMPTS):
        _due_now(job)
        jobs.execute(job.pk, retry=False)
    notification.refresh_from_db()
    assert notification.state == Notification.State.FAILED
    assert notification.attempts == MAX_ATTEMPTS
    assert notification.last_error == "ConnectionRefusedError"
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("failed", MAX_ATTEMPTS)
    assert job.last_error.startswith("ConnectionRefusedError")
    _due_now(job)
    assert jobs.execute(job.pk) is None  # failed for good: nothing more is tried


def test_beat_waits_for_the_back_off_before_trying_a_failed_email_again(council, settings):
    """A relay down for a few minutes must not use up every try: beat takes
    up a failed notification only once its back-off has run out."""
    from feedback.tasks import MAX_ATTEMPTS

    settings.EMAIL_BACKEND = "tests.feedback.broken_mail.BrokenBackend"
    notification, job = _owe_acknowledgement(council)
    assert jobs.execute(job.pk, retry=False) == "pending"
    assert jobs.execute(job.pk, retry=False) is None  # not due yet
    job.refresh_from_db()
    spec = jobs.kind("notification")
    # Celery's own back-off, doubling, capped: five tries span about half an hour.
    assert spec.delay_after(1) == settings.NOTIFICATION_RETRY_BASE_SECONDS * 2
    assert sum(spec.delay_after(n) for n in range(1, MAX_ATTEMPTS)) >= 1800
    assert abs((job.run_after - timezone.now()).total_seconds() - spec.delay_after(1)) < 5
    assert jobs.dispatch() == 0
    _due_now(job)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert jobs.dispatch() == 1  # sent (in-process here)
    assert jobs.dispatch() == 0
    notification.refresh_from_db()
    assert notification.state == "sent" and len(mail.outbox) == 1


class _AcceptsNothing:
    """A transport that hands nothing over and says so (answers 0)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        return 0


def test_a_notification_is_sent_only_when_the_transport_accepted_it(council, settings):
    settings.EMAIL_BACKEND = "tests.feedback.test_services._AcceptsNothing"
    notification, job = _owe_acknowledgement(council)
    jobs.execute(job.pk, retry=False)
    notification.refresh_from_db()
    assert notification.state == Notification.State.PENDING
    assert notification.attempts == 1 and notification.last_error == "NotAccepted"


def test_survey_references_come_in_one_block(council):
    from django.db import transaction

    with transaction.atomic():
        refs = services.allocate_references(2027, 3)
    assert refs == ["FB-2027-00001", "FB-2027-00002", "FB-2027-00003"]
    assert all(re.fullmatch(r"FB-\d{4}-\d{5}", r) for r in refs)


def test_service_areas_are_kept(council):
    area = ServiceAreaFactory(name="Short breaks")
    feedback = submit(service_areas=[area])
    assert list(feedback.service_areas.all()) == [area]
