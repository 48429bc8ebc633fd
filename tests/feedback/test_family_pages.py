"""What families found when they used the public pages (issue 19): the
private link after sending, references typed as people type them, the age
bands and the form's title. (In Chromium: test_family_browser.py.)"""

import re
from html import escape

import pytest
from django.urls import reverse

from core.models import Role
from feedback.models import Feedback
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, staff_user
from tests.feedback.factories import FeedbackFactory

pytestmark = pytest.mark.django_db

# The private link as a real link whose words are its address.
PRIVATE_LINK = re.compile(
    r'<a class="govuk-link" id="private-link" href="(http://testserver/feedback/track/[^/"]+/)">'
    r"\1</a>")


@pytest.fixture
def area():
    OrganisationFactory(name="Testshire County Council")
    return ServiceAreaFactory(name="Local Offer")


def standard_post(area, **extra):
    return {"service_areas": [area.pk], "even_better_if": "Put the pages in age groups.",
            "respondent": "parent_carer", "consent_to_quote": "yes", "wants_contact": "no",
            **extra}


def easy_read_post(area, **extra):
    return {"feeling": "1", "better": "A quiet room at lunch.", "who": "young_person",
            "wants_contact": "no", **extra}


FORMS = [("feedback:give", standard_post), ("feedback:give-easy-read", easy_read_post)]


# --- The private link after sending -------------------------------------------------------

@pytest.mark.parametrize(("form", "data"), FORMS)
def test_the_private_link_after_sending_is_a_link_to_copy_and_says_it_is_needed(
        client, area, form, data):
    response = client.post(reverse(form), data(area))
    assert response.status_code == 302 and response["Location"] == reverse("feedback:sent")
    page = client.get(response["Location"]).content.decode()
    link = PRIVATE_LINK.search(page)
    assert link, "the private link is not a link"
    # It opens the family's page; the token is in that page's address only.
    assert client.get(link.group(1)).status_code == 200
    assert link.group(1).split("/")[-2] not in response["Location"]
    # A button to copy it, for the script to show (hidden without JavaScript).
    assert re.search(r'<div class="app-copy-link" data-copy-link="private-link" '
                     r'data-copy-status="private-link-status" hidden>\s*'
                     r'<button type="button" class="govuk-button govuk-button--secondary', page)
    assert '<div id="private-link-status" role="status"' in page
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "You need this link to read our reply" in words
    # No e-mail address given: the page is the only place the link is shown.
    assert "We cannot send it to you again" in words
    assert "Do not bookmark this page" in words


def test_with_an_e_mail_address_the_page_says_the_link_was_sent_too(client, area):
    response = client.post(reverse("feedback:give"), standard_post(
        area, wants_contact="yes", contact_name="Jo", contact_email="jo@example.com"))
    page = client.get(response["Location"]).content.decode()
    assert PRIVATE_LINK.search(page)
    assert "We have also e-mailed it to you" in page
    assert "We cannot send it to you again" not in page


def test_a_bookmark_of_the_sent_page_explains_instead_of_opening_an_empty_form(client):
    """Later (the cookie has gone: another browser, an hour on) the address
    of the "Feedback sent" page says what it was and where to go instead."""
    response = client.get(reverse("feedback:sent"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>This page has expired –" in page
    assert '<h1 class="govuk-heading-l">This page has expired</h1>' in page
    assert "private link" in page and 'href="/feedback/track/"' in page
    assert "<form" not in page.split('id="main-content"')[1]
    assert "no-store" in response["Cache-Control"]


def test_the_sent_page_with_a_stale_or_forged_cookie_explains_too(client):
    client.cookies["feedback_sent"] = "not-a-signed-value"
    response = client.get(reverse("feedback:sent"))
    assert response.status_code == 200 and "This page has expired" in response.content.decode()


# --- References typed as people type them ------------------------------------------------

@pytest.mark.parametrize("typed", [
    "FB-2026-00258", "fb 2026 258", "fb-2026-258", "FB2026258", "fb2026 00258", "2026 258",
    "2026-00258", "FB.2026.00258", "  FB – 2026 – 258. ", "fb/2026/258", "fb 2026 000258"])
def test_a_reference_is_found_however_it_is_typed_in_one_query(
        client, django_assert_num_queries, typed):
    FeedbackFactory(reference="FB-2026-00258")
    FeedbackFactory(reference="FB-2026-00025")
    with django_assert_num_queries(1):
        response = client.post(reverse("feedback:track"), {"reference": typed})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">FB-2026-00258</h1>' in page


@pytest.mark.parametrize("typed", [
    "258", "00258", "FB00258", "FB-00258", "20261", "26-258", "FB-26-258", "hello",
    "FB-2026-²58", "FB 2026 258 please", "FB-2026-0", "FB-2026-00258-2", "x" * 41])
def test_what_cannot_be_a_reference_gets_one_clear_error_and_keeps_what_was_typed(
        client, django_assert_num_queries, typed):
    FeedbackFactory(reference="FB-2026-00258")
    with django_assert_num_queries(0):
        response = client.post(reverse("feedback:track"), {"reference": typed})
    page = response.content.decode()
    assert response.status_code == 400
    message = "Enter a reference in the right format, like FB-2026-00123"
    assert page.count(message) == 2  # the error summary and the field
    assert '<a href="#id_reference">' in page
    assert f'value="{escape(typed)}"' in page
    assert page.count("govuk-error-message") == 1


def test_a_well_typed_reference_nobody_has_says_so(client):
    FeedbackFactory(reference="FB-2026-00258")
    response = client.post(reverse("feedback:track"), {"reference": "fb 2026 259"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "We cannot find feedback with that reference" in page
    assert 'value="fb 2026 259"' in page


def test_typed_references_still_count_against_the_lookup_limit(client, settings):
    from feedback.views import TRACK_LOOKUPS_PER_HOUR

    FeedbackFactory(reference="FB-2026-00258")
    for _ in range(TRACK_LOOKUPS_PER_HOUR):
        assert client.post(reverse("feedback:track"), {"reference": "fb 2026 258"}).status_code \
            == 200
    response = client.post(reverse("feedback:track"), {"reference": "fb 2026 258"})
    assert response.status_code == 429
    assert "FB-2026-00258</h1>" not in response.content.decode()


# --- The standard form: age bands and title ----------------------------------------------

def _age_bands(page: str) -> list[tuple[str, str]]:
    """(value, label) of each age radio on the page."""
    bands = []
    for radio in re.findall(r"<input[^>]*name=\"age_group\"[^>]*>", page):
        value = re.search(r'value="([^"]*)"', radio).group(1)
        id_ = re.search(r'id="([^"]*)"', radio).group(1)
        label = re.search(rf'<label[^>]*for="{id_}"[^>]*>\s*([^<]+?)\s*</label>', page).group(1)
        bands.append((value, label))
    return bands


def test_the_age_bands_offered_do_not_overlap_and_cover_0_to_25(client, area):
    page = client.get(reverse("feedback:give")).content.decode()
    bands = _age_bands(page)
    assert len(bands) == 6, bands
    ages = []
    for _value, label in bands:
        low, high = map(int, re.fullmatch(r"(\d+) (?:to|or) (\d+)", label).groups())
        ages.extend(range(low, high + 1))
    assert ages == list(range(26)), f"overlapping or missing ages: {bands}"


def test_feedback_stored_with_an_old_age_band_keeps_its_meaning(client, area):
    """Rows given "11 to 16" by the first form (or a survey using those
    bands) still read "11 to 16"; a page opened before the change may still
    send an old band, and it is kept as sent."""
    old = FeedbackFactory(age_group="11-16")
    assert old.get_age_group_display() == "11 to 16"
    officer = staff_user(Role.OFFICER, old.organisation)
    client.force_login(officer)
    page = client.get(reverse("staff:feedback:detail", args=[old.pk])).content.decode()
    assert "child aged 11 to 16" in page
    client.logout()
    response = client.post(reverse("feedback:give"), standard_post(area, age_group="16-18"))
    assert response.status_code == 302
    assert Feedback.objects.latest("pk").get_age_group_display() == "16 to 18"
    bad = client.post(reverse("feedback:give"), standard_post(area, age_group="99-100"))
    assert bad.status_code == 400 and "Select the age from the list" in bad.content.decode()


def test_the_form_title_matches_its_heading_with_error_first_when_it_has_errors(client, area):
    page = client.get(reverse("feedback:give")).content.decode()
    heading = re.search(r'<h1 class="govuk-heading-l">([^<]+)</h1>', page).group(1)
    title = re.search(r"<title>([^<]+)</title>", page).group(1)
    assert title.startswith(f"{heading} – ")
    errors = client.post(reverse("feedback:give"), {}).content.decode()
    assert re.search(r"<title>([^<]+)</title>", errors).group(1).startswith(f"Error: {heading} – ")
