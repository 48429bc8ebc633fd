"""The new and changed report pages in Chromium: axe-core, 320 px, and the
PDF link that arrives without a reload. Set REPORTS_SHOTS to a folder to keep
screenshots (and the PDF's pages, via pdftoppm) for a person to look at."""

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from reports import services
from reports.models import Report
from reports.tasks import render_report_pdf
from tests.conftest import assert_accessible, sign_in
from tests.reports.factories import make_people, publish, published_report, table_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("REPORTS_SHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def fits(page, width: int = 320) -> None:
    """Nothing wider than the screen: no sideways scrolling at 320 px."""
    page.set_viewport_size({"width": width, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _series(org, officer, approver):
    series, reports = None, []
    for year in (2023, 2024, 2025):
        report = table_report(org=org, author=officer,
                              title=f"Local Offer annual feedback report {year}–{year % 100 + 1}",
                              start=date(year, 9, 1), end=date(year + 1, 8, 31), series=series,
                              new_series="" if series else "Local Offer annual feedback report")
        reports.append(publish(report, author=officer, approver=approver))
        series = reports[-1].series
    return series, reports


def test_table_report_and_series_pages(page):
    org, officer, approver = make_people()
    series, (_, middle, newest) = _series(org, officer, approver)
    render_report_pdf(newest.pk)
    page.goto(f"/reports/{middle.slug}/")
    assert page.get_by_role("columnheader", name="You said").count() == 3
    assert page.get_by_role("link", name="Previous report in the series").count() == 1
    assert_accessible(page, "table-layout report")
    shot(page, "table-report")
    fits(page)
    assert_accessible(page, "table-layout report at 320 px")
    shot(page, "table-report-320")

    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(f"/reports/series/{series.slug}/")
    assert_accessible(page, "series page")
    shot(page, "series")
    fits(page)
    assert_accessible(page, "series page at 320 px")

    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto("/reports/?year=2019")
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "archive, year not offered")
    page.goto(f"/reports/?publisher={org.pk}&year=2026")
    assert_accessible(page, "archive filtered by publisher and year")
    shot(page, "archive")

    if SHOTS and shutil.which("pdftoppm"):
        newest.refresh_from_db()
        pdf = Path(SHOTS) / "table-report.pdf"
        pdf.write_bytes(newest.pdf_file.read())
        subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), f"{SHOTS}/table-report-pdf"],
                       check=True)


def test_pdf_link_replaces_the_status_in_place_without_a_reload(page):
    org, officer, approver = make_people()
    report = published_report(org=org, author=officer, approver=approver)
    Report.objects.filter(pk=report.pk).update(pdf_state="pending")
    page.goto(f"/reports/{report.slug}/")
    page.evaluate("window.sameDocument = true")
    region = page.locator(".app-pdf-status")
    assert region.get_attribute("aria-live") == "polite"
    assert "being prepared" in region.inner_text()
    Report.objects.filter(pk=report.pk).update(pdf_state="ready",
                                               pdf_file=f"reports/{report.pdf_filename}")
    link = region.get_by_role("link", name="Download this report as a PDF")
    link.wait_for(timeout=20_000)
    assert page.evaluate("window.sameDocument") is True  # swapped in place, not reloaded
    assert link.get_attribute("href") == f"/reports/{report.slug}/v/1/pdf/"
    assert_accessible(page, "report page after the PDF arrived")


def test_staff_topic_pages_and_counts(page):
    org, officer, approver = make_people()
    officer.email = "officer@council.example"
    officer.save()
    report = table_report(org=org, author=officer)
    published = publish(table_report(org=org, author=officer, title="Out already"),
                        author=officer, approver=approver)
    services.useful_answer_record(report=published, useful=True)
    services.useful_answer_record(report=published, useful=False, comment="Too long.")
    sign_in(page, officer.email)

    page.goto(f"/staff/reports/{report.pk}/topics/")
    assert_accessible(page, "topics")
    shot(page, "staff-topics")
    page.get_by_role("button", name="Save topic").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "Enter the topic's name" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "topics with an error")
    fits(page)
    page.set_viewport_size({"width": 1024, "height": 800})
    page.get_by_label("Topic", exact=True).fill("Transport")
    page.get_by_role("button", name="Save topic").click()
    page.get_by_role("cell", name="Transport", exact=True).wait_for()
    page.get_by_role("button", name="Move up Transport").click()
    page.get_by_role("link", name="Rename Transport").click()
    assert_accessible(page, "rename a topic")
    page.get_by_label("Topic", exact=True).fill("Short breaks")
    page.get_by_role("button", name="Save topic").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "rename with an error")

    page.goto(f"/staff/reports/{report.pk}/")
    assert_accessible(page, "staff report with topics")
    page.goto(f"/staff/reports/{report.pk}/items/new/?topic={report.topics.first().pk}")
    assert_accessible(page, "item form with topics")
    page.get_by_role("button", name="Save item").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "item form with errors")
    page.goto(f"/staff/reports/{published.pk}/")
    assert "1 yes" in page.locator("#useful-counts").inner_text().replace("\n", " ")
    assert_accessible(page, "published report with useful counts")
