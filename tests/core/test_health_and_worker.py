"""/healthz, and background work through the real broker and a real worker."""

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import Heartbeat
from core.tasks import heartbeat
from tests.conftest import wait_for


@pytest.mark.django_db
def test_healthz_reports_the_database_in_process_mode(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["workers"] == {"ok": True, "mode": "in-process"}


@pytest.mark.django_db
def test_healthz_is_unhealthy_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_task_enqueued_after_commit_runs_in_a_real_worker_and_writes_postgres(celery_worker):
    before = timezone.now()
    with transaction.atomic():
        transaction.on_commit(lambda: heartbeat.delay("from-test"))
        # Not yet sent: nothing may reach the worker before the commit.
        assert not Heartbeat.objects.filter(name="from-test").exists()

    row = wait_for(lambda: Heartbeat.objects.filter(name="from-test").first())
    assert row.beat_at >= before
    assert celery_worker.process.poll() is None  # a separate, live process did it


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_healthz_sees_the_worker_and_the_beat(client, celery_worker, settings):
    settings.REDIS_URL = celery_worker.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    heartbeat.delay()
    wait_for(lambda: Heartbeat.objects.filter(name="worker").exists())
    body = client.get("/healthz").json()
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["workers"]["ok"] is True and body["checks"]["workers"]["count"] >= 1
    assert body["checks"]["beat"]["ok"] is True


@pytest.mark.postgres
def test_the_suite_runs_on_postgres_here():
    """Guards against a silent fall-back to SQLite (under CI this fails loudly)."""
    from django.db import connection

    assert connection.vendor == "postgresql"
