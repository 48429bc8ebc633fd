"""Feedback pages in Chromium: a keyboard-only journey, and axe-core on
every page and error state."""

import re

import pytest

from core.models import Role
from feedback import services
from feedback.models import Feedback
from tests.conftest import assert_accessible, sign_in, wait_until
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, ThemeFactory, staff_user
from tests.feedback.factories import FeedbackFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus: proves it
    can be reached from the keyboard, in order."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
    raise AssertionError(f"could not reach {selector} with the Tab key")


@pytest.fixture
def council():
    org = OrganisationFactory(name="Testshire County Council")
    ServiceAreaFactory(name="Local Offer")
    ServiceAreaFactory(name="Short breaks")
    return org


def test_a_parent_carer_gives_feedback_by_keyboard_and_later_reads_the_reply(page, council):
    page.goto("/feedback/give/")
    assert_accessible(page, "feedback form")

    # Submit empty first: the error summary takes focus and lists the problems.
    tab_to(page, "button.govuk-button[name=send]")
    page.keyboard.press("Enter")
    page.locator(".govuk-error-summary").wait_for()
    # GOV.UK Frontend (a module script, so after the page is parsed) focuses it.
    wait_until(page, "document.activeElement.classList.contains('govuk-error-summary')")
    assert page.title().startswith("Error: ")
    assert_accessible(page, "feedback form with errors")

    tab_to(page, "input[name=service_areas]")
    page.keyboard.press("Space")  # the first service area
    tab_to(page, "textarea[name=even_better_if]")
    page.keyboard.type("Put the Local Offer pages in age groups.")
    tab_to(page, "input[name=respondent][value=parent_carer]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=consent_to_quote][value=yes]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=wants_contact]")
    page.keyboard.press("Space")  # "Yes" reveals the contact questions
    tab_to(page, "input[name=contact_email]")
    page.keyboard.type("jo@example.com")
    tab_to(page, "button.govuk-button[name=send]")
    page.keyboard.press("Enter")

    page.locator(".govuk-panel--confirmation").wait_for()
    reference = page.locator(".govuk-panel__body strong").inner_text()
    assert re.fullmatch(r"FB-\d{4}-\d{5}", reference)
    private_link = page.url.split("?")[0]
    assert_accessible(page, "feedback sent")

    # An officer answers it in the inbox.
    feedback = Feedback.objects.get(reference=reference)
    assert feedback.contact_email == "jo@example.com"
    officer = staff_user(Role.OFFICER, council, email="officer@council.example")
    officer_page = page.context.browser.new_page(base_url=page.url.split("/feedback")[0])
    sign_in(officer_page, officer.email)
    officer_page.goto("/staff/feedback/")
    officer_page.get_by_role("link", name=reference).click()
    officer_page.get_by_label("Done", exact=True).check()
    officer_page.get_by_label("Reply to the family").fill("We have grouped the pages by age.")
    officer_page.get_by_role("button", name="Send reply").click()
    officer_page.locator(".govuk-notification-banner--success").wait_for()
    officer_page.close()

    # The family opens their private link again and reads it.
    page.goto(private_link)
    assert "We have grouped the pages by age." in page.locator("main").inner_text()
    assert "Responded" in page.locator("main").inner_text()
    assert_accessible(page, "private tracking page with a reply")


def test_easy_read_form_and_its_errors(page, council):
    page.goto("/feedback/give/easy-read/")
    assert_accessible(page, "easy-read form")
    page.get_by_role("button", name="Send").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "Choose a face to show how you feel" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "easy-read form with errors")
    page.get_by_label("Sad").check()
    page.get_by_label("What would make it better?").fill("A quiet room at lunch.")
    page.get_by_label("I am a child or young person").check()
    # The contact questions stay hidden until a way to get in touch is chosen.
    phone = page.get_by_label("Your phone number")
    assert not phone.is_visible()
    page.get_by_label("Yes, by phone call or text message").check()
    assert phone.is_visible()
    page.get_by_label("No", exact=True).check()
    assert not phone.is_visible()
    page.get_by_role("button", name="Send").click()
    page.locator(".govuk-panel--confirmation").wait_for()


def test_tracking_by_reference_and_its_errors(page, council):
    feedback = FeedbackFactory(organisation=council)
    page.goto("/feedback/track/")
    assert_accessible(page, "track form")
    page.get_by_label("Your reference").fill("nonsense")
    page.get_by_role("button", name="Find my feedback").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "track form with errors")
    page.get_by_label("Your reference").fill(feedback.reference)
    page.get_by_role("button", name="Find my feedback").click()
    page.get_by_role("heading", name=feedback.reference).wait_for()
    assert_accessible(page, "track status")


def test_staff_feedback_pages_have_no_axe_violations(page, council):
    officer = staff_user(Role.APPROVER, council, email="approver@council.example")
    colleague = staff_user(Role.OFFICER, council)
    theme = ThemeFactory(name="Communication")
    feedback = FeedbackFactory(organisation=council, wants_contact=True, contact_name="Jo",
                               contact_email="jo@example.com")
    feedback.themes.add(theme)
    FeedbackFactory.create_batch(30, organisation=council)
    quote = services.quote_propose(acting_user=colleague, feedback=feedback,
                                   redacted_text="Replies within a week would help.")
    assert quote.pk
    sign_in(page, officer.email)
    for path in ["/staff/feedback/", "/staff/feedback/?overdue=on&status=received",
                 f"/staff/feedback/{feedback.pk}/", "/staff/feedback/log/",
                 "/staff/feedback/quotes/", "/staff/feedback/replies/",
                 "/staff/feedback/imports/", "/staff/feedback/imports/new/", "/staff/"]:
        page.goto(path)
        assert_accessible(page, path)

    page.goto(f"/staff/feedback/{feedback.pk}/")
    page.get_by_role("radio", name="Not possible").check()
    page.get_by_role("button", name="Send reply").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "Explain why it is not possible" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "reply with errors")

    page.goto("/staff/feedback/log/")
    page.get_by_role("button", name="Log feedback").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "log form with errors")

    page.goto("/staff/feedback/imports/new/")
    page.get_by_role("button", name="Upload and continue").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "import upload with errors")


def test_survey_mapping_and_report_pages(page, council, tmp_path):
    officer = staff_user(Role.OFFICER, council, email="officer@council.example")
    csv_file = tmp_path / "survey.csv"
    csv_file.write_text("Rating,Better\n5,Shorter waits\nbrilliant,More staff\n4,\n")
    sign_in(page, officer.email)
    page.goto("/staff/feedback/imports/new/")
    page.get_by_label("Name of the survey").fill("Annual survey")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("CSV or Excel file", exact=True).set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload and continue").click()
    page.get_by_role("heading", name="Match the columns").wait_for(timeout=5000)
    assert_accessible(page, "mapping form")
    # The headings are matched for the officer; undo that to see the errors.
    for label in ("Overall rating (1 to 5)", "What could be even better"):
        page.get_by_label(label).select_option(index=0)
    page.get_by_role("button", name="Check the file").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "mapping form with errors")
    page.get_by_label("Overall rating (1 to 5)").select_option("Rating")
    page.get_by_label("What could be even better").select_option("Better")
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="Check before importing").wait_for()
    assert "“brilliant” is not a rating" in page.locator("main").inner_text()
    assert_accessible(page, "row-level report")
    # The bad cell is left out, not its row: "More staff" is kept.
    page.get_by_role("button", name="Import 3 rows").click()
    page.locator(".govuk-panel--confirmation").wait_for()  # in-process tasks: done at once
    assert_accessible(page, "import done")
    assert Feedback.objects.filter(channel="survey").count() == 3


# JavaScript: where the focused element is, for the tab-order test.
FOCUSED = """() => {
  const el = document.activeElement;
  const form = el.closest('form');
  const action = form && form.querySelector('input[name=action]');
  return {inMain: !!el.closest('main'), action: action ? action.value : null,
          name: el.getAttribute('name'), text: (el.innerText || el.value || '').trim()};
}"""


def test_feedback_page_tab_order_starts_with_triage_and_ends_with_deleting(page, council):
    """Issue 19: the first tab stop on a feedback page was "Delete contact
    details", and triage came after about fifteen others. After the skip link,
    the header and the staff navigation, the keyboard now reaches triage
    (status, assignment), then the reply; deleting contact details is last."""
    officer = staff_user(Role.OFFICER, council, email="officer@council.example")
    ThemeFactory(name="Communication")
    feedback = FeedbackFactory(organisation=council, wants_contact=True, contact_name="Jo",
                               contact_email="jo@example.com", consent_to_quote=True)
    sign_in(page, officer.email)
    page.goto(f"/staff/feedback/{feedback.pk}/")
    assert_accessible(page, "feedback page")
    stops = []
    for _ in range(150):
        page.keyboard.press("Tab")
        facts = page.evaluate(FOCUSED)
        if facts["inMain"]:
            stops.append(facts)
        elif stops:
            break  # past the end of the page's content
    assert stops, "nothing in the page's content took focus"
    assert stops[0]["action"] == "triage", stops[:3]
    forms = [s["action"] for s in stops]
    first = {action: forms.index(action) for action in ("triage", "status", "reply")}
    assert first["triage"] < first["reply"] and first["status"] < first["reply"], forms
    delete = next(i for i, s in enumerate(stops) if s["text"] == "Delete contact details")
    assert delete == len(stops) - 1, [s["text"] or s["name"] for s in stops]
