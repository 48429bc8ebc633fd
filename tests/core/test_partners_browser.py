"""Issue #12 end to end in Chromium, with no superuser and no Django admin:
the partnership administrator adds a parent carer forum and its
administrator; the forum's administrator adds an officer and an approver;
the officer imports a survey and drafts a report; the forum's approver
approves it; the officer publishes; the public page, archive, feed and PDF
name the forum as publisher. Screenshots go to SHOTS_DIR when it is set."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from core.audit import Verb
from core.models import AuditEvent, Membership, Organisation, Role, User
from reports.models import Report
from tests.conftest import assert_accessible, pdf_text, sign_in
from tests.core.factories import OrganisationFactory, ThemeFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHOTS_DIR", "")
PASSWORD = "a-forum-password-4821"


def shots(page, name: str) -> None:
    """Desktop and 320 px screenshots (when SHOTS_DIR is set); nothing is
    wider than 320 px either way."""
    for width in (1024, 320):
        page.set_viewport_size({"width": width, "height": 900})
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        if width == 320:
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, name
    page.set_viewport_size({"width": 1024, "height": 900})


def sign_out(page) -> None:
    # Leave the staff page first: its timeout script asks the server whether
    # the session is still on, and a "no" answer (the cookies just cleared)
    # would send it to the signed-out page while the test navigates elsewhere.
    page.goto("about:blank")
    page.context.clear_cookies()


def choose_password_from_welcome_email(page, email: str) -> None:
    """Open the link in the welcome e-mail (read from the test outbox, never
    logged) and choose a password."""
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    link = re.search(re.escape(settings.SITE_URL) + r"(/\S+)", message.body).group(1)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_load_state("load")
    sign_out(page)
    sign_in(page, email, PASSWORD)


def add_person(page, email, first, last, role_label):
    page.goto("/staff/people/")
    page.get_by_role("button", name="Add a person").click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_role("radio", name=re.compile(role_label)).check()
    page.get_by_role("button", name="Add person").click()
    page.get_by_text(f"{first} {last} added as").wait_for()


def test_a_forum_runs_its_own_report_from_survey_to_publication(page, tmp_path):
    lead = OrganisationFactory(name="Testshire County Council", is_partnership_lead=True)
    staff_user(Role.ADMINISTRATOR, lead, email="lead.admin@council.example")
    ThemeFactory(name="Information and the Local Offer")
    assert not User.objects.filter(is_superuser=True).exists()

    # 1. The partnership administrator adds the forum and its administrator.
    sign_in(page, "lead.admin@council.example")
    page.get_by_role("link", name="Organisations").click()
    assert_accessible(page, "organisations")
    shots(page, "organisations")
    page.get_by_role("button", name="Add an organisation").click()
    page.get_by_role("button", name="Save organisation").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "add an organisation, with errors")
    shots(page, "organisation-add-errors")
    page.get_by_label("Name", exact=True).fill("Testshire Parent Carer Forum")
    page.get_by_role("radio", name="Parent carer forum").check()
    page.get_by_label("Local area").fill("Testshire")
    page.get_by_label("Name families see (optional)").fill("Testshire PCF")
    page.get_by_role("button", name="Save organisation").click()
    page.get_by_role("heading", name="Add an administrator").wait_for()
    assert_accessible(page, "add an administrator")
    shots(page, "organisation-administrator")
    page.get_by_role("button", name="Add administrator").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "add an administrator, with errors")
    page.get_by_label("E-mail address").fill("chair@forum.example")
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Chair")
    page.get_by_role("button", name="Add administrator").click()
    page.get_by_text("Dana Chair is now an administrator of Testshire Parent Carer Forum").wait_for()
    forum = Organisation.objects.get(name="Testshire Parent Carer Forum")
    assert forum.kind == Organisation.Kind.PARENT_CARER_FORUM
    sign_out(page)

    # 2. The forum's administrator adds an officer and an approver, and
    # looks at the forum's settings.
    choose_password_from_welcome_email(page, "chair@forum.example")
    add_person(page, "jo@forum.example", "Jo", "Officer", "^Officer")
    add_person(page, "sam@forum.example", "Sam", "Approver", "^Manager")
    page.get_by_role("link", name="Settings for Testshire Parent Carer Forum").click()
    assert_accessible(page, "organisation settings")
    shots(page, "organisation-settings")
    page.get_by_label("Response target, in working days (optional)").fill("0")
    page.get_by_role("button", name="Save settings").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "organisation settings, with errors")
    shots(page, "organisation-settings-errors")
    page.get_by_label("Response target, in working days (optional)").fill("15")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Settings saved for Testshire Parent Carer Forum").wait_for()
    assert {(m.user.email, m.role) for m in Membership.objects.filter(organisation=forum)} == {
        ("chair@forum.example", Role.ADMINISTRATOR), ("jo@forum.example", Role.OFFICER),
        ("sam@forum.example", Role.APPROVER)}
    sign_out(page)

    # 3. The approver chooses their approval e-mails on their account page.
    choose_password_from_welcome_email(page, "sam@forum.example")
    page.goto("/staff/account/")
    assert_accessible(page, "account")
    shots(page, "account")
    page.get_by_label("First name").fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "account, with errors")
    page.get_by_label("First name").fill("Sam")
    page.get_by_role("radio", name=re.compile("each time")).check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Your account details are saved").wait_for()
    sign_out(page)

    # 4. The officer imports the forum's survey and drafts a report.
    choose_password_from_welcome_email(page, "jo@forum.example")
    csv_file = tmp_path / "forum-survey.csv"
    csv_file.write_text("Rating,Better\n5,Shorter waits\n4,Clearer letters\n2,More staff\n")
    page.goto("/staff/feedback/imports/new/")
    page.get_by_label("Name of the survey").fill("Forum annual survey")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("CSV or Excel file", exact=True).set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload and continue").click()
    page.get_by_label("Overall rating (1 to 5)").select_option("Rating")
    page.get_by_label("What could be even better").select_option("Better")
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 3 rows").click()
    page.locator(".govuk-panel--confirmation").wait_for()

    page.goto("/staff/reports/new/")
    page.get_by_label("Title").fill("Forum survey: you said, we did")
    page.get_by_role("radio", name="Annual survey").check()
    page.locator("#id_period_start_0").fill("1")
    page.locator("#id_period_start_1").fill("4")
    page.locator("#id_period_start_2").fill("2025")
    page.locator("#id_period_end_0").fill("31")
    page.locator("#id_period_end_1").fill("3")
    page.locator("#id_period_end_2").fill("2026")
    page.get_by_label("Summary").fill("What families told the forum's survey, and what changed.")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Add an item").click()
    page.get_by_label("Or put it under a new topic").fill("Letters")
    page.get_by_label("You said", exact=True).fill("Letters were hard to understand.")
    page.get_by_label("We did", exact=True).fill("The council rewrote its letters with the forum.")
    page.get_by_role("radio", name="Done").check()
    page.get_by_role("button", name="Save item").click()
    page.get_by_role("button", name="Send for review").click()
    report = Report.objects.get(title="Forum survey: you said, we did")
    assert report.organisation == forum and report.status == Report.Status.IN_REVIEW
    # The approver is told (the sign-in link in the e-mail is the portal's own).
    told = [m for m in mail.outbox if m.to == ["sam@forum.example"]
            and "Waiting for your approval" in m.subject]
    assert len(told) == 1 and f"/staff/reports/{report.pk}/" in told[0].body
    sign_out(page)

    # 5. The forum's approver approves it.
    sign_in(page, "sam@forum.example", PASSWORD)
    page.goto(f"/staff/reports/{report.pk}/")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state("load")
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED and report.approved_by.email == "sam@forum.example"
    sign_out(page)

    # 6. The officer publishes it, and the forum is the publisher everywhere.
    sign_in(page, "jo@forum.example", PASSWORD)
    page.goto(f"/staff/reports/{report.pk}/")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state("load")
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED
    sign_out(page)
    page.goto(f"/reports/{report.slug}/")
    assert "Testshire PCF" in page.locator("main").inner_text()
    page.goto("/reports/")
    assert "Published by Testshire PCF" in page.locator("main").inner_text()
    feed = page.request.get("/reports/feed/").text()
    assert "<name>Testshire PCF</name>" in feed or "Testshire PCF" in feed
    assert report.pdf_state == Report.PdfState.READY
    pdf = page.request.get(f"/reports/{report.slug}/v/{report.version}/pdf/").body()
    assert "Published by Testshire PCF" in pdf_text(pdf)
    assert not User.objects.filter(is_superuser=True).exists()
    assert AuditEvent.objects.filter(verb=Verb.ORGANISATION_ADDED).count() == 1
    assert AuditEvent.objects.filter(verb=Verb.ORGANISATION_SETTINGS_CHANGED).count() == 1


def test_the_way_through_when_nobody_else_may_approve_is_accessible(page):
    forum = OrganisationFactory(name="Testshire Parent Carer Forum")
    approver = staff_user(Role.APPROVER, forum, email="only.approver@forum.example")
    staff_user(Role.ADMINISTRATOR, forum, email="chair@forum.example", first_name="Dana",
               last_name="Chair")
    from reports import services as report_services
    from tests.reports.factories import draft_report

    report = draft_report(org=forum, author=approver)
    report_services.report_submit(acting_user=approver, report=report)
    sign_in(page, "only.approver@forum.example")
    page.goto(f"/staff/reports/{report.pk}/")
    page.get_by_text("No one can approve this report yet").wait_for()
    assert "Dana Chair" in page.locator("main").inner_text()
    assert_accessible(page, "report with no other approver")
    shots(page, "report-no-approver")
    sign_out(page)
    sign_in(page, "chair@forum.example")
    page.goto(f"/staff/reports/{report.pk}/")
    page.get_by_role("link", name="add an approver").click()
    assert page.get_by_role("radio", name=re.compile("^Manager")).is_checked()
    assert_accessible(page, "add a person, approver chosen")
