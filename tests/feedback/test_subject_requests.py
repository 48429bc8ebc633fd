"""The staff page for subject access and erasure requests."""

import json

import pytest
from django.urls import reverse

from core.audit import Verb
from core.models import AuditEvent, Role
from feedback.models import Feedback
from tests.conftest import assert_accessible, pdf_info, pdf_text, sign_in
from tests.core.factories import OrganisationFactory, staff_user
from tests.feedback.factories import FeedbackFactory

URL = reverse("staff:feedback:subject-requests")
EMAIL = "canary.parent@family.example"


@pytest.fixture
def council():
    return OrganisationFactory(name="Testshire County Council")


@pytest.fixture
def family(council):
    """The person's feedback to the council, and to another partner."""
    mine = FeedbackFactory(organisation=council, wants_contact=True, contact_name="Sam Quillonby",
                           contact_email=EMAIL, even_better_if="Quillonby needs a caseworker.")
    theirs = FeedbackFactory(organisation=OrganisationFactory(name="Testshire NHS Trust"),
                             wants_contact=True, contact_email=EMAIL)
    return mine, theirs


@pytest.mark.django_db
@pytest.mark.parametrize("role, status", [
    (Role.ADMINISTRATOR, 200), (Role.OFFICER, 403), (Role.APPROVER, 403),
    (Role.BOARD_MEMBER, 403)])
def test_only_administrators_handle_requests(client, council, role, status):
    client.force_login(staff_user(role, council))
    assert client.get(URL).status_code == status
    assert client.post(URL, {"identifier": EMAIL, "download_json": "1"}).status_code == status


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302
    assert client.post(URL, {"identifier": EMAIL}).status_code == 302


@pytest.mark.django_db
def test_an_administrator_finds_only_their_own_organisations_feedback(client, council, family):
    mine, theirs = family
    client.force_login(staff_user(Role.ADMINISTRATOR, council))
    response = client.post(URL, {"identifier": EMAIL.upper(), "find": "1"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    assert mine.reference in response.text and theirs.reference not in response.text

    export = json.loads(client.post(URL, {"identifier": EMAIL, "download_json": "1"}).content)
    assert [f["reference"] for f in export["feedback"]] == [mine.reference]
    assert export["feedback"][0]["contact_details"]["name"] == "Sam Quillonby"


@pytest.mark.django_db
def test_the_copy_is_a_readable_tagged_pdf(client, council, family):
    client.force_login(staff_user(Role.ADMINISTRATOR, council))
    response = client.post(URL, {"identifier": EMAIL, "download_pdf": "1"})
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and EMAIL not in response[
        "Content-Disposition"]
    info = pdf_info(response.content)
    assert info["Title"] == "What we hold about you" and info["Tagged"] == "yes"
    text = pdf_text(response.content)
    assert family[0].reference in text and "Quillonby needs a caseworker." in text
    assert family[1].reference not in text


@pytest.mark.django_db
def test_erasure_asks_first_and_says_what_it_will_do(client, council, family):
    mine, theirs = family
    client.force_login(staff_user(Role.ADMINISTRATOR, council))
    response = client.post(URL, {"identifier": EMAIL, "confirm_erase": "1"})
    assert "Erase this person’s data?" in response.text and "cannot be undone" in response.text
    mine.refresh_from_db()
    assert mine.contact_email == EMAIL  # nothing erased by asking

    response = client.post(URL, {"identifier": EMAIL, "erase": "1"})
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.contact_email == "" and "Quillonby" not in mine.even_better_if
    assert theirs.contact_email == EMAIL  # another partner's data is theirs to handle
    event = AuditEvent.objects.get(verb=Verb.SUBJECT_ERASED)
    assert event.summary == mine.reference and EMAIL not in json.dumps(event.data)


@pytest.mark.django_db
@pytest.mark.parametrize("typed, message", [
    ("", "Enter the person’s e-mail address or phone number"),
    ("jo@", "Enter an e-mail address in the correct format"),
    ("a\x00b", "Sorry, we could not read that"),  # the NUL-byte guard, before the form
    ("not a number", "Enter an e-mail address or a phone number"),
    ("x" * 300, "Ensure this value has at most 254 characters"),
])
def test_bad_input_gets_a_clear_error_and_keeps_what_was_typed(client, council, typed, message):
    client.force_login(staff_user(Role.ADMINISTRATOR, council))
    response = client.post(URL, {"identifier": typed, "find": "1"})
    assert response.status_code == 400
    assert message.replace("’", "&#x27;") in response.text or message in response.text
    assert Feedback.objects.count() == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_are_accessible_and_the_error_link_lands_on_the_field(page, council, family):
    staff_user(Role.ADMINISTRATOR, council, email="admin@council.example")
    sign_in(page, "admin@council.example")
    page.goto(URL)
    assert_accessible(page, "data protection requests")
    page.get_by_role("button", name="Find what we hold").click()
    assert_accessible(page, "data protection requests: error")
    page.locator(".govuk-error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_identifier"
    page.get_by_label("The person’s e-mail address or phone number").fill(EMAIL)
    page.get_by_role("button", name="Find what we hold").click()
    page.get_by_role("cell", name=family[0].reference).wait_for()
    assert_accessible(page, "data protection requests: found")
    page.get_by_role("button", name="Erase this person’s data").click()
    page.get_by_role("heading", name="Erase this person’s data?").wait_for()
    assert_accessible(page, "data protection requests: confirm erasure")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_role("button", name="Erase permanently").click()
    page.get_by_text("Erased what we held about the person").wait_for()
