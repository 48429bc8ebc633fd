"""Background work for the action plan: board pack PDFs and reminders.
Every task takes ids and is safe to run twice."""

import logging

from celery import shared_task
from django.urls import reverse

from core import jobs

from . import services

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4


def _pack_failed(meeting_id: int, error: str) -> None:
    from .models import Meeting

    if Meeting.objects.filter(pk=meeting_id, pack_state=Meeting.PackState.PENDING).exists():
        services.board_pack_mark_failed(meeting_id=meeting_id, error=error)


def _pack_retry(meeting_id: int) -> None:
    from .models import Meeting

    Meeting.objects.filter(pk=meeting_id, pack_state=Meeting.PackState.FAILED).update(
        pack_state=Meeting.PackState.PENDING, pack_error="")


@jobs.register("board_pack", label="Board pack", max_attempts=MAX_ATTEMPTS, backoff=30,
               backoff_max=600, on_failed=_pack_failed, on_retry=_pack_retry,
               coalesce=True, error_detail=True,
               staff_url=lambda pk: reverse("staff:actionplan:meeting_detail", args=[pk]),
               soft_time_limit=300, time_limit=360)
def board_pack_generate(meeting_id: int) -> None:
    """Build a meeting's board pack PDF. Idempotent: it replaces the
    meeting's one pack file. Retried with back-off by the job; after the
    last try the meeting shows "Failed" with the error, and a retry button."""
    services.board_pack_build(meeting_id=meeting_id)


@jobs.register("reminder", label="Reminder e-mail about an action", max_attempts=5,
               backoff=120, backoff_max=3600)
def send_reminder(reminder_id: int) -> None:
    """E-mail the reminder recorded by reminders_send (one per action, kind
    and week), outside any transaction."""
    services.reminder_deliver(reminder_id=reminder_id)


@jobs.register("measure_reminder", label="Reminder e-mail about a measure", max_attempts=5,
               backoff=120, backoff_max=3600)
def send_measure_reminder(reminder_id: int) -> None:
    """E-mail the reminder that a measure's new value is overdue."""
    services.measure_reminder_deliver(reminder_id=reminder_id)


@shared_task(ignore_result=True, soft_time_limit=600, time_limit=900)
def send_reminders() -> int:
    """Beat, hourly: record a reminder for owners of overdue and not-updated
    actions, and for the people who update measures whose new value is
    overdue, at most once per action (or measure), kind and ISO week; each
    is e-mailed by its own job."""
    return services.reminders_send()
