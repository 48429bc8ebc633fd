"""Background work through the real broker and a real worker process."""

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import jobs
from core.models import Job
from feedback.models import Feedback, Notification, SurveyImport, SurveyStatistic
from tests.conftest import wait_for
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, staff_user

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery_worker,
              pytest.mark.django_db(transaction=True)]


def _survey(org, officer, rows=300):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Rating", "Better"])
    for n in range(rows):
        writer.writerow([str(1 + n % 5), f"Answer {n}"])
    return SurveyImport.objects.create(
        title="Big survey", organisation=org, received_on=date(2026, 3, 31),
        file=SimpleUploadedFile("big.csv", out.getvalue().encode()), file_sha256="x",
        uploaded_by=officer, state="checked", total_rows=rows,
        mapping={"columns": {"rating": "Rating", "even_better_if": "Better"},
                 "statistics": ["Rating"], "positive_from": 4})


def test_feedback_and_a_survey_import_are_kept_when_redis_is_down_and_done_once_it_is_back(
        client, celery_broker, redis_url, captured_logs):
    org = OrganisationFactory(name="Testshire County Council")
    area = ServiceAreaFactory()
    officer = staff_user("officer", org)
    survey = _survey(org, officer)
    # The broker is down at the moment the family presses send.
    celery_broker.conf.broker_url = "redis://127.0.0.1:1/0"
    from tests.conftest import _reset_producer_pool

    _reset_producer_pool(celery_broker)
    response = client.post(reverse("feedback:give"), {
        "service_areas": [area.pk], "even_better_if": "Answer the phone.",
        "respondent": "parent_carer", "consent_to_quote": "no", "wants_contact": "yes",
        "contact_name": "Jo", "contact_email": "jo@example.com"})
    assert response.status_code == 302  # the family sees success
    feedback = Feedback.objects.get()
    notification = feedback.notifications.get()
    assert notification.state == Notification.State.PENDING
    # An officer confirms a survey import at the same moment.
    client.force_login(officer)
    client.post(reverse("staff:feedback:import-detail", args=[survey.pk]), {"action": "confirm"})
    survey.refresh_from_db()
    assert survey.state == "importing"
    assert "stays pending" in captured_logs.getvalue()
    assert "jo@example.com" not in captured_logs.getvalue()
    assert Job.objects.filter(state="pending", leased_until__isnull=True).count() == 2

    # Redis is back; a worker runs; beat's job enqueues what is pending.
    celery_broker.conf.broker_url = redis_url
    _reset_producer_pool(celery_broker)
    from tests.conftest import WorkerProcess, _database_url_for_worker

    worker = WorkerProcess(redis_url, _database_url_for_worker())
    worker.start()
    try:
        assert jobs.dispatch() == 2
        wait_for(lambda: Notification.objects.get(pk=notification.pk).state == "sent")
        wait_for(lambda: SurveyImport.objects.get(pk=survey.pk).state == "imported", timeout=60)
        # Beat runs again (twice): nothing more is sent.
        assert jobs.dispatch() == 0
        jobs.dispatch()
        # Even a duplicate delivery of the same task sends nothing more.
        job = Job.objects.get(kind="notification", subject_id=notification.pk)
        jobs.kind("notification").task.delay(job.pk)
        jobs.kind("notification").task.delay(job.pk)
        wait_for(lambda: _queue_empty(redis_url))
        import time

        time.sleep(1)  # let the worker finish the duplicates it took
        messages = "".join(worker.sent_mail())
        assert messages.count("Subject: We have received your feedback") == 1
        assert "To: jo@example.com" in messages
        feedback.refresh_from_db()
        assert feedback.status == Feedback.Status.ACKNOWLEDGED
        assert Feedback.objects.filter(survey_import=survey).count() == 300
        assert set(Job.objects.values_list("state", "attempts")) == {("done", 1)}
    finally:
        worker.stop()


def _queue_empty(redis_url) -> bool:
    import redis

    return redis.Redis.from_url(redis_url).llen("celery") == 0


def test_a_large_survey_imports_in_the_background_with_progress(client, celery_worker):
    org = OrganisationFactory(name="Testshire County Council")
    officer = staff_user("officer", org)
    survey = _survey(org, officer, rows=3000)
    client.force_login(officer)
    client.post(reverse("staff:feedback:import-detail", args=[survey.pk]), {"action": "confirm"})
    progress_url = reverse("staff:feedback:import-progress", args=[survey.pk])
    seen = wait_for(lambda: client.get(progress_url).json()["done"] or None, timeout=120)
    assert seen
    survey.refresh_from_db()
    assert survey.state == "imported" and survey.created_rows == 3000
    assert Feedback.objects.filter(survey_import=survey).count() == 3000
    stat = SurveyStatistic.objects.get(survey_import=survey)
    assert (stat.responses, stat.positive, stat.positive_percent) == (3000, 1200, 40)
