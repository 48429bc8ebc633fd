"""Issue #20, done means 1, in Chromium with Postgres, Redis, a real worker
process and a real SMTP sink (aiosmtpd): a family asks to hear about
progress; an officer links their feedback to an action and records it
complete; exactly one message arrives, with a way back that works and a
stop link that works; after stopping, nothing more is owed; the private
page shows the action's public status and the report item answering it.
Every new page and state is checked with axe, and the family's pages are
used with the keyboard alone. (The same promise under a Redis outage, on
the production stack: tests/stack/test_progress.py.)"""

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import override_settings

from actionplan.models import Action
from core.models import Role
from feedback import progress
from feedback.models import Feedback, ProgressMessage
from tests.actionplan.factories import ActionFactory, PlanFactory, PriorityFactory
from tests.conftest import (
    WorkerProcess,
    _database_url_for_worker,
    assert_accessible,
    sign_in,
    wait_for,
)
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, staff_user
from tests.reports.factories import draft_report, publish
from tests.stack.conftest import SmtpSink, body, free_port

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis,
              pytest.mark.django_db(transaction=True)]

EMAIL = "amira.parent@example.com"
SHOTS = Path("/tmp/shots-loop")


@pytest.fixture
def sink():
    smtp = SmtpSink(free_port())
    smtp.start()
    yield smtp
    smtp.stop()


@pytest.fixture
def worker(celery_broker, transactional_db, sink):
    """A real worker whose e-mails go to the SMTP sink."""
    process = WorkerProcess(celery_broker.conf.broker_url, _database_url_for_worker(), extra_env={
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port), "EMAIL_USE_TLS": "false"})
    process.start()
    yield process
    process.stop()


@pytest.fixture
def world():
    council = OrganisationFactory(name="Gloucestershire County Council")
    ServiceAreaFactory(name="Home to school transport")
    officer = staff_user(Role.OFFICER, council)
    plan = PlanFactory(title="Gloucestershire SEND Strategy", is_published=True)
    action = ActionFactory(priority=PriorityFactory(plan=plan), lead_organisation=council,
                           owner=officer, is_public=True, reference="2.3",
                           title="Train every transport escort on each child’s needs",
                           due_date=date(2027, 3, 31))
    approver = staff_user(Role.APPROVER, council)
    report = draft_report(org=council, author=officer, items=1,
                          title="Home to school transport: you said, we did")
    item = report.items.get()
    item.theme = None
    item.we_did = "Every escort now meets the family before the first journey."
    item.save()
    item.actions.add(action)
    publish(report, author=officer, approver=approver)
    return {"council": council, "officer": officer, "action": action}


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path


def _news(sink) -> list:
    return [m for m in sink.to(EMAIL) if m["Subject"].startswith("News about your feedback")]


def _tab_to(page, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"could not reach {selector} with Tab")


@override_settings(PROGRESS_MESSAGE_GAP_HOURS=0)
def test_a_family_is_told_once_comes_back_and_stops(page, browser, live_server, world, worker,
                                                     sink):
    SHOTS.mkdir(exist_ok=True)
    # The family sends feedback and asks to hear about progress.
    page.goto("/feedback/give/")
    page.get_by_label("Home to school transport").check()
    page.locator("textarea[name=even_better_if]").fill("The escort did not know my son.")
    page.locator("input[name=respondent][value=parent_carer]").check()
    page.locator("input[name=consent_to_quote][value=no]").check()
    page.locator("input[name=wants_contact][value=yes]").check()
    page.locator("input[name=contact_email]").fill(EMAIL)
    checkbox = page.get_by_label("Tell me when something changes")
    checkbox.focus()
    page.keyboard.press("Space")
    assert checkbox.is_checked()
    assert_accessible(page, "form with progress messages")
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url("**/feedback/give/sent/")
    private = page.locator("#private-link").get_attribute("href")
    feedback = Feedback.objects.get(contact_email=EMAIL)
    assert feedback.wants_progress

    # An officer links it to the action and records the action complete.
    staff = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    sign_in(staff, world["officer"].email)
    action = world["action"]
    staff.goto(f"/staff/action-plan/actions/{action.pk}/")
    staff.get_by_label("Feedback that prompted this action").fill(feedback.reference)
    staff.get_by_role("button", name="Link feedback").click()
    assert "1 family asked to be told" in staff.locator("#waiting + p").inner_text()
    staff.goto(f"/staff/action-plan/actions/{action.pk}/update/")
    staff.get_by_role("radio", name="Complete").check()
    staff.get_by_label("Percent complete").fill("100")
    staff.get_by_label("What has happened since the last update?").fill("All escorts trained.")
    staff.get_by_label("What the public will read (optional)").fill(
        "All 140 transport escorts have been trained.")
    staff.get_by_role("button", name="Save update").click()
    staff.wait_for_url(f"**/staff/action-plan/actions/{action.pk}/")

    # Exactly one message arrives, through the worker and the SMTP relay.
    wait_for(lambda: _news(sink), timeout=60)
    [message] = _news(sink)
    text = body(message)
    assert "2.3 Train every transport escort" in text and "is complete" in text
    assert "The escort did not know my son." not in text
    way_back = re.search(r"https?://\S+/feedback/progress/(?!stop/)\S+", text).group(0)
    stop = re.search(r"https?://\S+/feedback/progress/stop/\S+", text).group(0)
    assert feedback.tracking_digest not in text and _path(private) not in text

    # The staff page says what they were last told.
    staff.reload()
    assert "Last told on" in staff.locator("#waiting ~ .govuk-inset-text").inner_text()
    assert_accessible(staff, "action page with families waiting")

    # The way back opens the private page: the action's public status and the report item.
    page.goto(_path(way_back))
    outcome = page.locator("#what-happened ~ .govuk-summary-card").first.inner_text()
    assert "Complete" in outcome and "All 140 transport escorts" in outcome
    assert "Gloucestershire County Council" in outcome
    assert "Every escort now meets the family" in page.content()
    page.screenshot(path=str(SHOTS / "private-page.png"), full_page=True)
    assert_accessible(page, "private page from the way back")
    page.set_viewport_size({"width": 320, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(path=str(SHOTS / "private-page-320.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 900})

    # The stop link: a page that asks, then stops with the keyboard alone.
    page.goto(_path(stop))
    assert_accessible(page, "stop page")
    page.screenshot(path=str(SHOTS / "stop.png"), full_page=True)
    _tab_to(page, "button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Messages stopped" in page.locator("h1").inner_text()
    assert_accessible(page, "stopped")
    feedback.refresh_from_db()
    assert not feedback.wants_progress
    page.goto(_path(stop))  # the link again: already stopped, nothing to press
    assert page.locator("button[type=submit]").count() == 0
    assert_accessible(page, "already stopped")

    # After stopping, a further change owes them nothing.
    staff.goto(f"/staff/action-plan/actions/{action.pk}/update/")
    staff.get_by_role("radio", name="On track (green)").check()
    staff.get_by_label("Percent complete").fill("90")
    staff.get_by_label("What has happened since the last update?").fill("Reopened for new staff.")
    staff.get_by_role("button", name="Save update").click()
    staff.wait_for_url(f"**/staff/action-plan/actions/{action.pk}/")
    assert Action.objects.get(pk=action.pk).current_status == "on_track"
    assert ProgressMessage.objects.filter(feedback=feedback).count() == 1
    assert len(_news(sink)) == 1


def test_did_it_make_a_difference_with_the_keyboard(page, world):
    feedback = Feedback.objects.create(
        reference="FB-2026-00077", tracking_token="t" * 43, received_on=date(2026, 5, 4),
        organisation=world["council"], even_better_if="The escort did not know my son.",
        response_due_on=date(2026, 6, 1), wants_contact=True, contact_email=EMAIL,
        wants_progress=True)
    path = f"/feedback/progress/difference/{progress.difference_token(feedback.pk)}/"
    page.goto(path)
    assert_accessible(page, "difference question")
    _tab_to(page, "button[name=send]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error: ")
    assert_accessible(page, "difference question with an error")
    page.get_by_role("link", name="Select yes, partly or no").click()
    assert page.evaluate("document.activeElement.name") == "answer"
    page.keyboard.press("ArrowRight")  # from "Yes" to "Partly"
    page.keyboard.press("ArrowRight")  # to "No"
    _tab_to(page, "textarea[name=comment]")
    page.keyboard.type("The escort changed again in June.")
    _tab_to(page, "button[name=send]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Thank you for your answer" in page.locator("h1").inner_text()
    page.screenshot(path=str(SHOTS / "difference-thanks.png"), full_page=True)
    assert_accessible(page, "difference answered")
    answer = feedback.difference_answer
    assert answer.answer == "no" and answer.follow_up.follows_up_id == feedback.pk
    page.goto(path)
    assert "You have already answered" in page.locator("h1").inner_text()
    assert_accessible(page, "difference already answered")


def test_the_easy_read_form_offers_progress_messages_in_plain_words(page, world):
    SHOTS.mkdir(exist_ok=True)
    page.goto("/feedback/give/easy-read/")
    page.locator("input[name=feeling][value='1']").check()
    page.locator("textarea[name=better]").fill("The bus driver changes every week.")
    page.locator("input[name=who][value=young_person]").check()
    page.locator("input[name=wants_contact][value=email]").check()
    page.locator("input[name=contact_email]").fill("young.person@example.com")
    assert "up to 12 months" in page.locator("#id_wants_progress_hint").inner_text()
    page.locator("input[name=wants_progress][value=no]").focus()
    page.keyboard.press("ArrowDown")  # from "No" to "Yes, tell me"
    assert page.locator("input[name=wants_progress][value=yes]").is_checked()
    assert_accessible(page, "easy-read form with progress messages")
    page.set_viewport_size({"width": 320, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(path=str(SHOTS / "easy-read-progress.png"), full_page=True)
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/feedback/give/sent/")
    assert Feedback.objects.get(contact_email="young.person@example.com").wants_progress
