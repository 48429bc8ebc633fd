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


def test_recording_a_meeting_decision_with_errors_at_320_px(page, world):
    """The decision form in Chromium: axe with and without errors, the error
    summary's link lands on the question, what was typed is kept, and the
    meeting and action pages show the decision; at 320 px nothing scrolls
    sideways."""
    world["plan"].board.organisations.set([world["lead"]])
    meeting, action = world["meeting"], world["action"]
    page.set_viewport_size({"width": 320, "height": 900})
    sign_in(page, world["people"]["lead_officer"].email)
    page.goto(f"/staff/action-plan/meetings/{meeting.pk}/")
    page.get_by_role("link", name=f"Record the decision on {action.reference}").click()
    assert_accessible(page, "meeting decision form")
    page.get_by_label("Note (optional)").fill("Agreed in principle; costs to the next meeting")
    page.get_by_role("button", name="Save the decision").click()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert "Select what the meeting decided" in summary.inner_text()
    assert page.get_by_label("Note (optional)").input_value() == (
        "Agreed in principle; costs to the next meeting")
    assert_accessible(page, "meeting decision form with errors")
    summary.get_by_role("link", name="Select what the meeting decided").click()
    focused = page.evaluate("document.activeElement.id")
    assert focused == page.get_by_role("radio", name="Noted").get_attribute("id")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(path="/tmp/meetings-decision-errors-320.png", full_page=True)

    page.get_by_role("radio", name="Agreed").check()
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/#decision-{action.pk}")
    assert "Decision on action 1.1 saved" in page.locator(".govuk-notification-banner").inner_text()
    assert "Agreed in principle" in page.locator(f"#decision-{action.pk}").inner_text()
    assert_accessible(page, "meeting page with decisions")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(path="/tmp/meetings-meeting-320.png", full_page=True)

    page.goto(f"/staff/action-plan/actions/{action.pk}/")
    decisions = page.get_by_role("list", name="Board decisions")
    assert "Agreed" in decisions.inner_text() and meeting.title in decisions.inner_text()
    assert_accessible(page, "action page with board decisions")

    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(f"/staff/action-plan/meetings/{meeting.pk}/edit/")
    page.get_by_label("Minutes or summary (optional)").fill("Present: council, ICB, Forum.")
    page.get_by_label("Name of the meeting").fill("")
    page.get_by_role("button", name="Save changes").click()
    assert "Enter the name of the meeting" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Minutes or summary (optional)").input_value() == (
        "Present: council, ICB, Forum.")
    assert_accessible(page, "meeting edit with minutes and an error")
    page.locator(".govuk-error-summary").get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_title"
    page.screenshot(path="/tmp/meetings-meeting-edit-desktop.png", full_page=True)
