"""Tracking tokens: the family gets theirs once (on the "Feedback sent" page
and in the acknowledgement); the database keeps only its SHA-256 digest."""

import importlib
import re

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse

from core.models import Role
from feedback import selectors, services
from feedback.models import Feedback, Notification, tracking_digest
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, staff_user
from tests.feedback.factories import FeedbackFactory
from tests.feedback.test_data_protection import _text_columns_holding

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/feedback/track/([^/\s]+)/")


@pytest.fixture
def area():
    OrganisationFactory(name="Testshire County Council")
    return ServiceAreaFactory(name="Local Offer")


def _give(client, area):
    return client.post(reverse("feedback:give"), {
        "service_areas": [area.pk], "even_better_if": "Put the pages in age groups.",
        "respondent": "parent_carer", "consent_to_quote": "yes", "wants_contact": "yes",
        "contact_name": "Jo", "contact_email": "jo@example.com"})


@pytest.mark.postgres
def test_the_plain_token_is_nowhere_in_the_database_once_the_email_is_sent(
        client, area, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _give(client, area)
    token = LINK.search(client.get(response["Location"]).content.decode()).group(1)
    feedback = Feedback.objects.get()
    assert feedback.tracking_digest == tracking_digest(token)
    # Until the acknowledgement is sent, the token waits on it, and only there.
    assert _text_columns_holding(token) == ["feedback_notification.tracking_token"]
    assert not any(token in s.get_decoded().values() for s in Session.objects.all())

    for callback in callbacks:  # the worker sends the e-mail
        callback()
    assert len(mail.outbox) == 1 and f"/feedback/track/{token}/" in mail.outbox[0].body
    assert _text_columns_holding(token) == []
    # The link from the page and the e-mail still opens the tracking page.
    assert client.get(reverse("feedback:track-token", args=[token])).status_code == 200
    assert selectors.feedback_for_token(feedback.tracking_digest) is None  # the digest is no key


def test_an_acknowledgement_that_fails_for_good_forgets_the_token(
        area, client, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "tests.feedback.broken_mail.BrokenBackend"
    from feedback import tasks

    with django_capture_on_commit_callbacks(execute=False):
        _give(client, area)
    notification = Notification.objects.get()
    from core import jobs
    from core.models import Job

    # The last of its tries: the job gives up and marks the e-mail failed.
    job = Job.objects.get(kind="notification", subject_id=notification.pk)
    Job.objects.filter(pk=job.pk).update(attempts=tasks.MAX_ATTEMPTS - 1)
    assert jobs.execute(job.pk, retry=False) == Job.State.FAILED
    notification.refresh_from_db()
    assert notification.state == Notification.State.FAILED
    assert notification.tracking_token == ""


def test_erasing_contact_details_forgets_the_owed_token(area, client,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        _give(client, area)
    feedback = Feedback.objects.get()
    services.contact_details_erase(acting_user=None, feedback=feedback)
    notification = Notification.objects.get()
    assert notification.state == Notification.State.CANCELLED
    assert notification.tracking_token == ""


def test_the_reply_email_is_sent_without_a_link_and_says_where_it_is(
        django_capture_on_commit_callbacks):
    officer = staff_user(Role.OFFICER)
    org = officer.memberships.get().organisation
    feedback = FeedbackFactory(organisation=org, wants_contact=True, contact_email="jo@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_create(acting_user=officer, feedback=feedback, outcome="done",
                              text="We put the pages in age groups.")
    [message] = [m for m in mail.outbox if "reply" in m.subject.lower()]
    assert "We put the pages in age groups." in message.body
    assert "/feedback/track/" not in message.body
    assert "private link in the e-mail we sent" in message.body


def test_the_migration_hashes_tokens_already_stored_so_old_links_keep_working():
    feedback = FeedbackFactory()
    # A row as it was before the migration: the plain token in the column.
    Feedback.objects.filter(pk=feedback.pk).update(tracking_digest="an-old-plain-token-" + "x" * 20)
    migration = importlib.import_module("feedback.migrations.0011_tracking_token_stored_as_digest")
    migration.hash_tokens(apps, None)
    stored = Feedback.objects.get(pk=feedback.pk).tracking_digest
    assert stored == tracking_digest("an-old-plain-token-" + "x" * 20)
    assert selectors.feedback_for_token("an-old-plain-token-" + "x" * 20).pk == feedback.pk
