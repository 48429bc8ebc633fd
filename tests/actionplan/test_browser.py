"""Real Chromium, checked with axe-core: 0 violations on every page."""

import pytest

from tests.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_action_plan(page, world):
    page.goto("/action-plan/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Testshire Joint")
    assert page.get_by_text("Some delay; a plan to catch up is agreed.").is_visible()
    assert_accessible(page, "public action plan")


def test_dashboard_action_page_and_meeting_page(page, world):
    sign_in(page, world["people"]["board_member"].email)
    page.goto("/staff/action-plan/dashboard/")
    assert page.get_by_role("img", name="Actions by priority and status").is_visible()
    page.get_by_text("Filter the dashboard").click()
    assert_accessible(page, "dashboard")

    page.goto(f"/staff/action-plan/actions/{world['action'].pk}/")
    assert page.get_by_role("heading", name="Progress history").is_visible()
    assert_accessible(page, "action page with timeline")

    page.goto(f"/staff/action-plan/meetings/{world['meeting'].pk}/")
    assert_accessible(page, "meeting page")

    page.goto("/staff/action-plan/")
    assert_accessible(page, "action list")
    page.goto("/staff/action-plan/boards/")
    assert_accessible(page, "boards")


def test_update_form_with_errors(page, world):
    sign_in(page, world["people"]["owner"].email)
    page.goto(f"/staff/action-plan/actions/{world['action'].pk}/update/")
    assert_accessible(page, "update form")
    page.get_by_role("radio", name="Complete").check()
    page.get_by_label("Percent complete").fill("140")
    page.get_by_role("button", name="Save update").click()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert "Say how the action was completed" in summary.inner_text()
    assert "Percent complete must be between 0 and 100" in summary.inner_text()
    assert page.get_by_label("Percent complete").input_value() == "140"
    assert_accessible(page, "update form with errors")


def test_meeting_forms(page, world):
    sign_in(page, world["people"]["lead_officer"].email)
    page.goto(f"/staff/action-plan/boards/{world['plan'].board.slug}/")
    assert_accessible(page, "board page")
    page.get_by_role("button", name="Add a meeting").click()
    page.get_by_role("button", name="Add meeting").click()
    assert "Enter the name of the meeting" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "new meeting with errors")
    page.goto(f"/staff/action-plan/meetings/{world['meeting'].pk}/actions/")
    assert_accessible(page, "choose actions")
    page.goto("/staff/action-plan/actions/new/")
    page.get_by_role("button", name="Add action").click()
    assert_accessible(page, "add an action with errors")
