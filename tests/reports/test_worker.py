"""Report PDFs made by a real Celery worker, including when it is killed
mid-render or the task is delivered twice."""

import time
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.timezone import now as timezone_now

from core import jobs
from core.models import Job, Role
from reports import services
from reports.models import Report
from tests.conftest import (
    WorkerProcess,
    _database_url_for_worker,
    pdf_info,
    pdf_structure,
    pdf_text,
    wait_for,
)
from tests.core.factories import OrganisationFactory, ThemeFactory, staff_user
from tests.feedback.factories import FeedbackFactory
from tests.reports.factories import draft_report

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery_worker,
              pytest.mark.django_db(transaction=True)]


def pdf_files(report) -> list:
    folder = settings.MEDIA_ROOT / "reports"
    return sorted(p.name for p in folder.glob(f"{report.slug}-v{report.version}*"))


@pytest.fixture
def clean_media():
    import shutil

    shutil.rmtree(settings.MEDIA_ROOT / "reports", ignore_errors=True)


def test_drafted_from_feedback_approved_published_and_rendered_by_a_worker(
        client, celery_worker, clean_media):
    org = OrganisationFactory(name="Testshire County Council")
    officer = staff_user(Role.OFFICER, org)
    approver = staff_user(Role.APPROVER, org)
    theme = ThemeFactory(name="Waiting times")
    for day in (3, 10, 17):
        FeedbackFactory(organisation=org, received_on=date(2026, 5, day)).themes.add(theme)

    client.force_login(officer)
    response = client.post(reverse("staff:reports:create"), {
        "title": "Therapy waiting times, spring 2026", "kind": "quality_assurance",
        "period_start_0": "1", "period_start_1": "4", "period_start_2": "2026",
        "period_end_0": "30", "period_end_1": "6", "period_end_2": "2026",
        "summary": "What families told us about waiting for therapy."})
    report = Report.objects.get()
    assert response["Location"] == reverse("staff:reports:edit", args=[report.pk])
    client.post(reverse("staff:reports:item-create", args=[report.pk]), {
        "heading": "Waiting for speech and language therapy", "theme": theme.pk,
        "new_topic": "Waiting times",
        "you_said": "The wait for a first appointment was too long.",
        "we_did": "We recruited two more therapists.", "outcome": "in_progress",
        "what_next": "We will publish waiting times every quarter."})
    editor = client.get(reverse("staff:reports:edit", args=[report.pk])).content.decode()
    assert "3 so far" in editor  # counted live from the feedback
    client.post(reverse("staff:reports:workflow", args=[report.pk]), {"action": "submit"})

    client.force_login(approver)
    client.post(reverse("staff:reports:workflow", args=[report.pk]), {"action": "approve"})
    client.post(reverse("staff:reports:workflow", args=[report.pk]), {"action": "publish"})

    report = wait_for(lambda: Report.objects.filter(pk=report.pk, pdf_state="ready").first(),
                      timeout=60)
    pdf = report.pdf_file.read()
    info = pdf_info(pdf)
    assert info["Title"] == "Therapy waiting times, spring 2026"
    assert info["Tagged"] == "yes"
    text = pdf_text(pdf)
    for words in ("Waiting for speech and language therapy", "We recruited two more therapists",
                  "3 people", "Page 1 of"):
        assert words in text
    assert "H1" in pdf_structure(pdf)
    assert client.get(reverse("reports:pdf", args=[report.slug, 1]))["Content-Type"] == \
        "application/pdf"


def test_a_worker_killed_mid_render_or_a_task_delivered_twice_still_makes_one_pdf(
        celery_broker, redis_url, clean_media):
    org = OrganisationFactory(name="Testshire County Council")
    officer = staff_user(Role.OFFICER, org)
    approver = staff_user(Role.APPROVER, org)
    # Enough items that rendering takes a few seconds, so the kill lands mid-render.
    report = draft_report(org=org, author=officer, items=150)
    services.report_submit(acting_user=officer, report=report)
    services.report_approve(acting_user=approver, report=report)

    first = WorkerProcess(redis_url, _database_url_for_worker(),
                          extra_env={"CELERY_VISIBILITY_TIMEOUT": "3"})
    first.start()
    try:
        services.report_publish(acting_user=officer, report=report)
        wait_for(lambda: Report.objects.get(pk=report.pk).pdf_attempts >= 1, timeout=30)
        time.sleep(0.3)
        first.kill()  # kill -9 while it renders
    finally:
        first.stop()
    report.refresh_from_db()
    assert report.pdf_state == "pending"

    second = WorkerProcess(redis_url, _database_url_for_worker(),
                           extra_env={"CELERY_VISIBILITY_TIMEOUT": "3"})
    second.start()
    try:
        # The dead worker's message comes back after the visibility timeout;
        # beat's recovery job and a duplicate delivery race it.
        job = Job.objects.get(kind="report_pdf", subject_id=report.pk)
        Job.objects.filter(pk=job.pk).update(leased_until=timezone_now())
        jobs.dispatch()  # 0 if the second worker already took the message back
        task = jobs.kind("report_pdf").task
        task.delay(job.pk)
        wait_for(lambda: Report.objects.get(pk=report.pk).pdf_state == "ready", timeout=90)
        time.sleep(8)  # let every copy of the task run to its end
        task.delay(job.pk)  # and one more after it is ready
        time.sleep(2)
    finally:
        second.stop()
    report.refresh_from_db()
    assert report.pdf_state == "ready"
    assert pdf_files(report) == [f"{report.slug}-v1.pdf"]
    assert pdf_info(report.pdf_file.read())["Tagged"] == "yes"
    log = second.log_path.read_text()
    assert log.count("jobs.report_pdf") >= 3  # several deliveries really ran
    job.refresh_from_db()
    assert job.state == "done"


def test_resume_leaves_a_pdf_that_a_live_worker_renders_and_takes_one_whose_worker_died(
        celery_broker):
    """The resume job tells "being rendered" (a worker holds the job lock) from
    "worker died" (lock released with its connection), however long it takes."""
    import psycopg

    from core.locks import _key

    org = OrganisationFactory()
    report = draft_report(org=org, author=staff_user(Role.OFFICER, org))
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.PUBLISHED, pdf_state=Report.PdfState.PENDING)
    # Sent to a worker a while ago, and its lease has run out.
    Job.objects.create(kind="report_pdf", subject_id=report.pk, attempts=1,
                       leased_until=timezone_now() - timedelta(seconds=1))
    rendering = psycopg.connect(_database_url_for_worker(), autocommit=True)  # "a worker"
    rendering.execute("SELECT pg_advisory_lock(%s, %s)",
                      (_key("core.jobs.report_pdf"), report.pk))
    assert jobs.dispatch() == 0
    rendering.close()  # the worker dies: Postgres releases its lock
    assert jobs.dispatch() == 1
    assert jobs.dispatch() == 0  # leased again: not again before the period is up


def test_production_schedule_resumes_a_dead_workers_job_within_two_minutes():
    from sendportal.settings.base import CELERY_BEAT_SCHEDULE

    worst = (settings.RESUME_STALE_AFTER_SECONDS
             + CELERY_BEAT_SCHEDULE["core-dispatch-jobs"]["schedule"])
    assert worst <= 120
