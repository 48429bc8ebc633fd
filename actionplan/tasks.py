"""Background work for the action plan: board pack PDFs and reminders.
Every task takes ids and is safe to run twice."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.locks import job_is_running, job_lock

from . import services

logger = logging.getLogger(__name__)

MAX_RETRIES = 3
PACK_LOCK = "actionplan.board_pack_generate"


@shared_task(bind=True, max_retries=MAX_RETRIES, ignore_result=True,
             soft_time_limit=300, time_limit=360)
def board_pack_generate(self, meeting_id: int) -> None:
    """Build a meeting's board pack PDF. Idempotent: it replaces the
    meeting's one pack file. Retried with backoff; after the last try the
    meeting shows "Failed" with the error, and a retry button."""
    with job_lock(PACK_LOCK, meeting_id) as taken:
        if taken:  # else another delivery is building it now
            _board_pack_generate(self, meeting_id)


def _board_pack_generate(task, meeting_id: int) -> None:
    from .models import Meeting

    # Touch updated_at (resume_pending_board_packs looks only at jobs quiet
    # for a while). Nothing to do for a deleted meeting.
    if not Meeting.objects.filter(pk=meeting_id).update(updated_at=timezone.now()):
        return
    try:
        services.board_pack_build(meeting_id=meeting_id)
    except Exception as exc:
        logger.warning("board pack for meeting %s failed (try %s): %s", meeting_id,
                       task.request.retries + 1, exc.__class__.__name__)
        if task.request.retries >= MAX_RETRIES or task.request.is_eager:
            services.board_pack_mark_failed(
                meeting_id=meeting_id,
                error=f"{exc.__class__.__name__}: {str(exc)[:200]}")
            return
        raise task.retry(exc=exc, countdown=min(30 * 2 ** task.request.retries, 600)) from exc


@shared_task(ignore_result=True)
def resume_pending_board_packs() -> int:
    """Beat, every 30 seconds: enqueue again every board pack still pending,
    untouched for RESUME_STALE_AFTER_SECONDS (90 s) and not being built now
    (no worker holds its job lock), e.g. because its worker died mid-build. Touching each one keeps it to one more delivery
    per period. Safe: board_pack_generate replaces the meeting's one file."""
    from datetime import timedelta

    from .models import Meeting

    now = timezone.now()
    with transaction.atomic():
        ids = list(Meeting.objects.select_for_update(skip_locked=True)
                   .filter(pack_state=Meeting.PackState.PENDING,
                           updated_at__lte=now - timedelta(
                               seconds=settings.RESUME_STALE_AFTER_SECONDS))
                   .values_list("pk", flat=True))
        ids = [pk for pk in ids if not job_is_running(PACK_LOCK, pk)]
        Meeting.objects.filter(pk__in=ids).update(updated_at=now)
    for pk in ids:
        logger.info("board pack for meeting %s still pending; enqueued again", pk)
        board_pack_generate.delay(pk)
    return len(ids)


@shared_task(ignore_result=True, soft_time_limit=600, time_limit=900)
def send_reminders() -> int:
    """Beat, hourly: remind owners of overdue and not-updated actions, at
    most once per action, kind and ISO week."""
    return services.reminders_send()
