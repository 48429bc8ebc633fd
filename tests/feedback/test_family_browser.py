"""The private link after sending feedback, in Chromium: reached, opened and
copied with the keyboard alone, at 320 px, with and without JavaScript; and
the "Feedback sent" address opened later (a bookmark). Client-level tests:
test_family_pages.py."""

import re
from pathlib import Path

import pytest

from tests.conftest import assert_accessible, wait_until
from tests.core.factories import OrganisationFactory, ServiceAreaFactory
from tests.feedback.test_browser import tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-family")
PRIVATE_URL = re.compile(r"http://[^/]+/feedback/track/[A-Za-z0-9_-]{40,}/")


@pytest.fixture
def area():
    OrganisationFactory(name="Testshire County Council")
    return ServiceAreaFactory(name="Local Offer")


def _send_standard(page, area):
    page.goto("/feedback/give/")
    page.locator("input[name=service_areas]").first.check()
    page.locator("textarea[name=even_better_if]").fill("Age groups, please.")
    page.locator("input[name=respondent][value=parent_carer]").check()
    page.locator("input[name=consent_to_quote][value=no]").check()
    page.locator("input[name=wants_contact][value=no]").check()
    page.get_by_role("button", name="Send feedback").click()


def _send_easy_read(page, area):
    """The easy-read form's fields, posted as its page would (its page is
    being reworked elsewhere; what is tested here is the page after it)."""
    page.goto("/feedback/give/easy-read/")
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    response = page.request.post("/feedback/give/easy-read/", max_redirects=0, form={
        "csrfmiddlewaretoken": token, "feeling": "1", "better": "A quiet room at lunch.",
        "who": "young_person", "wants_contact": "no"})
    assert response.status == 302
    page.goto("/feedback/give/sent/")


def _fits(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("send", [_send_standard, _send_easy_read], ids=["standard", "easy-read"])
def test_the_private_link_is_reached_copied_and_opened_with_the_keyboard(page, area, send):
    name = send.__name__.removeprefix("_send_")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    send(page, area)
    page.locator(".govuk-panel--confirmation").wait_for()
    link = page.locator("a#private-link")
    private_url = link.get_attribute("href")
    assert PRIVATE_URL.fullmatch(private_url) and link.inner_text() == private_url
    assert "You need this link to read our reply" in page.locator("main").inner_text()
    assert_accessible(page, f"feedback sent ({name})")

    # At 320 px, from the top of the page, the keyboard reaches the link, then
    # the button.
    assert _fits(page, 320), "the page scrolls sideways at 320 px"
    page.locator("body").focus()
    tab_to(page, "a#private-link")
    tab_to(page, ".app-copy-link button")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Copy link"
    page.keyboard.press("Enter")
    wait_until(page, "document.getElementById('private-link-status').textContent === 'Link copied'")
    assert page.evaluate("navigator.clipboard.readText()") == private_url
    assert page.get_by_role("status").inner_text() == "Link copied"
    assert_accessible(page, f"feedback sent, link copied ({name})")

    SHOTS.mkdir(exist_ok=True)
    assert _fits(page, 320), "the page scrolls sideways at 320 px"
    assert link.bounding_box()["x"] + link.bounding_box()["width"] <= 320
    page.screenshot(path=str(SHOTS / f"sent-{name}-320.png"), full_page=True)
    assert _fits(page, 1280)
    page.screenshot(path=str(SHOTS / f"sent-{name}-1280.png"), full_page=True)

    # Enter on the link opens the family's own page: what a bookmark should keep.
    page.locator("body").focus()
    tab_to(page, "a#private-link")
    page.keyboard.press("Enter")
    page.wait_for_url(private_url)
    assert page.locator("h1").inner_text().startswith("FB-")
    assert_accessible(page, f"private page from the link ({name})")


def test_without_javascript_the_link_still_works_and_no_dead_button_shows(
        browser, live_server, area):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        _send_standard(page, area)
        page.locator(".govuk-panel--confirmation").wait_for()
        assert not page.get_by_role("button", name="Copy link").is_visible()
        private_url = page.locator("a#private-link").get_attribute("href")
        page.locator("a#private-link").click()
        page.wait_for_url(private_url)
    finally:
        context.close()


def test_the_sent_address_opened_later_explains_where_to_go(page, area):
    """A bookmark of /feedback/give/sent/, or the address in another browser
    or after an hour: not an empty form, but what to do instead."""
    _send_standard(page, area)
    page.locator(".govuk-panel--confirmation").wait_for()
    page.context.clear_cookies()
    page.goto("/feedback/give/sent/")
    assert page.locator("h1").inner_text() == "This page has expired"
    assert page.title().startswith("This page has expired – ")
    assert page.locator("main form").count() == 0
    assert_accessible(page, "sent page, expired")
    assert _fits(page, 320)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "sent-expired-320.png"), full_page=True)
    page.get_by_role("link", name="Follow your feedback with your reference").click()
    page.get_by_role("heading", name="Follow your feedback").wait_for()


def test_a_reference_typed_loosely_in_the_browser_and_the_error_for_nonsense(page, area):
    from tests.feedback.factories import FeedbackFactory

    FeedbackFactory(reference="FB-2026-00258")
    page.goto("/feedback/track/")
    page.get_by_label("Your reference").fill("258")
    page.get_by_role("button", name="Find my feedback").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error: Follow your feedback")
    assert page.get_by_label("Your reference").input_value() == "258"
    assert_accessible(page, "track form, not a reference")
    page.set_viewport_size({"width": 320, "height": 900})
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "track-error-320.png"), full_page=True)
    # The error summary's link lands on the field.
    page.locator(".govuk-error-summary a").click()
    wait_until(page, "document.activeElement.id === 'id_reference'")
    page.get_by_label("Your reference").fill("fb 2026 258")
    page.get_by_role("button", name="Find my feedback").click()
    page.get_by_role("heading", name="FB-2026-00258").wait_for()
    assert_accessible(page, "track status from a loosely typed reference")
