"""Public pages with a POST form (the feedback forms, a report page with
"Was this page useful?") are kept whole in the page cache: each visitor
gets their own CSRF token, never another's, the form still posts, and the
page never outlives what it shows (a withdrawn report, a new service area)."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, override_settings
from django.urls import reverse

from core import services as core_services
from core.models import Organisation, ServiceArea
from core.pagecache import TOKEN_SLOT, _without_tokens
from feedback.models import Feedback
from reports import services
from tests.reports.factories import make_people, published_report

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.fixture(autouse=True)
def page_cache():
    from django.core.cache import cache

    cache.clear()
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=600):
        yield
    cache.clear()


def _visit(path):
    client = Client(enforce_csrf_checks=True)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    tokens = TOKEN.findall(html)
    assert tokens, "the page has its form"
    return client, response, html, tokens


def _secret(client):
    return client.cookies["csrftoken"].value


def test_feedback_form_is_cached_with_each_visitors_own_token():
    make_people()  # an organisation to receive it
    area = ServiceArea.objects.create(name="Home to school transport", slug="transport")
    first, response, _, _ = _visit(reverse("feedback:give"))
    assert response.get("X-Page-Cache") is None  # made, and stored
    second, response, html, tokens = _visit(reverse("feedback:give"))
    assert response.get("X-Page-Cache") == "hit"
    assert TOKEN_SLOT.decode() not in html
    assert {_unmask_cipher_token(t) for t in tokens} == {_secret(second)}
    assert _secret(first) != _secret(second)
    every_token = re.findall(r"[A-Za-z0-9]{64}", html)
    assert all(_unmask_cipher_token(t) != _secret(first) for t in every_token)

    # The cached form posts and is stored, with the token it carried.
    posted = second.post(reverse("feedback:give"), {
        "csrfmiddlewaretoken": tokens[0], "service_areas": area.pk,
        "what_went_well": "The escort knew my son's needs.", "even_better_if": "More notice.",
        "rating": "4", "respondent": "parent_carer", "consent_to_quote": "no",
        "wants_contact": "no"})
    assert posted.status_code == 302
    assert Feedback.objects.filter(what_went_well="The escort knew my son's needs.").exists()


def test_a_returning_visitor_keeps_their_token_and_the_easy_read_form_is_cached_too():
    client, _, _, _ = _visit(reverse("feedback:give-easy-read"))
    secret = _secret(client)
    response = client.get(reverse("feedback:give-easy-read"))
    assert response.get("X-Page-Cache") == "hit"
    assert {_unmask_cipher_token(t) for t in TOKEN.findall(response.content.decode())} == {secret}


@pytest.mark.django_db(transaction=True)  # real commits move the generations on
def test_cached_form_offers_a_new_service_area_or_organisation_at_once(
        django_capture_on_commit_callbacks):
    admin = make_people()[1]
    _visit(reverse("feedback:give"))
    assert _visit(reverse("feedback:give"))[1].get("X-Page-Cache") == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        core_services.list_item_create(acting_user=admin, model=ServiceArea,
                                       name="Short breaks in the holidays")
    assert "Short breaks in the holidays" in _visit(reverse("feedback:give"))[2]
    # Even when changed outside a service (the admin site).
    with django_capture_on_commit_callbacks(execute=True):
        Organisation.objects.create(name="Riverside Academy Trust", slug="riverside")
    assert "Riverside Academy Trust" in _visit(reverse("feedback:give"))[2]


@pytest.mark.django_db(transaction=True)  # real commits move the generations on
def test_cached_report_page_never_outlives_a_withdrawal(django_capture_on_commit_callbacks):
    org, officer, approver = make_people()
    with django_capture_on_commit_callbacks(execute=True):
        report = published_report(org=org, author=officer, approver=approver)
    url = reverse("reports:detail", args=[report.slug])
    _visit(url)
    client, response, html, tokens = _visit(url)
    assert response.get("X-Page-Cache") == "hit"
    assert "Finding information 0" in html
    # "Was this page useful?" posts with the token the cached page carried.
    useful = reverse("reports:useful", args=[report.slug, report.version])
    assert client.post(useful, {"csrfmiddlewaretoken": tokens[0], "useful": "yes"}
                       ).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        services.report_withdraw(acting_user=officer, report=report, reason="A figure was wrong.")
    response = Client().get(url)
    assert response.status_code == 410
    assert "Finding information 0" not in response.content.decode()


def test_signed_in_people_never_get_or_make_a_cached_form_page():
    officer = make_people()[1]
    client = Client()
    client.force_login(officer)
    for _ in range(2):
        assert client.get(reverse("feedback:give")).get("X-Page-Cache") is None
    assert Client().get(reverse("feedback:give")).get("X-Page-Cache") is None


def test_a_page_showing_the_secret_any_other_way_is_not_stored(rf):
    request = rf.get("/")
    request.META["CSRF_COOKIE"] = "a" * 32
    assert _without_tokens(request, b"<p>" + b"a" * 32 + b"</p>") is None
    assert _without_tokens(request, b"<p>" + TOKEN_SLOT + b"</p>") is None
    assert _without_tokens(request, b"<p>nothing</p>") == b"<p>nothing</p>"
