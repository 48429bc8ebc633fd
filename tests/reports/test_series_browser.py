"""Issue 19's pages in Chromium: the series page with its current and
previous reports, a report with interim updates beside it, the staff report
page and form with the new fields, and renaming a series — axe-core, 320 px,
error summaries that land on their field (the Nu Html Checker reads every
page at the end of the session). Set REPORTS_SHOTS to keep screenshots."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.conftest import assert_accessible, sign_in
from tests.reports.factories import make_people, publish, table_report
from tests.reports.test_yswd_browser import fits, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _series(org, officer, approver):
    first = publish(table_report(org=org, author=officer, title="Local Offer report 2024–25",
                                 start=date(2024, 9, 1), end=date(2025, 8, 31),
                                 new_series="Local Offer annual reports"),
                    author=officer, approver=approver)
    series = first.series
    made = [first]
    for title, end, edition in (("Local Offer report 2025–26", date(2026, 8, 31), "full"),
                                ("Local Offer update, autumn 2025", date(2025, 12, 31), "update"),
                                ("Local Offer update, spring 2026", date(2026, 3, 31), "update")):
        made.append(publish(table_report(org=org, author=officer, title=title,
                                         start=date(2025, 9, 1), end=end, edition=edition,
                                         period_kind="academic_year" if edition == "full"
                                         else "custom",
                                         series=series, evidence_heading="Evidence or feedback"),
                            author=officer, approver=approver))
    return series, made


def _focus_lands_on_its_field(page, where):
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    links = summary.locator("a")
    assert links.count() >= 1, where
    for n in range(links.count()):
        link = links.nth(n)
        target = link.get_attribute("href").lstrip("#")
        link.click()
        assert page.evaluate("document.activeElement.id") == target, (where, target)


def test_series_and_report_pages(page):
    org, officer, approver = make_people()
    series, (first, annual, autumn, spring) = _series(org, officer, approver)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/reports/series/{series.slug}/")
    assert page.get_by_role("heading", name="Current report").count() == 1
    assert page.get_by_role("heading", name="Previous reports").count() == 1
    assert_accessible(page, "series page")
    shot(page, "series")
    fits(page)
    assert_accessible(page, "series page at 320 px")
    shot(page, "series-320")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/reports/{spring.slug}/")
    assert page.get_by_role("columnheader", name="Evidence or feedback").count() == 3
    assert page.locator('a[rel="next"]').get_attribute("href") == f"/reports/{annual.slug}/"
    assert page.locator('a[rel="prev"]').get_attribute("href") == f"/reports/{autumn.slug}/"
    assert_accessible(page, "interim update")
    shot(page, "update")
    fits(page)
    assert_accessible(page, "interim update at 320 px")
    shot(page, "update-320")


def test_staff_report_form_and_renaming_a_series(page):
    org, officer, approver = make_people()
    officer.email = "officer@council.example"
    officer.save()
    draft = table_report(org=org, author=officer, title="Local Offer report 2018–19",
                         start=date(2018, 9, 1), end=date(2019, 8, 31),
                         new_series="Local Offer annual reports")
    sign_in(page, officer.email)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/staff/reports/{draft.pk}/")
    assert_accessible(page, "staff report")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_role("radio", name="Interim update").check()
    group = page.get_by_role("group", name="First published (optional)")
    group.get_by_label("Day").fill(str(tomorrow.day))
    group.get_by_label("Month").fill(str(tomorrow.month))
    group.get_by_label("Year").fill(str(tomorrow.year))
    page.get_by_role("button", name="Save").click()
    _focus_lands_on_its_field(page, "first published in the future")
    assert_accessible(page, "staff report, first published in the future")
    shot(page, "staff-report-error")
    fits(page)
    assert_accessible(page, "staff report error at 320 px")
    page.set_viewport_size({"width": 1280, "height": 900})
    group = page.get_by_role("group", name="First published (optional)")
    group.get_by_label("Day").fill("14")
    group.get_by_label("Month").fill("10")
    group.get_by_label("Year").fill("2019")
    page.get_by_label("Heading of the third column (optional)").fill("Evidence or feedback")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Report details saved").wait_for()
    assert page.get_by_text("Evidence or feedback", exact=True).count() >= 1
    shot(page, "staff-report")

    page.get_by_role("link", name="Rename the series Local Offer annual reports").click()
    assert_accessible(page, "rename a series")
    page.get_by_label("Name of the series").fill("")
    page.get_by_role("button", name="Save").click()
    _focus_lands_on_its_field(page, "rename a series, empty")
    assert_accessible(page, "rename a series with an error")
    fits(page)
    shot(page, "rename-series-error-320")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Name of the series").fill("Local Offer reports")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Series renamed").wait_for()
    assert "Series: Local Offer reports" in page.content()
    fits(page)
    assert_accessible(page, "staff report at 320 px")
    shot(page, "staff-report-320")
