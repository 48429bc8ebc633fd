import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.locks import job_is_running, job_lock
from core.pdf import render_pdf_from_template

from .models import Report

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
PDF_LOCK = "reports.render_report_pdf"


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, acks_late=True, ignore_result=True,
             soft_time_limit=240, time_limit=300)
def render_report_pdf(self, report_id: int) -> None:
    """Make the tagged PDF of one published report version.

    Exactly one file per version, however often this runs: the file has a
    fixed name, is written only after rendering succeeds, and only by the
    delivery that finds the report still pending under a row lock (a second
    delivery, or one redelivered after a worker was killed, finds it ready
    and stops). Failures are retried with backoff, then shown to staff with
    a "try again" button.
    """
    with job_lock(PDF_LOCK, report_id) as taken:
        if not taken:
            return  # another delivery is rendering it now
        _render_report_pdf(self, report_id)


def _render_report_pdf(task, report_id: int) -> None:
    from . import selectors

    report = selectors.report_public_by_pk(report_id)
    if report is None or report.pdf_state != Report.PdfState.PENDING:
        return
    # Touch updated_at: resume_pending_pdfs looks only at jobs quiet for a while.
    Report.objects.filter(pk=report_id).update(pdf_attempts=F("pdf_attempts") + 1,
                                               updated_at=timezone.now())
    try:
        pdf = render_pdf_from_template("reports/report_pdf.html", {
            "report": report, "site_url": settings.SITE_URL,
            "organisation_name": settings.ORGANISATION_NAME,
            "service_name": settings.SERVICE_NAME, "brand_colour": settings.BRAND_COLOUR,
        })
    except Exception as exc:
        attempts = Report.objects.values_list("pdf_attempts", flat=True).get(pk=report_id)
        logger.warning("report %s PDF failed (attempt %s): %s", report_id, attempts,
                       exc.__class__.__name__)
        if attempts >= MAX_ATTEMPTS:
            Report.objects.filter(pk=report_id).update(
                pdf_state=Report.PdfState.FAILED, pdf_error=exc.__class__.__name__[:300])
            return
        raise task.retry(countdown=10 * 2 ** attempts) from exc

    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report_id)
        if locked.pdf_state != Report.PdfState.PENDING:
            return  # another delivery finished first
        name = f"reports/{locked.pdf_filename}"
        if default_storage.exists(name):
            default_storage.delete(name)  # a partial file from a killed worker
        saved = default_storage.save(name, ContentFile(pdf))
        locked.pdf_file.name = saved
        locked.pdf_state = Report.PdfState.READY
        locked.pdf_error = ""
        locked.pdf_rendered_at = timezone.now()
        locked.save(update_fields=["pdf_file", "pdf_state", "pdf_error", "pdf_rendered_at",
                                   "updated_at"])
    logger.info("report %s version %s PDF ready (%s bytes)", report_id, locked.version, len(pdf))


@shared_task(ignore_result=True)
def resume_pending_pdfs(older_than_seconds: int | None = None) -> int:
    """Beat, every 30 seconds: enqueue again every PDF still pending,
    untouched for RESUME_STALE_AFTER_SECONDS (90 s) and not being rendered
    now (no worker holds its job lock): the broker was down when the report
    was published, or a worker died mid-render (its message would only come
    back after the broker's hour-long visibility timeout). Each one taken up
    is touched, so a slow queue gets one more delivery per period, not one
    per beat. Safe: render_report_pdf makes one file per version however
    often it runs."""
    from datetime import timedelta

    seconds = settings.RESUME_STALE_AFTER_SECONDS if older_than_seconds is None \
        else older_than_seconds
    now = timezone.now()
    with transaction.atomic():
        ids = list(Report.objects.select_for_update(skip_locked=True)
                   .filter(pdf_state=Report.PdfState.PENDING,
                           updated_at__lte=now - timedelta(seconds=seconds))
                   .values_list("pk", flat=True))
        ids = [pk for pk in ids if not job_is_running(PDF_LOCK, pk)]
        Report.objects.filter(pk__in=ids).update(updated_at=now)
    for pk in ids:
        logger.info("report %s PDF still pending; enqueued again", pk)
        render_report_pdf.delay(pk)
    return len(ids)


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=180)
def refresh_home_figures() -> None:
    """Beat: recompute the home page's figures (reports.selectors.home_figures)."""
    from . import selectors

    selectors.home_figures_refresh()
