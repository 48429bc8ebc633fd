"""GOV.UK Notify as the transport (core.notify), against a Notify stand-in
of the test's own (tests/core/notify_server.py) that checks the token, the
template and the personalisation and answers as Notify's documentation says."""

import os
import socket
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from core import jobs, notify
from core.models import Job, NotifyMessage, Role
from core.services import person_add
from core.tasks import send_one_mail
from tests.conftest import ROOT
from tests.core.factories import OrganisationFactory, staff_user
from tests.core.notify_server import FakeNotify

pytestmark = pytest.mark.django_db

ADDRESS = "amira.khan@parents.example"
PHONE = "07700 900123"
SUBJECT = "Your feedback about Stroud short breaks"
BODY = "The short breaks action is now complete. See what changed on your page."


@pytest.fixture
def server():
    fake = FakeNotify().start()
    yield fake
    fake.stop()


@pytest.fixture
def configured(server, settings):
    settings.NOTIFY_API_KEY = server.api_key
    settings.NOTIFY_BASE_URL = server.base_url
    settings.NOTIFY_EMAIL_TEMPLATE_ID = server.email_template
    settings.NOTIFY_SMS_TEMPLATE_ID = server.sms_template
    settings.EMAIL_BACKEND = settings.NOTIFY_EMAIL_BACKEND
    return server


def _welcome_job(org):
    """A real job that sends an e-mail: a new member of staff's welcome."""
    admin = staff_user(Role.ADMINISTRATOR, org)
    person_add(acting_user=admin, email=ADDRESS, first_name="Amira", last_name="Khan",
               job_title="", organisation=org, role=Role.OFFICER)
    return Job.objects.get(kind="welcome_email")


def _no_personal_data(row: NotifyMessage) -> None:
    kept = " ".join(str(getattr(row, f.attname)) for f in NotifyMessage._meta.fields)
    for secret in (ADDRESS, PHONE, PHONE.replace(" ", ""), SUBJECT, BODY, "Amira"):
        assert secret not in kept


# --- Sending ---------------------------------------------------------------------------


def test_an_email_goes_through_notify_as_the_generic_template_and_its_status_is_kept(configured):
    send_one_mail(SUBJECT, BODY, [ADDRESS])

    [request] = configured.requests
    assert request.method == "POST" and request.path == "/v2/notifications/email"
    assert request.claims["iss"] == configured.service_id  # signed with the key's secret
    assert request.body["template_id"] == configured.email_template
    assert request.body["email_address"] == ADDRESS
    assert request.body["personalisation"] == {"subject": SUBJECT, "body": BODY}
    reference = request.body["reference"]
    assert reference.startswith("email-") and "amira" not in reference.lower()

    [row] = NotifyMessage.objects.all()
    [notify_id] = configured.notifications
    assert (row.kind, str(row.notify_id), row.reference, row.status) == (
        "email", notify_id, reference, "created")
    _no_personal_data(row)


def test_a_job_that_sends_email_uses_notify_and_is_done(configured):
    job = _welcome_job(OrganisationFactory())
    assert jobs.run_due("welcome_email") == 1
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.attempts == 1
    [request] = configured.posts()
    assert request.body["email_address"] == ADDRESS
    assert "/reset/" in request.body["personalisation"]["body"]  # the welcome's link
    assert NotifyMessage.objects.filter(kind="email").count() == 1


def test_a_text_message_goes_through_notify_with_the_callers_reference(configured):
    assert notify.text_messages_enabled()
    notify.send_text_message(PHONE, BODY, reference="progress-1234")

    [request] = configured.requests
    assert request.path == "/v2/notifications/sms"
    assert request.claims["iss"] == configured.service_id
    assert request.body == {"phone_number": PHONE, "template_id": configured.sms_template,
                            "personalisation": {"body": BODY}, "reference": "progress-1234"}
    [row] = NotifyMessage.objects.all()
    assert (row.kind, row.reference, row.status) == ("sms", "progress-1234", "created")
    _no_personal_data(row)


def test_text_messages_need_the_key_and_a_text_template(settings):
    settings.NOTIFY_API_KEY, settings.NOTIFY_SMS_TEMPLATE_ID = "", str(uuid.uuid4())
    assert not notify.text_messages_enabled()
    settings.NOTIFY_API_KEY, settings.NOTIFY_SMS_TEMPLATE_ID = "key-" + "x" * 73, ""
    assert not notify.text_messages_enabled()
    with pytest.raises(ImproperlyConfigured):
        notify.send_text_message(PHONE, BODY, reference="progress-1")
    settings.NOTIFY_SMS_TEMPLATE_ID = str(uuid.uuid4())
    assert notify.text_messages_enabled()


# --- Errors: give up, or try again -----------------------------------------------------

RETRY_LATER = [
    (429, "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
    (429, "TooManyRequestsError", "Exceeded send limits (250000) for today"),
    (500, "Exception", "Internal server error"),
]


def test_a_key_notify_does_not_know_is_refused_and_the_job_gives_up_at_once(configured,
                                                                              settings):
    settings.NOTIFY_API_KEY = f"sendportal_test-{configured.service_id}-{uuid.uuid4()}"
    job = _welcome_job(OrganisationFactory())
    jobs.run_due("welcome_email")
    job.refresh_from_db()
    assert (job.state, job.attempts, job.last_error) == ("failed", 1, "NotifyRejected")
    assert configured.posts()[0].claims is None  # the server refused the token itself
    assert not NotifyMessage.objects.exists()


def test_a_template_notify_does_not_have_is_refused_and_the_job_gives_up(configured, settings):
    settings.NOTIFY_EMAIL_TEMPLATE_ID = str(uuid.uuid4())
    job = _welcome_job(OrganisationFactory())
    jobs.run_due("welcome_email")
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("failed", 1)
    assert not NotifyMessage.objects.exists()


@pytest.mark.parametrize(("status", "name", "message"), RETRY_LATER,
                         ids=[r[1] for r in RETRY_LATER])
def test_a_busy_or_broken_notify_means_try_again_later_and_the_retry_sends(configured, status,
                                                                           name, message):
    configured.fail_next(status, name, message)
    job = _welcome_job(OrganisationFactory())
    jobs.run_due("welcome_email")
    job.refresh_from_db()
    assert (job.state, job.attempts, job.last_error) == ("pending", 1, "NotifyUnavailable")
    assert job.run_after > timezone.now()  # the kind's back-off
    assert not NotifyMessage.objects.exists()

    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())  # the back-off ran out
    jobs.run_due("welcome_email")
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 2)
    assert len(configured.posts()) == 2 and NotifyMessage.objects.count() == 1


@pytest.mark.parametrize(("status", "name", "message", "expected"), [
    (400, "BadRequestError", "Can't send to this recipient using a team-only API key",
     notify.NotifyRejected),
    (400, "ValidationError", "phone_number Not a UK mobile number", notify.NotifyRejected),
    (403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds",
     notify.NotifyRejected),
    *[(*r, notify.NotifyUnavailable) for r in RETRY_LATER],
], ids=["400-BadRequestError", "400-ValidationError", "403-AuthError",
        *[f"{r[0]}-{r[1]}" for r in RETRY_LATER]])
def test_each_documented_error_of_a_text_message(configured, captured_logs, status, name,
                                                 message, expected):
    configured.fail_next(status, name, message)
    with pytest.raises(expected) as raised:
        notify.send_text_message(PHONE, BODY, reference="progress-77")
    assert (raised.value.status_code, raised.value.errors) == (status, (name,))
    assert isinstance(raised.value, jobs.GiveUp) == (expected is notify.NotifyRejected)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    for secret in (PHONE, BODY, message):
        assert secret not in str(raised.value)
        assert secret not in captured_logs.getvalue()
    assert not NotifyMessage.objects.exists()


def test_a_notify_that_cannot_be_reached_means_try_again_later(configured, settings):
    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{s.getsockname()[1]}"
    with pytest.raises(notify.NotifyUnavailable) as raised:
        notify.send_text_message(PHONE, BODY, reference="progress-5")
    assert raised.value.status_code == 503 and not NotifyMessage.objects.exists()


def test_nothing_personal_is_logged_on_success_or_failure(configured, captured_logs):
    send_one_mail(SUBJECT, BODY, [ADDRESS])
    notify.send_text_message(PHONE, BODY, reference="progress-9")
    configured.fail_next(400, "BadRequestError", "Can't send to this recipient")
    with pytest.raises(notify.NotifyRejected):
        send_one_mail(SUBJECT, BODY, [ADDRESS])
    logged = captured_logs.getvalue()
    assert "handed to Notify" in logged  # the ids are logged
    for secret in (ADDRESS, PHONE, SUBJECT, BODY, configured.secret):
        assert secret not in logged


# --- Delivery status -------------------------------------------------------------------


def test_delivery_statuses_are_refreshed_until_final(configured):
    send_one_mail(SUBJECT, BODY, [ADDRESS])
    notify.send_text_message(PHONE, BODY, reference="progress-1")
    send_one_mail(SUBJECT, BODY, ["sam.jones@parents.example"])
    first, text, third = NotifyMessage.objects.order_by("pk")
    configured.set_status(first.notify_id, "delivered")
    configured.set_status(text.notify_id, "permanent-failure")
    configured.set_status(third.notify_id, "sending")

    assert notify.refresh_statuses() == 3
    assert [r.status for r in NotifyMessage.objects.order_by("pk")] == [
        "delivered", "permanent-failure", "sending"]
    assert all(r.claims["iss"] == configured.service_id for r in configured.gets())

    configured.set_status(third.notify_id, "delivered")
    assert notify.refresh_statuses() == 1  # only the one still on its way is asked about
    assert configured.gets()[-1].path == f"/v2/notifications/{third.notify_id}"
    assert NotifyMessage.objects.get(pk=third.pk).status == "delivered"
    assert notify.refresh_statuses() == 0 and len(configured.gets()) == 4


def test_the_beat_task_refreshes_statuses(configured):
    from core.tasks import refresh_notify_statuses

    notify.send_text_message(PHONE, BODY, reference="progress-2")
    configured.set_status(NotifyMessage.objects.get().notify_id, "delivered")
    assert refresh_notify_statuses() == 1
    assert NotifyMessage.objects.get().status == "delivered"


def test_a_busy_notify_ends_the_refresh_and_the_next_one_carries_on(configured):
    notify.send_text_message(PHONE, BODY, reference="progress-3")
    row = NotifyMessage.objects.get()
    configured.set_status(row.notify_id, "delivered")
    configured.fail_next(429, "RateLimitError", "Exceeded rate limit")
    assert notify.refresh_statuses() == 0
    assert NotifyMessage.objects.get().status == "created"
    assert notify.refresh_statuses() == 1
    assert NotifyMessage.objects.get().status == "delivered"


def test_messages_notify_no_longer_keeps_become_unknown(configured):
    old = NotifyMessage.objects.create(kind="email", notify_id=uuid.uuid4(), reference="email-a")
    NotifyMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    forgotten = NotifyMessage.objects.create(kind="sms", notify_id=uuid.uuid4(),
                                             reference="progress-4")
    assert notify.refresh_statuses() == 1  # the old one is not asked about at all
    assert [r.path for r in configured.gets()] == [f"/v2/notifications/{forgotten.notify_id}"]
    assert set(NotifyMessage.objects.values_list("status", flat=True)) == {"unknown"}


# --- With no key, SMTP as before ------------------------------------------------------


def _settings_in_a_fresh_process(**env) -> list[str]:
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.EMAIL_BACKEND); "
            "print('notify-beat' if 'core-refresh-notify-statuses' in "
            "settings.CELERY_BEAT_SCHEDULE else 'no-notify-beat')")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_", "EMAIL_"))}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**base, **env},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


PRODUCTION = {"DJANGO_SETTINGS_MODULE": "sendportal.settings.production",
              "SECRET_KEY": "k" * 30 + "-a-long-random-value-for-testing-only-" + "z" * 10,
              "ALLOWED_HOSTS": "send.example.gov.uk", "EMAIL_HOST": "smtp.example.gov.uk"}
NOTIFY_ENV = {"NOTIFY_API_KEY": f"live-{uuid.uuid4()}-{uuid.uuid4()}",
              "NOTIFY_EMAIL_TEMPLATE_ID": str(uuid.uuid4())}


def test_with_no_key_email_goes_by_smtp_as_before():
    assert _settings_in_a_fresh_process(**PRODUCTION) == [
        "django.core.mail.backends.smtp.EmailBackend", "no-notify-beat"]
    assert _settings_in_a_fresh_process(DJANGO_SETTINGS_MODULE="sendportal.settings.local") == [
        "django.core.mail.backends.console.EmailBackend", "no-notify-beat"]


def test_with_a_key_email_goes_through_notify_even_with_an_smtp_relay_named():
    assert _settings_in_a_fresh_process(**PRODUCTION, **NOTIFY_ENV) == [
        "core.notify.NotifyEmailBackend", "notify-beat"]
    no_relay = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_HOST"}
    assert _settings_in_a_fresh_process(**no_relay, **NOTIFY_ENV)[0] == (
        "core.notify.NotifyEmailBackend")


def test_a_key_without_an_email_template_refuses_to_start():
    code = "import django; django.setup()"
    env = {**os.environ, **PRODUCTION, "NOTIFY_API_KEY": NOTIFY_ENV["NOTIFY_API_KEY"]}
    env.pop("NOTIFY_EMAIL_TEMPLATE_ID", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "NOTIFY_EMAIL_TEMPLATE_ID" in result.stderr
