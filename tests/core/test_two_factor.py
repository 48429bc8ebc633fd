"""Two-factor sign-in (TOTP) and idle session expiry, with the settings
production has: administrators must use an authenticator app."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import Verb
from core.models import AuditEvent, Role
from tests.conftest import assert_accessible
from tests.core.factories import TEST_PASSWORD, OrganisationFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_rule(settings):
    settings.STAFF_TWO_FACTOR_REQUIRED_ROLES = ["administrator"]


@pytest.fixture
def org():
    return OrganisationFactory(name="Testshire County Council")


def code_for(device, *, steps_ahead: int = 0) -> str:
    """What the person's app shows now (or a step later: a code is used once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content
    return response


def test_production_settings_require_it_for_administrators():
    from sendportal.settings import base

    assert base.STAFF_TWO_FACTOR_REQUIRED_ROLES == ["administrator"]
    assert base.SESSION_COOKIE_AGE == 30 * 60


def test_an_administrator_must_set_up_an_app_before_any_staff_page_opens(client, org):
    admin = staff_user(Role.ADMINISTRATOR, org)
    sign_in(client, admin)
    response = client.get(reverse("staff:people"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two-factor-setup')}?next=/staff/people/"
    # Not around it through the account page either.
    assert client.get(reverse("account"))["Location"].startswith(reverse("two-factor-setup"))

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"<svg" in page.content and b"QR code to scan with your authenticator app" in page.content
    device = TOTPDevice.objects.get(user=admin, confirmed=False)

    wrong = client.post(reverse("two-factor-setup"), {"code": "000000", "next": "/staff/people/"})
    assert wrong.status_code == 400
    assert "The code is not right" in wrong.text
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong try above slowed the next one down
    device.throttling_failure_timestamp = None
    device.save()

    done = client.post(reverse("two-factor-setup"),
                       {"code": code_for(device), "next": "/staff/people/"})
    assert done.status_code == 302 and done["Location"] == "/staff/people/"
    assert client.get(reverse("staff:people")).status_code == 200
    assert AuditEvent.objects.filter(verb=Verb.TWO_FACTOR_TURNED_ON).count() == 1
    device.refresh_from_db()
    assert device.confirmed


def test_with_an_app_the_code_is_asked_for_after_the_password(client, org):
    officer = staff_user(Role.OFFICER, org)
    device = TOTPDevice.objects.create(user=officer, name="App", confirmed=True)
    sign_in(client, officer)
    response = client.get(reverse("staff:feedback:inbox"))
    assert response["Location"] == f"{reverse('two-factor')}?next=/staff/feedback/"
    # Owing the code, the person cannot turn two-factor sign-in off.
    client.post(reverse("two-factor-turn-off"))
    assert TOTPDevice.objects.filter(user=officer).exists()

    assert client.post(reverse("two-factor"), {"code": ""}).status_code == 400
    bad = client.post(reverse("two-factor"), {"code": "12ab56"})
    assert "Enter the code as 6 digits" in bad.text
    ok = client.post(reverse("two-factor"),
                     {"code": code_for(device), "next": "/staff/feedback/"})
    assert ok["Location"] == "/staff/feedback/"
    assert client.get(reverse("staff:feedback:inbox")).status_code == 200


def test_a_used_code_cannot_be_used_again_and_guessing_is_slowed(client, org):
    officer = staff_user(Role.OFFICER, org)
    device = TOTPDevice.objects.create(user=officer, name="App", confirmed=True)
    sign_in(client, officer)
    code = code_for(device)
    assert client.post(reverse("two-factor"), {"code": code}).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, officer)
    replay = client.post(reverse("two-factor"), {"code": code})
    assert replay.status_code == 400  # the same code, seen by someone over a shoulder
    again = client.post(reverse("two-factor"), {"code": code_for(device, steps_ahead=1)})
    assert "Too many wrong codes" in again.text  # even the right one waits after a wrong one


def test_an_offsite_next_address_is_not_followed(client, org):
    officer = staff_user(Role.OFFICER, org)
    device = TOTPDevice.objects.create(user=officer, name="App", confirmed=True)
    sign_in(client, officer)
    response = client.post(reverse("two-factor"),
                           {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("staff:home")


def test_officers_may_turn_it_on_and_off_administrators_may_not_turn_it_off(client, org):
    officer = staff_user(Role.OFFICER, org)
    client.force_login(officer)
    assert b"Set up two-factor sign-in" in client.get(reverse("account")).content
    client.get(reverse("two-factor-setup"))
    device = TOTPDevice.objects.get(user=officer)
    client.post(reverse("two-factor-setup"), {"code": code_for(device)})
    assert "On: we ask for a code" in client.get(reverse("account")).text
    assert client.post(reverse("two-factor-turn-off")).status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()

    admin = staff_user(Role.ADMINISTRATOR, org)
    TOTPDevice.objects.create(user=admin, name="App", confirmed=True)
    client.force_login(admin)
    client.session.pop("two_factor_owed", None)
    assert client.post(reverse("two-factor-turn-off")).status_code in (302, 403)
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_sessions_end_after_thirty_idle_minutes_and_work_moves_the_end_on(client, org):
    officer = staff_user(Role.OFFICER, org)
    client.force_login(officer)
    assert client.get(reverse("staff:home")).status_code == 200
    key = client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    assert timedelta(minutes=29) < expiry - timezone.now() <= timedelta(minutes=30)

    # A request more than a minute after the last renewal moves the end on...
    session = client.session
    session["seen_at"] = int(time.time()) - 120
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now()
                                                   + timedelta(minutes=5))
    client.get(reverse("staff:home"))
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed - timezone.now() > timedelta(minutes=29)

    # ...and 30 idle minutes end it: the row's expiry passes, and so does its
    # cached copy's (kept for the session's own lifetime).
    Session.objects.filter(session_key=key).update(expire_date=timezone.now()
                                                   - timedelta(seconds=1))
    caches["derived"].delete(KEY_PREFIX + key)
    response = client.get(reverse("staff:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_are_accessible_and_errors_land_on_the_field(page, org, settings):
    settings.STAFF_TWO_FACTOR_REQUIRED_ROLES = ["administrator"]
    admin = staff_user(Role.ADMINISTRATOR, org, email="admin@council.example")
    page.goto("/staff/account/sign-in/")
    page.get_by_label("E-mail address").fill(admin.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
    assert_accessible(page, "two-factor set-up")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert_accessible(page, "two-factor set-up: error")
    page.locator(".govuk-error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_code"
    device = TOTPDevice.objects.get(user=admin)
    page.get_by_label("Code from your authenticator app").fill(code_for(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_text("Two-factor sign-in is on").wait_for()
    page.goto("/staff/account/")
    assert_accessible(page, "your account")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1024, "height": 800})

    page.get_by_role("button", name="Sign out").click()
    page.goto("/staff/account/sign-in/")
    page.get_by_label("E-mail address").fill(admin.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Enter the code from your authenticator app").wait_for()
    assert_accessible(page, "two-factor code")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page, "two-factor code: error")
    page.get_by_label("Code from your authenticator app").fill(code_for(device, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/staff/")
