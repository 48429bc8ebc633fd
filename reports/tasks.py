import logging

from celery import shared_task
from django.conf import settings
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import jobs
from core.pdf import render_pdf, render_pdf_from_template, store_pdf_when
from directory import plainwords

from .models import Report

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


def _pdf_failed(report_id: int, error: str) -> None:
    Report.objects.filter(pk=report_id, pdf_state=Report.PdfState.PENDING).update(
        pdf_state=Report.PdfState.FAILED, pdf_error=error.split(":", 1)[0][:300])


def _pdf_retry(report_id: int) -> None:
    Report.objects.filter(pk=report_id, pdf_state=Report.PdfState.FAILED).update(
        pdf_state=Report.PdfState.PENDING, pdf_error="", pdf_attempts=0)


def report_pdf_html(report: Report) -> str:
    """The PDF's HTML, its abbreviations written out at first use (linking
    to the public jargon buster, directory.plainwords)."""
    html = render_to_string("reports/report_pdf.html", {
        "report": report, "site_url": settings.SITE_URL,
        "organisation_name": settings.ORGANISATION_NAME,
        "service_name": settings.SERVICE_NAME, "brand_colour": settings.BRAND_COLOUR,
    })
    return plainwords.write_out(
        html, region=plainwords.BODY,
        glossary_url=settings.SITE_URL.rstrip("/") + reverse("directory:glossary"))


@jobs.register("report_pdf", label="Report PDF", max_attempts=MAX_ATTEMPTS, backoff=20,
               backoff_max=600, on_failed=_pdf_failed, on_retry=_pdf_retry,
               coalesce=True, error_detail=True,
               staff_url=lambda pk: reverse("staff:reports:edit", args=[pk]),
               soft_time_limit=240, time_limit=300)
def render_report_pdf(report_id: int) -> None:
    """Make the tagged PDF of one published report version.

    Exactly one file per version, however often this runs: the file has a
    fixed name, is written only after rendering succeeds, and only by the
    delivery that finds the report still pending under a row lock (a second
    delivery, or one redelivered after a worker was killed, finds it ready
    and stops). One worker at a time renders a report (the job's advisory
    lock); failures are retried with back-off by the job, then shown to
    staff with a "try again" button.
    """
    from . import selectors

    report = selectors.report_public_by_pk(report_id)
    if report is None or report.pdf_state != Report.PdfState.PENDING:
        return
    Report.objects.filter(pk=report_id).update(pdf_attempts=F("pdf_attempts") + 1,
                                               updated_at=timezone.now())
    pdf = render_pdf(report_pdf_html(report))
    stored = store_pdf_when(
        Report.objects.all(), report_id,
        still_wanted=lambda locked: locked.pdf_state == Report.PdfState.PENDING,
        field="pdf_file", name=lambda locked: f"reports/{locked.pdf_filename}", pdf=pdf,
        mark={"pdf_state": Report.PdfState.READY, "pdf_error": "",
              "pdf_rendered_at": timezone.now()})
    if stored:
        logger.info("report %s version %s PDF ready (%s bytes)", report_id, stored.version,
                    len(pdf))


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=180)
def refresh_home_figures() -> None:
    """Beat: recompute the home page's figures (reports.selectors.home_figures)."""
    from . import selectors

    selectors.home_figures_refresh()


def _pack_failed(pack_id: int, error: str) -> None:
    from .models import EvidencePack

    EvidencePack.objects.filter(pk=pack_id, pdf_state=EvidencePack.PdfState.PENDING).update(
        pdf_state=EvidencePack.PdfState.FAILED, pdf_error=error.split(":", 1)[0][:300],
        updated_at=timezone.now())


def _pack_retry(pack_id: int) -> None:
    from .models import EvidencePack

    EvidencePack.objects.filter(pk=pack_id, pdf_state=EvidencePack.PdfState.FAILED).update(
        pdf_state=EvidencePack.PdfState.PENDING, pdf_error="", updated_at=timezone.now())


@jobs.register("evidence_pack_pdf", label="Evidence pack PDF", max_attempts=MAX_ATTEMPTS,
               backoff=20, backoff_max=600, on_failed=_pack_failed, on_retry=_pack_retry,
               coalesce=True, error_detail=True,
               staff_url=lambda pk: reverse("staff:evidence-pack:detail", args=[pk]),
               soft_time_limit=240, time_limit=300)
def render_evidence_pack_pdf(pack_id: int) -> None:
    """Make the tagged PDF of an evidence pack, with its figures as they are
    now. One file per pack however often this runs (a fixed name, written
    under a row lock by the delivery that finds the pack still pending)."""
    from .evidence import evidence_figures
    from .models import EvidencePack

    pack = EvidencePack.objects.select_related("organisation").filter(pk=pack_id).first()
    if pack is None or pack.pdf_state != EvidencePack.PdfState.PENDING:
        return
    pdf = render_pdf_from_template("reports/evidence_pack_pdf.html", {
        "pack": pack, "figures": evidence_figures(pack, today=timezone.localdate()),
        "site_url": settings.SITE_URL, "link_base": settings.SITE_URL.rstrip("/"),
        "service_name": settings.SERVICE_NAME, "brand_colour": settings.BRAND_COLOUR,
    })
    stored = store_pdf_when(
        EvidencePack.objects.all(), pack_id,
        still_wanted=lambda locked: locked.pdf_state == EvidencePack.PdfState.PENDING,
        field="pdf_file", filename=pack.pdf_filename, pdf=pdf,
        mark={"pdf_state": EvidencePack.PdfState.READY, "pdf_error": "",
              "pdf_generated_at": timezone.now()})
    if stored:
        logger.info("evidence pack %s PDF ready (%s bytes)", pack_id, len(pdf))
