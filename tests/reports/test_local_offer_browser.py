"""Done means 1 of issue 23, in Chromium: an officer codes Local Offer
comments and leaves two out (one for each of two reasons), drafts the annual
report, is told which comments lack a response, answers them and sends it
for review; an approver publishes it; the public page and the PDF show the
counts by code and by reason, and no left-out comment's words and no contact
details (canaries). Every page on the way is checked with axe-core, error
states too. Set REPORTS_SHOTS to a folder to keep screenshots."""

import os
from pathlib import Path

import pytest

from reports.models import Report
from reports.tasks import render_report_pdf
from tests.conftest import assert_accessible, pdf_text, sign_in
from tests.reports.factories import make_people
from tests.reports.local_offer import CANARIES, PUBLISHED_QUOTE, comments_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("REPORTS_SHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")


def code(page, feedback, *, about=False, matter, reason, check_error=False):
    page.goto(f"/staff/feedback/{feedback.pk}/")
    if about:
        page.get_by_label("This is about the Local Offer").check()
    page.get_by_role("group", name="Can it be published").get_by_label(reason).check()
    if check_error:
        page.get_by_role("group", name="What is the comment about?").get_by_label(
            "Not coded yet").check()
        page.get_by_role("button", name="Save Local Offer coding").click()
        summary = page.locator(".govuk-error-summary")
        summary.wait_for()
        assert "Choose what the comment is about" in summary.inner_text()
        summary.get_by_role("link").first.click()
        assert page.evaluate("document.activeElement.name") == "code"
        assert_accessible(page, "Local Offer coding with an error")
        shot(page, "coding-error")
    page.get_by_role("group", name="What is the comment about?").get_by_label(matter).check()
    page.get_by_role("button", name="Save Local Offer coding").click()
    page.get_by_text("Local Offer coding saved").wait_for()
    assert "Left out of publication" in page.locator("main").inner_text()


def test_officer_codes_drafts_answers_and_sends_an_approver_publishes(page):
    org, officer, approver = make_people()
    officer.email, approver.email = "officer@council.example", "approver@council.example"
    officer.save()
    approver.save()
    year = comments_year(org=org, officer=officer, approver=approver)

    sign_in(page, officer.email)
    code(page, year.comments["vexatious"], matter="Content and quality",
         reason="No: vexatious", check_error=True)
    assert_accessible(page, "feedback with its Local Offer coding")
    shot(page, "coded")
    code(page, year.comments["one_person"], about=True, matter="Content and quality",
         reason="No: about the services given to a particular person")

    page.goto("/staff/reports/")
    page.get_by_role("button", name="Draft the annual Local Offer report").click()
    assert_accessible(page, "draft the annual Local Offer report")
    page.get_by_role("radio", name="Other dates").check()
    page.get_by_role("button", name="Draft the report").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "draft the annual Local Offer report, with errors")
    page.get_by_role("radio", name="2025–26 (September 2025 to August 2026)").check()
    page.get_by_role("button", name="Draft the report").click()
    page.get_by_role("heading", name="Comments and figures").wait_for()
    report = Report.objects.get()
    assert "Say how families were involved" in page.locator(".govuk-warning-text").inner_text()
    page.get_by_label("How were families involved").fill(
        "Twelve parents and four young people tested the new pages in two workshops.")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("How families were involved is saved").wait_for()
    assert_accessible(page, "comments and figures")
    shot(page, "comments-and-figures")

    # Each drafted item waits for the officer's response.
    page.goto(f"/staff/reports/{report.pk}/")
    assert_accessible(page, "drafted Local Offer report")
    for item in report.items.order_by("pk"):
        page.goto(f"/staff/reports/{report.pk}/items/{item.pk}/")
        page.get_by_label("We did").fill("We rewrote these pages with parents in March.")
        page.get_by_role("button", name="Save item").click()
        page.wait_for_url(f"**/staff/reports/{report.pk}/**")

    # Sending it is refused while comments have no response: they are listed.
    page.goto(f"/staff/reports/{report.pk}/")
    page.get_by_role("button", name="Send for review").click()
    error = page.locator(".govuk-notification-banner, .govuk-error-summary").first
    error.wait_for()
    assert "4 comments on the Local Offer in this period have no response yet" in \
        error.inner_text()
    page.goto(f"/staff/reports/{report.pk}/local-offer/")
    links = page.locator("#unanswered ~ ul a")
    references = sorted(links.all_inner_texts())
    assert references == sorted(year.comments[k].reference for k in (
        "reader", "dyslexia", "vexatious", "one_person"))
    for reference in references:
        page.goto(f"/staff/reports/{report.pk}/local-offer/")
        page.get_by_role("link", name=reference).click()
        page.get_by_role("heading", name=reference).wait_for()
        page.get_by_role("radio", name="Thank you (no change needed)").check()
        page.get_by_label("Reply to the family").fill("Thank you for telling us.")
        page.get_by_role("button", name="Send reply").click()
        page.get_by_text("Reply sent to the family").wait_for()
    page.goto(f"/staff/reports/{report.pk}/local-offer/")
    assert "Every comment on the Local Offer in this period has a response" in \
        page.locator("main").inner_text()
    page.goto(f"/staff/reports/{report.pk}/")
    page.get_by_role("button", name="Send for review").click()
    page.get_by_text("Sent for review").first.wait_for()
    sign_out(page)

    sign_in(page, approver.email)
    page.goto(f"/staff/reports/{report.pk}/")
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Approved").first.wait_for()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Published. The PDF is being prepared.").wait_for()
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED
    render_report_pdf(report.pk)
    report.refresh_from_db()

    page.goto(f"/reports/{report.slug}/")
    main = page.locator("main").inner_text()
    assert "We received 7 comments on the Local Offer in this period." in main
    by_reason = page.get_by_role("table", name="Comments not published, by reason")
    assert by_reason.get_by_role("row", name="Vexatious 1").count() == 1
    assert by_reason.get_by_role("row",
                                 name="About the services given to a particular person 1"
                                 ).count() == 1
    by_code = page.get_by_role("table", name="Comments published in this report")
    assert by_code.get_by_role("row", name="Accessibility of the information 2").count() == 1
    assert PUBLISHED_QUOTE in main
    html = page.content()
    for canary in CANARIES:
        assert canary not in html
    assert_accessible(page, "published annual Local Offer report")
    shot(page, "published")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    shot(page, "published-320")

    text = " ".join(pdf_text(report.pdf_file.read()).split())
    assert "Vexatious 1" in text and "Accessibility of the information 2" in text
    for canary in CANARIES:
        assert canary not in text
