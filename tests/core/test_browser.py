"""Core pages in Chromium, checked with axe-core."""

import pytest

from core.models import Role
from tests.conftest import assert_accessible, sign_in
from tests.core.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/", "/staff/account/sign-in/", "/no-such-page/",
                                  "/accessibility/", "/privacy/", "/cookies/",
                                  "/staff/account/password-reset/"])
def test_public_pages_have_no_axe_violations(page, path):
    page.goto(path)
    assert page.locator("h1").count() == 1
    assert_accessible(page)


def test_home_page_is_styled_and_has_a_skip_link(page):
    page.goto("/")
    colour = page.eval_on_selector(".app-header", "e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(29, 93, 144)"  # the default brand colour, #1d5d90
    font = page.eval_on_selector("body", "e => getComputedStyle(e).fontFamily")
    assert "GDS Transport" not in font
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"


def test_sign_in_errors_are_accessible_and_focus_the_summary(page):
    page.goto("/staff/account/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Enter your e-mail address" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert_accessible(page, "sign-in with errors")


def test_staff_pages_have_no_axe_violations(page):
    staff_user(Role.ADMINISTRATOR, email="admin@council.example")
    sign_in(page, "admin@council.example")
    for path in ["/staff/", "/staff/lists/", "/staff/lists/add/"]:
        page.goto(path)
        assert_accessible(page, path)
    page.get_by_role("button", name="Add").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "add list item with errors")


def test_board_member_sees_the_403_page_for_officer_pages(page):
    staff_user(Role.BOARD_MEMBER, email="board@council.example")
    sign_in(page, "board@council.example")
    response = page.goto("/staff/lists/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "You cannot see this page"
    assert_accessible(page, "403")
