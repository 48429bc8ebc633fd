"""Staff sessions end after 30 idle minutes (WCAG 2.2.1 Timing adjustable):
a warning two minutes before, a way to stay signed in, back to the same page
after signing in again, and nothing typed lost on the way.

The browser tests drive the page's clock (Playwright's page.clock) and say how
long the session has been idle by moving its last-seen time back, so nothing
waits for real minutes to pass."""

import os
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX, SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import Role
from feedback.models import InternalNote
from reports.models import Report
from tests.conftest import assert_accessible, sign_in, wait_until
from tests.core.factories import TEST_PASSWORD, OrganisationFactory, staff_user
from tests.core.test_two_factor import code_for
from tests.feedback.factories import FeedbackFactory
from tests.reports.factories import make_people, published_report

SHOTS = os.environ.get("SESSION_SHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def org():
    return OrganisationFactory(name="Testshire County Council")


# --- Signing in returns to the page ---------------------------------------------------


@pytest.mark.django_db
def test_next_is_kept_through_the_sign_in_form_and_the_two_factor_step(client, org):
    officer = staff_user(Role.OFFICER, org)
    TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    device = TOTPDevice.objects.get(user=officer)
    page = "/staff/feedback/?status=received&overdue=1"

    to_sign_in = client.get(page)["Location"]
    assert to_sign_in == f"{reverse('login')}?next={quote(page, safe='/')}"
    form = client.get(to_sign_in).content.decode()
    assert f'<input type="hidden" name="next" value="{page.replace("&", "&amp;")}">' in form

    signed_in = client.post(to_sign_in, {"username": officer.email, "password": TEST_PASSWORD,
                                         "next": page})
    assert signed_in["Location"] == page
    to_code = client.get(page)["Location"]
    assert to_code == f"{reverse('two-factor')}?next={quote(page, safe='/')}"
    assert client.get(to_code).context["next"] == page
    done = client.post(to_code, {"code": code_for(device), "next": page})
    assert done["Location"] == page


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/staff/", "//evil.example/",
                                    "/\\evil.example", "javascript:alert(1)"])
def test_only_addresses_on_this_site_are_followed_after_signing_in(client, org, target):
    officer = staff_user(Role.OFFICER, org)
    response = client.post(f"{reverse('login')}?next={quote(target)}",
                           {"username": officer.email, "password": TEST_PASSWORD,
                            "next": target})
    assert response["Location"] == reverse("staff:home")
    client.logout()
    signed_out = client.get(reverse("signed-out"), {"next": target}).content.decode()
    assert "evil" not in signed_out and "javascript" not in signed_out


@pytest.mark.django_db
def test_the_signed_out_page_opened_while_signed_in_goes_on_to_the_page(client, org):
    """An old tab or a bookmark of the signed-out page must not tell a person
    who is signed in that they were signed out."""
    client.force_login(staff_user(Role.OFFICER, org))
    inbox = reverse("staff:feedback:inbox")
    assert client.get(reverse("signed-out"), {"next": inbox})["Location"] == inbox
    assert client.get(reverse("signed-out"), {"next": "//evil.example/"})["Location"] == reverse("staff:home")
    client.logout()
    assert "signed out" in client.get(reverse("signed-out"), {"next": inbox}).content.decode()


@pytest.mark.django_db
def test_a_form_posted_after_the_session_ended_goes_to_sign_in_and_back_to_its_page(client, org):
    officer = staff_user(Role.OFFICER, org)
    report = published_report(org=org, author=officer,
                              approver=staff_user(Role.APPROVER, org))
    form_page = reverse("staff:reports:edit", args=[report.pk])
    posted = client.post(reverse("staff:reports:workflow", args=[report.pk]),
                         {"action": "withdraw", "reason": "Out of date"},
                         HTTP_REFERER=f"http://testserver{form_page}")
    assert posted["Location"] == f"{reverse('login')}?next={quote(form_page, safe='/')}"
    assert "Out+of+date" not in posted["Location"] and "Out%20of" not in posted["Location"]
    # Another site's Referer is never followed.
    elsewhere = client.post(reverse("staff:reports:workflow", args=[report.pk]),
                            {"action": "withdraw"}, HTTP_REFERER="https://evil.example/x/")
    assert "evil" not in elsewhere["Location"]


@pytest.mark.django_db
def test_asking_how_long_is_left_does_not_renew_the_session_and_staying_does(client, org):
    officer = staff_user(Role.OFFICER, org)
    client.force_login(officer)
    session = client.session
    session["seen_at"] = int(time.time()) - 1700
    session.save()
    key = session.session_key
    before = Session.objects.get(session_key=key).expire_date

    status = client.get(reverse("session-status")).json()
    assert status["signed_in"] and 95 <= status["seconds_left"] <= 100
    assert Session.objects.get(session_key=key).expire_date == before

    stayed = client.post(reverse("session-stay-signed-in"), HTTP_ACCEPT="application/json")
    assert 1795 <= stayed.json()["seconds_left"] <= 1800
    assert Session.objects.get(session_key=key).expire_date > before
    client.logout()
    assert client.get(reverse("session-status"))["Location"].startswith(reverse("login"))


@pytest.mark.django_db(transaction=True)  # kept pages are made only outside a transaction
def test_a_kept_staff_page_takes_its_timing_from_the_server_not_from_when_it_was_made(
        client, org, settings):
    import re

    from django.core.cache import caches

    caches["staff_pages"].clear()
    settings.STAFF_PAGE_CACHE_SECONDS = 300
    client.force_login(staff_user(Role.OFFICER, org))
    made = client.get(reverse("staff:home"))
    kept = client.get(reverse("staff:home"))
    assert kept["X-Page-Cache"] == "hit"
    token = re.compile(r'value="[A-Za-z0-9]{64}"')
    dialogs = [token.sub("", re.search(r"<dialog.*?</dialog>", r.content.decode(), re.S).group())
               for r in (made, kept)]
    assert dialogs[0] == dialogs[1]  # nothing in it says when the page was made
    assert f'data-status-url="{reverse("session-status")}"' in dialogs[1]
    session = client.session
    session["seen_at"] = int(time.time()) - (30 * 60 - 100)
    session.save()
    assert 95 <= client.get(reverse("session-status")).json()["seconds_left"] <= 100
    # Opening a kept page is work: the session's end moves on, and the script hears it.
    assert client.get(reverse("staff:home"))["X-Page-Cache"] == "hit"
    assert client.get(reverse("session-status")).json()["seconds_left"] >= 30 * 60 - 5
    caches["staff_pages"].clear()


# --- In the browser -------------------------------------------------------------------


def idle_for(page, seconds: int) -> None:
    """As if the person had done nothing for `seconds`: their session's last
    request is moved back (the server's idle clock), without renewing it.
    First the page's own question on opening must have been answered."""
    page.wait_for_load_state("networkidle")
    key = next(c["value"] for c in page.context.cookies()
               if c["name"] == settings.SESSION_COOKIE_NAME)
    store = SessionStore(session_key=key)
    store["seen_at"] = int(time.time()) - seconds
    store.save()


def open_warning(page) -> None:
    """Move the page's clock to the time its script asks the server again."""
    page.clock.fast_forward("29:00")
    page.get_by_role("dialog", name="You are about to be signed out").wait_for()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_warning_two_minutes_before_the_end_and_stay_signed_in_renews(page, org):
    staff_user(Role.OFFICER, org, email="officer@council.example")
    page.clock.install()
    sign_in(page, "officer@council.example")
    page.goto("/staff/")
    dialog = page.get_by_role("dialog", name="You are about to be signed out")
    assert not dialog.is_visible()

    idle_for(page, 30 * 60 - 90)
    open_warning(page)
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Stay signed in"
    assert dialog.get_attribute("aria-describedby") == "app-timeout-spoken"
    countdown = page.locator("[data-timeout-countdown]")
    spoken = page.locator("[data-timeout-spoken]")
    shown, said = countdown.inner_text(), spoken.inner_text()
    assert "1 minute" in shown and said.startswith("For your security, we will sign you out in")
    page.clock.run_for(3000)
    assert countdown.inner_text() != shown  # counts down on screen...
    assert spoken.inner_text() == said  # ...but is not read out every second
    assert_accessible(page, "timeout warning open")
    shot(page, "warning-1280")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    shot(page, "warning-320")
    page.set_viewport_size({"width": 1280, "height": 800})

    # Escape keeps the person signed in: the server starts the idle time again.
    page.keyboard.press("Escape")
    wait_until(page, "!document.getElementById('app-timeout').open")
    status = page.request.get("/staff/account/session/").json()
    assert status["seconds_left"] > 30 * 60 - 10

    # So does the button, by keyboard.
    idle_for(page, 30 * 60 - 60)
    open_warning(page)
    page.keyboard.press("Enter")
    wait_until(page, "!document.getElementById('app-timeout').open")
    assert page.request.get("/staff/account/session/").json()["seconds_left"] > 30 * 60 - 10
    assert page.url.endswith("/staff/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_when_time_runs_out_the_officer_is_signed_out_and_gets_their_text_back(page, org):
    officer = staff_user(Role.OFFICER, org, email="officer@council.example")
    feedback = FeedbackFactory(organisation=org)
    form_page = f"/staff/feedback/{feedback.pk}/"
    typed = "Rang the family: the EHCP review is booked for 3 June."
    page.clock.install()
    sign_in(page, officer.email)
    page.goto(form_page)
    page.get_by_label("Add an internal note").fill(typed)

    idle_for(page, 30 * 60 - 90)
    open_warning(page)
    idle_for(page, 30 * 60)  # and the officer is still away when the countdown ends
    page.clock.fast_forward("02:00")
    page.get_by_role("heading", name="You have been signed out").wait_for()
    assert typed.split()[0] not in page.url and "EHCP" not in page.url
    assert page.request.get("/staff/account/session/", max_redirects=0).status == 302
    assert_accessible(page, "signed out after the timeout")
    shot(page, "signed-out")

    page.get_by_role("button", name="Sign in again").click()
    page.get_by_label("E-mail address").fill(officer.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlsplit(url).path == form_page)  # not sign-in?next=…
    page.get_by_text("We have put back what you typed").wait_for()
    assert page.get_by_label("Add an internal note").input_value() == typed
    assert_accessible(page, "text put back after signing in again")
    shot(page, "text-put-back")

    page.get_by_role("button", name="Add note").click()
    page.get_by_text("Note added").wait_for()
    page.wait_for_load_state("load")  # the page's scripts have run
    assert InternalNote.objects.filter(feedback=feedback, text=typed).exists()
    # Sent: nothing of it is left in the browser.
    assert page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('sendportal-draft'))"
                         ".length") == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_form_sent_after_the_session_ended_keeps_its_text_through_sign_in(page, org):
    officer = staff_user(Role.OFFICER, org, email="officer@council.example")
    feedback = FeedbackFactory(organisation=org)
    form_page = f"/staff/feedback/{feedback.pk}/"
    typed = "Called back; they would like a meeting after school."
    sign_in(page, officer.email)
    page.goto(form_page)
    page.get_by_label("Add an internal note").fill(typed)
    # Ended while the laptop was closed (no warning ran): the row, and its
    # cached copy, whose lifetime is the session's.
    for key in Session.objects.values_list("session_key", flat=True):
        caches["derived"].delete(KEY_PREFIX + key)
    Session.objects.all().delete()

    page.get_by_role("button", name="Add note").click()
    page.get_by_role("heading", name="Sign in to the staff area").wait_for()
    assert "meeting" not in page.url
    page.get_by_label("E-mail address").fill(officer.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlsplit(url).path == form_page)  # not sign-in?next=…
    page.get_by_text("We have put back what you typed").wait_for()
    assert page.get_by_label("Add an internal note").input_value() == typed
    assert not InternalNote.objects.filter(feedback=feedback).exists()

    # Signing out on purpose leaves nothing typed behind in the tab.
    page.get_by_label("Add an internal note").fill(typed + " More.")
    page.locator("header").get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")
    assert page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('sendportal-draft'))"
                         ".length") == 0


# --- Progress pages update in place ---------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_staff_report_page_keeps_typed_text_when_its_pdf_finishes(page):
    org, officer, approver = make_people()
    approver.email = "approver@council.example"  # who may withdraw, with a reason
    approver.save()
    report = published_report(org=org, author=officer, approver=approver)
    Report.objects.filter(pk=report.pk).update(pdf_state="pending")
    sign_in(page, approver.email)
    page.goto(f"/staff/reports/{report.pk}/")
    page.evaluate("window.sameDocument = true")
    reason = page.locator("textarea").last
    reason.fill("Superseded by the autumn report")
    Report.objects.filter(pk=report.pk).update(pdf_state="failed", pdf_error="font missing")
    page.get_by_text("The PDF version is not available").wait_for(timeout=20_000)
    assert page.evaluate("window.sameDocument") is True
    assert reason.input_value() == "Superseded by the autumn report"
    assert_accessible(page, "staff report page after the PDF failed")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_import_page_shows_the_end_in_place_without_reloading(page):
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from feedback.models import SurveyImport

    org, officer, _ = make_people()
    officer.email = "officer@council.example"
    officer.save()
    survey = SurveyImport.objects.create(
        title="Annual survey", organisation=org, received_on=date(2026, 3, 31),
        file=SimpleUploadedFile("s.csv", b"Rating\n5\n"), file_sha256="x", uploaded_by=officer,
        state="importing", total_rows=1200, processed_rows=400, mapping={})
    sign_in(page, officer.email)
    page.goto(f"/staff/feedback/imports/{survey.pk}/")
    page.evaluate("window.sameDocument = true")
    SurveyImport.objects.filter(pk=survey.pk).update(state="imported", processed_rows=1200,
                                                     created_rows=1200)
    link = page.get_by_role("link", name="See the imported rows and statistics")
    link.wait_for(timeout=20_000)
    assert page.evaluate("window.sameDocument") is True
    region = page.locator("[aria-live=polite]")
    assert "Imported: 1,200 of 1,200 rows" in region.inner_text()
    assert "Refresh this page" not in region.inner_text()
    assert_accessible(page, "import finished, shown in place")
