"""What families found when they used the public pages (issue 19): the
private link after sending, references typed as people type them, the age
bands and the form's title. (In Chromium: test_family_browser.py.)"""

from html import escape

import pytest
from django.urls import reverse

from tests.feedback.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


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
