"""The evidence pack in Chromium, as an administrator meets it: the form
with its errors (axe, focus from the error summary), then the pack's page at
desktop width and at 320 px, checked by axe-core. Set REPORTS_SHOTS to a
folder to keep screenshots."""

import os
from pathlib import Path

import pytest

from reports.models import EvidencePack
from tests.conftest import assert_accessible, sign_in
from tests.reports.test_evidence_pack import build_portal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("REPORTS_SHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_an_administrator_makes_a_pack_through_the_errors_and_reads_it_at_two_widths(
        page, django_capture_on_commit_callbacks):
    portal = build_portal()
    portal.lead_admin.set_password("a-test-password-123")
    portal.lead_admin.save(update_fields=["password"])
    sign_in(page, portal.lead_admin.email)
    page.goto("/staff/evidence-pack/")
    assert_accessible(page, "evidence pack list")

    # Other dates, the end left out, and a heading emptied.
    page.get_by_label("Title").fill("Evidence for the monitoring visit")
    page.get_by_label("Other dates").check()
    page.get_by_role("group", name="Other dates: from").get_by_label("Day").fill("1")
    page.get_by_role("group", name="Other dates: from").get_by_label("Month").fill("9")
    page.get_by_role("group", name="Other dates: from").get_by_label("Year").fill("2025")
    page.get_by_label("Heading for “Our co-production charter”").fill("")
    page.get_by_role("button", name="Make the evidence pack").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Enter the date the period ends" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert page.get_by_label("Title").input_value() == "Evidence for the monitoring visit"
    assert_accessible(page, "evidence pack form with errors")
    shot(page, "evidence-form-errors")
    summary.get_by_role("link", name="Enter the date the period ends").click()
    assert page.evaluate("document.activeElement.id").startswith("id_period_end")

    page.get_by_role("group", name="Other dates: to").get_by_label("Day").fill("31")
    page.get_by_role("group", name="Other dates: to").get_by_label("Month").fill("8")
    page.get_by_role("group", name="Other dates: to").get_by_label("Year").fill("2026")
    page.get_by_label("Heading for “Our co-production charter”").fill("Our charter")
    page.get_by_role("button", name="Make the evidence pack").click()
    page.get_by_role("heading", level=1, name="Evidence for the monitoring visit").wait_for()
    assert EvidencePack.objects.get().heading("charter") == "Our charter"
    assert page.get_by_role("heading", level=2, name="Our charter").is_visible()
    assert_accessible(page, "evidence pack page")
    shot(page, "evidence-pack-desktop")

    page.set_viewport_size({"width": 320, "height": 900})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page, "evidence pack page at 320 px")
    shot(page, "evidence-pack-320")
