import re

import pytest
from django.core import mail
from django.urls import reverse

from core.models import Role
from feedback import services
from feedback.models import Feedback, tracking_digest
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, staff_user
from tests.feedback.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    OrganisationFactory(name="Testshire County Council")
    return ServiceAreaFactory(name="Local Offer")


def valid_post(area, **extra):
    data = {"service_areas": [area.pk], "even_better_if": "Put the pages in age groups.",
            "respondent": "parent_carer", "consent_to_quote": "yes", "wants_contact": "no"}
    data.update(extra)
    return data


def test_submitting_stores_it_and_shows_the_reference_and_private_link(client, area):
    response = client.post(reverse("feedback:give"), valid_post(area))
    feedback = Feedback.objects.get()
    assert response.status_code == 302
    # The token is never in a redirect (a Location ends up in access logs):
    # the confirmation page reads it from a signed cookie sent to it alone.
    assert response["Location"] == reverse("feedback:sent")
    cookie = response.cookies["feedback_sent"]
    assert cookie["path"] == reverse("feedback:sent") and cookie["httponly"]
    sent = client.get(response["Location"])
    page = sent.content.decode()
    assert "Feedback sent" in page and feedback.reference in page
    token = re.search(r"/feedback/track/([^/]+)/", page).group(1)
    assert token not in response["Location"]
    assert feedback.tracking_digest == tracking_digest(token) != token
    assert client.get(reverse("feedback:track-token", args=[token])).status_code == 200
    assert sent["Referrer-Policy"] == "no-referrer"
    assert "no-store" in sent["Cache-Control"]
    assert feedback.channel == Feedback.Channel.WEB_FORM
    assert feedback.consent_to_quote is True


def test_confirmation_page_without_a_submission_says_it_has_expired(client):
    # Not the empty form, as if nothing had been sent (test_family_pages.py).
    response = client.get(reverse("feedback:sent"))
    assert response.status_code == 200
    assert "This page has expired" in response.content.decode()


def test_errors_are_listed_and_nothing_typed_is_lost(client, area):
    response = client.post(reverse("feedback:give"), {
        "what_went_well": "The SENCo rang us back the same day.", "wants_contact": "yes",
        "contact_name": "Jo Bloggs", "contact_email": "not-an-email"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    for message in ["Select what your feedback is about", "Select who you are",
                    "Select yes if we can quote what you said",
                    "Enter an e-mail address in the correct format"]:
        assert message in html
    assert "The SENCo rang us back the same day." in html
    assert 'value="Jo Bloggs"' in html and 'value="not-an-email"' in html
    assert not Feedback.objects.exists()


def test_one_of_the_two_questions_must_be_answered(client, area):
    response = client.post(reverse("feedback:give"), valid_post(area, even_better_if=""))
    assert response.status_code == 400
    assert "Tell us what went well or what could be even better" in response.content.decode()


def test_asking_for_contact_needs_a_way_to_contact(client, area):
    response = client.post(reverse("feedback:give"), valid_post(area, wants_contact="yes"))
    assert response.status_code == 400
    assert "Enter an e-mail address or a phone number" in response.content.decode()


def test_easy_read_keeps_only_the_way_of_contact_that_was_chosen(client, area):
    response = client.post(reverse("feedback:give-easy-read"), {
        "feeling": "5", "good": "Kind staff.", "who": "parent_carer", "wants_contact": "phone",
        "contact_phone": "07700 900123", "contact_email": "typed-then-changed@example.com"})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.wants_contact and feedback.contact_phone == "07700 900123"
    assert feedback.contact_email == ""


def test_easy_read_asks_for_the_number_when_phone_is_chosen(client, area):
    response = client.post(reverse("feedback:give-easy-read"), {
        "feeling": "5", "who": "parent_carer", "wants_contact": "phone", "contact_phone": ""})
    assert response.status_code == 400
    assert 'href="#id_contact_phone">Write your phone number so we can reply' in (
        response.content.decode())


def test_easy_read_says_who_it_is_for_in_plain_words_and_pictures_every_choice(client, area):
    area.easy_read_name, area.picture = "Nursery, school or college", "school"
    area.save()
    html = client.get(reverse("feedback:give-easy-read")).content.decode()
    # No abbreviation, and no long words to explain it: who it is for, plainly.
    main = html.split("<main")[1].split("</main>")[0]
    assert "SEND" not in main and "special educational needs" not in main
    assert "Some children and young people need extra help." in html
    assert "er-school.svg" in html and "Nursery, school or college" in html
    # A picture beside every choice: feelings, service areas, who, contact.
    import re

    radios = re.findall(r'<div class="govuk-radios__item">(.*?)</label>', html, re.S)
    assert radios and all('class="app-picture"' in radio for radio in radios)


def test_easy_read_asks_what_it_is_about_before_how_they_feel_about_it(client, area):
    html = client.get(reverse("feedback:give-easy-read")).content.decode()
    questions = [" ".join(re.sub(r"<[^>]+>", " ", q).split()) for q in re.findall(
        r'<(?:legend|label)[^>]* class="govuk-(?:fieldset__legend|label)(?![^"]*radios__label)'
        r'[^"]*"[^>]*>(.*?)</(?:legend|label)>',
        html, re.S)]
    assert questions[:5] == ["What is it about?", "How do you feel about it?", "What was good?",
                             "What would make it better?", "Who are you?"]
    # The errors are listed in the same order as the questions.
    errors = client.post(reverse("feedback:give-easy-read"), {"wants_contact": "no"})
    summary = errors.content.decode().split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert summary.index("Choose a face") < summary.index("Choose who you are")


def test_the_easy_read_privacy_notice_says_what_really_happens(client, settings):
    settings.CONTACT_EMAIL = "privacy@testshire.example"
    settings.FEEDBACK_CONTACT_RETENTION_DAYS = 90
    html = client.get(reverse("core:privacy-easy-read")).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    for words in ["You do not have to tell us your name.",
                  "Only the people whose job is to answer it can read it.",
                  "We do not copy your words into our reports.",
                  "We delete your e-mail address or phone number",
                  "privacy@testshire.example", "Information Commissioner"]:
        assert words in text, words
    assert reverse("feedback:give-easy-read") in html
    # The easy-read form and the full notice both link to it.
    link = f'href="{reverse("core:privacy-easy-read")}"'
    assert link in client.get(reverse("feedback:give-easy-read")).content.decode()
    assert link in client.get(reverse("core:privacy")).content.decode()


def test_easy_read_form_stores_the_same_kind_of_feedback(client, area):
    response = client.post(reverse("feedback:give-easy-read"), {
        "feeling": "1", "better": "More quiet rooms.", "who": "young_person",
        "wants_contact": "no", "service_area": area.pk})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.channel, feedback.rating, feedback.respondent) == ("easy_read", 1,
                                                                        "young_person")
    assert feedback.even_better_if == "More quiet rooms."


def test_honeypot_stores_nothing(client, area):
    response = client.post(reverse("feedback:give"), valid_post(area, website="http://spam"))
    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_rate_limit_keeps_what_was_typed(client, area, settings):
    settings.FEEDBACK_RATE_LIMIT_PER_HOUR = 2
    for _ in range(2):
        assert client.post(reverse("feedback:give"), valid_post(area)).status_code == 302
    response = client.post(reverse("feedback:give"),
                           valid_post(area, even_better_if="Third message, kept."))
    assert response.status_code == 429
    assert "Third message, kept." in response.content.decode()
    assert Feedback.objects.count() == 2


def test_reference_alone_shows_status_but_not_the_reply(client):
    officer = staff_user(Role.OFFICER)
    feedback = FeedbackFactory(organisation=officer.memberships.get().organisation)
    services.reply_create(acting_user=officer, feedback=feedback, outcome="done",
                          text="Private words for this family.")
    response = client.post(reverse("feedback:track"), {"reference": feedback.reference.lower()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Responded" in html
    assert "Private words for this family." not in html
    assert feedback.even_better_if not in html


def test_private_link_shows_the_published_reply_only(client):
    officer = staff_user(Role.OFFICER)
    org = officer.memberships.get().organisation
    org.replies_need_approval = True
    org.save()
    feedback = FeedbackFactory(organisation=org)
    services.reply_create(acting_user=officer, feedback=feedback, outcome="done",
                          text="Draft words waiting for approval.")
    url = reverse("feedback:track-token", args=[feedback.tracking_token])
    assert "Draft words" not in client.get(url).content.decode()
    response = client.get(url)
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_unknown_reference_and_token_give_nothing_away(client):
    FeedbackFactory()
    response = client.post(reverse("feedback:track"), {"reference": "FB-2026-99999"})
    assert response.status_code == 400
    assert "We cannot find feedback with that reference" in response.content.decode()
    bad = client.post(reverse("feedback:track"), {"reference": "hello"})
    assert "Enter a reference in the right format" in bad.content.decode()
    assert client.get(reverse("feedback:track-token", args=["guess" * 8])).status_code == 404


def test_acknowledgement_email_carries_the_private_link(client, area, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("feedback:give"), valid_post(
            area, wants_contact="yes", contact_name="Jo", contact_email="jo@example.com"))
    feedback = Feedback.objects.get()
    assert len(mail.outbox) == 1
    token = re.search(r"/feedback/track/([^/]+)/", mail.outbox[0].body).group(1)
    assert tracking_digest(token) == feedback.tracking_digest
    # Sent: the plain token is no longer kept on the notification either.
    assert feedback.notifications.get().tracking_token == ""


def test_logs_do_not_carry_what_the_family_typed(client, area, captured_logs):
    client.post(reverse("feedback:give"), valid_post(
        area, even_better_if="My daughter Amelia at Oakfield", wants_contact="yes",
        contact_name="Jo Bloggs", contact_email="jo.bloggs@example.com"))
    assert Feedback.objects.count() == 1
    logged = captured_logs.getvalue()
    assert Feedback.objects.get().reference in logged  # it does log, with the reference
    assert "Amelia" not in logged and "jo.bloggs@example.com" not in logged
    assert "Bloggs" not in logged
