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

@pytest.fixture
def area():
    OrganisationFactory(name="Testshire County Council")
    return ServiceAreaFactory(name="Local Offer")


def standard_post(area, **extra):
    return {"service_areas": [area.pk], "even_better_if": "Put the pages in age groups.",
            "respondent": "parent_carer", "consent_to_quote": "yes", "wants_contact": "no",
            **extra}


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
