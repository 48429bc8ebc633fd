"""The job framework (core.jobs) in-process, and the administrators'
"Background work" page: failed work listed, with "try again"."""

from datetime import date

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import jobs
from core.audit import Verb
from core.models import AuditEvent, Job, Role
from core.services import person_add
from feedback.models import SurveyImport
from tests.core.factories import OrganisationFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory(name="Testshire County Council")


def failed_import(org):
    officer = staff_user(Role.OFFICER, org)
    survey = SurveyImport.objects.create(
        title="Annual survey", organisation=org, received_on=date(2026, 3, 31),
        file=SimpleUploadedFile("s.csv", b"Rating,Better\n4,More\n5,Less\n"),
        file_sha256="x", uploaded_by=officer, state=SurveyImport.State.FAILED,
        failure="The import stopped before it finished.",
        mapping={"columns": {"rating": "Rating", "even_better_if": "Better"},
                 "statistics": [], "positive_from": 4})
    job = Job.objects.create(kind="survey_import", subject_id=survey.pk, organisation=org,
                             state=Job.State.FAILED, attempts=4,
                             last_error="OSError: storage unavailable",
                             finished_at=timezone.now())
    return survey, job


def test_a_welcome_email_owed_while_the_broker_is_down_is_a_pending_job_and_sent_later(org):
    admin = staff_user(Role.ADMINISTRATOR, org)
    with transaction.atomic():  # the on_commit send never happens: as if Redis were down
        person_add(acting_user=admin, email="nia@council.example", first_name="Nia",
                   last_name="Evans", job_title="", organisation=org, role=Role.OFFICER)
    job = Job.objects.get(kind="welcome_email")
    assert job.state == "pending" and job.organisation == org and not mail.outbox
    Job.objects.filter(pk=job.pk).update(leased_until=None)  # the send failed
    assert jobs.dispatch() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nia@council.example"]
    assert Job.objects.get(pk=job.pk).state == "done"
    assert jobs.dispatch() == 0


def test_errors_of_email_work_keep_only_the_class_name(org, settings):
    """An SMTP error can name an address: the job keeps its class, never its words."""
    from smtplib import SMTPRecipientsRefused

    def refused(*args, **kwargs):
        raise SMTPRecipientsRefused({"nia@council.example": (550, b"no")})

    admin = staff_user(Role.ADMINISTRATOR, org)
    with transaction.atomic():
        person_add(acting_user=admin, email="nia@council.example", first_name="Nia",
                   last_name="Evans", job_title="", organisation=org, role=Role.OFFICER)
    import django.core.mail

    original = django.core.mail.send_mail
    django.core.mail.send_mail = refused
    try:
        assert jobs.run_due() == 1
    finally:
        django.core.mail.send_mail = original
    job = Job.objects.get(kind="welcome_email")
    assert job.last_error == "SMTPRecipientsRefused"


@pytest.mark.parametrize(("role", "status"), [
    (Role.ADMINISTRATOR, 200), (Role.OFFICER, 403), (Role.APPROVER, 403),
    (Role.BOARD_MEMBER, 403)])
def test_only_administrators_see_background_work(client, org, role, status):
    survey, job = failed_import(org)
    client.force_login(staff_user(role, org))
    assert client.get(reverse("staff:jobs")).status_code == status
    response = client.post(reverse("staff:job-retry", args=[job.pk]))
    assert response.status_code == (302 if status == 200 else 403)


def test_anonymous_visitors_are_sent_to_sign_in(client, org):
    survey, job = failed_import(org)
    for response in (client.get(reverse("staff:jobs")),
                     client.post(reverse("staff:job-retry", args=[job.pk]))):
        assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert Job.objects.get(pk=job.pk).state == "failed"


def test_another_organisations_failed_work_is_neither_shown_nor_retried(client, org):
    survey, job = failed_import(org)
    other = staff_user(Role.ADMINISTRATOR, OrganisationFactory(name="Elsewhere Council"))
    client.force_login(other)
    page = client.get(reverse("staff:jobs")).content.decode()
    assert "No background work has failed." in page
    assert client.post(reverse("staff:job-retry", args=[job.pk])).status_code == 404
    assert Job.objects.get(pk=job.pk).state == "failed"


def test_a_failed_import_is_listed_and_try_again_imports_it(
        client, org, django_assert_num_queries, django_capture_on_commit_callbacks):
    survey, job = failed_import(org)
    Job.objects.create(kind="password_reset_email", subject_id=1, state=Job.State.FAILED,
                       attempts=4, last_error="SMTPServerDisconnected",
                       finished_at=timezone.now())
    admin = staff_user(Role.ADMINISTRATOR, org)
    client.force_login(admin)
    client.get(reverse("staff:jobs"))  # warm the session and permission caches
    # user, roles, failed jobs, figures (the session is read from its cached copy)
    with django_assert_num_queries(4):
        response = client.get(reverse("staff:jobs"))
    html = response.content.decode()
    assert "Survey import" in html and "OSError: storage unavailable" in html
    assert reverse("staff:feedback:import-detail", args=[survey.pk]) in html
    assert "Password reset e-mail" in html  # work of no organisation: every administrator's
    assert "Try again" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:job-retry", args=[job.pk]))
    assert response["Location"] == reverse("staff:jobs")
    survey.refresh_from_db()
    job.refresh_from_db()
    assert survey.state == SurveyImport.State.IMPORTED and survey.created_rows == 2
    assert (job.state, job.attempts) == ("done", 1)
    event = AuditEvent.objects.get(verb=Verb.JOB_RETRIED)
    assert event.actor == admin and event.data == {"kind": "survey_import",
                                                   "subject": survey.pk}
    # Pressing it again (a second tab) does nothing more.
    client.post(reverse("staff:job-retry", args=[job.pk]))
    assert AuditEvent.objects.filter(verb=Verb.JOB_RETRIED).count() == 1


def test_try_again_does_not_answer_get_and_bad_ids_are_404(client, org):
    client.force_login(staff_user(Role.ADMINISTRATOR, org))
    assert client.get(reverse("staff:job-retry", args=[1])).status_code == 405
    assert client.post("/staff/background-work/99999999/try-again/").status_code == 404


def test_healthz_counts_failed_and_overdue_work(client, org):
    failed_import(org)
    Job.objects.create(kind="report_pdf", subject_id=1,
                       run_after=timezone.now() - timezone.timedelta(hours=1))
    response = client.get("/healthz")
    assert response.status_code == 200  # the site serves; monitoring alerts on the figure
    assert response.json()["checks"]["jobs"] == {"failed": 1, "waiting": 1, "overdue": 1}


def test_asking_again_for_a_pdf_coalesces_and_restarts_a_failed_job(org):
    with transaction.atomic():
        first = jobs.enqueue("board_pack", 7)
        again = jobs.enqueue("board_pack", 7)
    assert first.pk == again.pk and Job.objects.filter(kind="board_pack").count() == 1
    Job.objects.filter(pk=first.pk).update(state=Job.State.FAILED, attempts=4)
    with transaction.atomic():
        jobs.enqueue("board_pack", 7)  # "Generate the board pack" pressed again
    job = Job.objects.get(kind="board_pack")
    assert (job.state, job.attempts) == ("pending", 0)
    # Each e-mail asked for is its own job.
    with transaction.atomic():
        jobs.enqueue("password_reset_email", 7)
        jobs.enqueue("password_reset_email", 7)
    assert Job.objects.filter(kind="password_reset_email").count() == 2
