"""Kept public pages are also kept gzipped, compressed once when made: a
browser that accepts gzip gets those bytes, which are the same page; one
that does not gets the page as before. A page with a form's CSRF token is
never compressed (BREACH), and nothing for a signed-in person is kept."""

import gzip

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.actionplan.factories import ActionFactory, PlanFactory, PriorityFactory
from tests.reports.factories import make_people, published_report

pytestmark = pytest.mark.django_db
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture(autouse=True)
def page_cache():
    from django.core.cache import cache

    cache.clear()
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=600):
        yield
    cache.clear()


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}


def test_a_kept_page_is_served_gzipped_to_a_browser_that_accepts_it():
    org, officer, approver = make_people()
    report = published_report(org=org, author=officer, approver=approver)
    plan = PlanFactory(is_published=True)
    ActionFactory(priority=PriorityFactory(plan=plan), is_public=True)
    for path in ("/", reverse("reports:index"), reverse("reports:series", args=[report.series.slug])
                 if report.series else "/charter/", reverse("actionplan:plan", args=[plan.slug])):
        made = Client().get(path, **GZIP)  # made, and kept both ways
        assert made.status_code == 200 and "Content-Encoding" not in made, path
        zipped = Client().get(path, **GZIP)
        plain = Client().get(path)
        assert zipped["X-Page-Cache"] == "hit" and zipped["Content-Encoding"] == "gzip", path
        assert plain["X-Page-Cache"] == "hit" and "Content-Encoding" not in plain, path
        assert gzip.decompress(zipped.content) == plain.content == made.content, path
        assert len(zipped.content) < len(plain.content) / 2, path
        assert "accept-encoding" in _vary(zipped) and "accept-encoding" in _vary(plain), path


@pytest.mark.parametrize("page", ["feedback", "report"])
def test_a_page_with_a_forms_token_is_never_gzipped(page):
    org, officer, approver = make_people()
    path = (reverse("feedback:give") if page == "feedback" else reverse(
        "reports:detail", args=[published_report(org=org, author=officer,
                                                 approver=approver).slug]))
    for _ in range(2):
        response = Client().get(path, **GZIP)
        assert response.status_code == 200 and "Content-Encoding" not in response
        assert b'name="csrfmiddlewaretoken"' in response.content
    assert response["X-Page-Cache"] == "hit"  # kept, with the visitor's own token put in


def test_nothing_for_a_signed_in_person_is_kept_or_gzipped():
    _, officer, _ = make_people()
    client = Client()
    client.force_login(officer)
    for _ in range(2):
        response = client.get("/", **GZIP)
        assert response.status_code == 200
        assert "Content-Encoding" not in response and "X-Page-Cache" not in response


def test_open_data_gzipped_has_its_own_validator_and_answers_304():
    make_people()
    url = "/api/organisations.csv"
    Client().get(url, **GZIP)
    zipped = Client().get(url, **GZIP)
    plain = Client().get(url)
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert zipped["ETag"] != plain["ETag"] and zipped["ETag"].endswith('-gzip"')
    assert zipped["Content-Disposition"] == plain["Content-Disposition"]
    again = Client().get(url, HTTP_IF_NONE_MATCH=zipped["ETag"], **GZIP)
    assert again.status_code == 304 and again.content == b""
