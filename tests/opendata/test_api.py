"""The open-data API: what it lists, its filters and pages, the withdrawal
rule, conditional GET and the rate limit."""

import csv
import io
import json

import pytest
from django.test import override_settings
from django.urls import reverse

from opendata import tables

pytestmark = pytest.mark.django_db


def get(client, url, **extra):
    response = client.get(url, **extra)
    return response, (json.loads(response.content) if response.content else None)


def test_reports_lists_only_the_current_published_version(client, open_world):
    response, data = get(client, "/api/reports/")
    assert response.status_code == 200
    assert [r["slug"] for r in data["results"]] == [open_world.published.slug]
    report = data["results"][0]
    assert report["publisher"] == "testshire-county-council"
    assert report["service_area"] == open_world.area.slug
    assert report["url"] == f"/reports/{open_world.published.slug}/"
    assert data["count"] == 1 and data["pages"] == 1 and data["next"] is None


def test_a_report_in_full_with_quotes_and_only_public_actions(client, open_world):
    response, data = get(client, f"/api/reports/{open_world.published.slug}/")
    assert response.status_code == 200
    item = data["topics"][0]["items"][0]
    assert item["quotes"] == ["The pages were hard to find for a parent like me."]
    assert [a["id"] for a in item["actions"]] == [open_world.public_action.pk]
    assert item["raised_count"] == 1 and item["outcome"] == "done"
    assert [v["status"] for v in data["versions"]] == ["published"]


def test_a_withdrawn_report_answers_410_like_its_page(client, open_world):
    slug = open_world.withdrawn.slug
    response, data = get(client, f"/api/reports/{slug}/")
    assert response.status_code == 410
    assert client.get(f"/reports/{slug}/").status_code == 410
    assert data["reason"] == "It named a school by mistake."
    assert "topics" not in data and "summary" not in data
    assert client.get("/api/reports/no-such-report/").status_code == 404


@pytest.mark.parametrize(("query", "found"), [
    ("publisher=testshire-county-council", 1), ("publisher=another", 0),
    ("service_area=local-offer", 1), ("service_area=transport", 0),
    ("theme=information-and-the-local-offer", 1), ("theme=nothing", 0),
    ("kind=local_offer", 1), ("kind=event", 0),
])
def test_report_filters(client, open_world, query, found):
    response, data = get(client, f"/api/reports/?{query}")
    assert response.status_code == 200 and data["count"] == found


def test_report_year_filter_is_the_archives(client, open_world):
    year = open_world.published.period_end.year
    assert get(client, f"/api/reports/?year={year}")[1]["count"] == 1
    assert get(client, "/api/reports/?year=1999")[1]["count"] == 0


def test_bad_filters_are_a_clear_422_not_a_server_error(client, open_world):
    for query in ("page=0", "page=x", "per_page=1000", "year=twenty", "kind=novel"):
        response = client.get(f"/api/reports/?{query}")
        assert response.status_code == 422, query


def test_pages_link_to_each_other_and_a_page_past_the_end_is_404(client, open_world):
    from tests.opendata.conftest import _publish, _report

    for n in range(2):
        _publish(_report(open_world.org, open_world.officer, open_world.theme, f"More {n}"),
                 open_world.officer, open_world.approver)
    _, first = get(client, "/api/reports/?per_page=2&publisher=testshire-county-council")
    assert first["count"] == 3 and first["pages"] == 2 and first["previous"] is None
    assert first["next"] == "/api/reports/?per_page=2&publisher=testshire-county-council&page=2"
    _, second = get(client, first["next"])
    assert len(second["results"]) == 1 and second["next"] is None
    assert client.get("/api/reports/?page=3&per_page=2").status_code == 404


def test_actions_are_the_public_ones_with_their_history(client, open_world):
    response, data = get(client, "/api/actions/")
    assert [a["id"] for a in data["results"]] == [open_world.public_action.pk]
    action = data["results"][0]
    assert action["history"][0]["public_narrative"] == "Pages for 0 to 5 are live."
    assert action["status"] == "on_track" and action["percent"] == 40
    assert action["plan"] == "testshire-send-strategy"
    assert get(client, "/api/actions/?status=complete")[1]["count"] == 0
    assert get(client, "/api/actions/?publisher=testshire-county-council")[1]["count"] == 1


def test_an_unpublished_plan_takes_its_actions_out(client, open_world):
    from actionplan import services

    services.plan_set_published(acting_user=None, plan=open_world.public_action.priority.plan,
                                is_published=False)
    assert get(client, "/api/actions/")[1]["count"] == 0


def test_charter_results_suppress_small_groups(client, open_world):
    _, listing = get(client, "/api/charters/")
    assert [c["slug"] for c in listing["results"]] == ["testshire-charter"]
    response, data = get(client, "/api/charters/testshire-charter/")
    assert response.status_code == 200
    many, few = data["statements"]
    assert many["results"][0] == {"round": "Parent carer conference", "held_on": "2026-03-14",
                                  "n": 6, "agree": 4, "agree_percent": 67, "suppressed": False}
    assert few["results"][0]["suppressed"] is True
    assert few["results"][0]["n"] is None and few["results"][0]["agree_percent"] is None
    assert data["sections"][0]["commitments"][0]["in_practice"] == [
        "we introduce each other at every meeting"]


def test_figures_and_lists(client, open_world):
    _, figures = get(client, "/api/figures/")
    assert figures["received"] >= 1
    _, organisations = get(client, "/api/organisations/")
    assert {"slug": "testshire-county-council", "name": "Testshire County Council"}.items() <= \
        organisations[0].items()
    assert get(client, "/api/themes/")[1][0]["slug"] == open_world.theme.slug
    assert get(client, "/api/service-areas/")[1][0]["slug"] == open_world.area.slug


@override_settings(PUBLIC_PAGE_CACHE_SECONDS=600)
@pytest.mark.parametrize("url", ["/api/reports/", "/api/actions/", "/api/reports.csv"])
def test_conditional_get_answers_304(client, open_world, url):
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert first["Cache-Control"] == "public, no-cache"
    assert first["Access-Control-Allow-Origin"] == "*"
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    # The kept copy answers with the same validators.
    kept = client.get(url)
    assert kept["X-Page-Cache"] == "hit" and kept["ETag"] == first["ETag"]
    assert kept["Last-Modified"] == first["Last-Modified"]


@pytest.mark.django_db(transaction=True)  # real commits move the generations on
@override_settings(PUBLIC_PAGE_CACHE_SECONDS=600)
def test_withdrawing_changes_the_etag_and_drops_the_report_at_once(client, open_world):
    from reports import services

    first = client.get("/api/reports/")
    services.report_withdraw(acting_user=open_world.approver, report=open_world.published,
                             reason="Replaced by the annual report.")
    again = client.get("/api/reports/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and json.loads(again.content)["count"] == 0
    assert client.get(f"/api/reports/{open_world.published.slug}/").status_code == 410


@override_settings(OPEN_DATA_RATE_LIMIT_PER_HOUR=3)
def test_the_rate_limit_answers_429_with_retry_after(client, open_world):
    for _ in range(3):
        assert client.get("/api/themes/").status_code == 200
    response = client.get("/api/reports.csv")
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert "Try again" in json.loads(response.content)["detail"]


def test_every_csv_matches_its_metadata(client, open_world):
    _, group = get(client, "/api/csv-metadata.json")
    assert group["dc:license"]["@id"] == tables.OGL
    assert len(group["tables"]) == len(tables.TABLES)
    for table in tables.TABLES:
        response = client.get(f"/api/{table.name}.csv")
        assert response.status_code == 200, table.name
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        _, meta = get(client, f"/api/{table.name}.csv-metadata.json")
        assert meta["@context"] == "http://www.w3.org/ns/csvw"
        assert meta["url"].endswith(f"/api/{table.name}.csv")
        assert rows[0] == [c["name"] for c in meta["tableSchema"]["columns"]]
        assert all(len(row) == len(rows[0]) for row in rows)
    assert client.get("/api/nothing.csv").status_code == 404


def test_csv_rows_say_what_the_api_says(client, open_world):
    rows = list(csv.DictReader(io.StringIO(client.get("/api/reports.csv").content.decode())))
    assert [r["slug"] for r in rows] == [open_world.published.slug]
    results = list(csv.DictReader(io.StringIO(
        client.get("/api/charter-results.csv").content.decode())))
    assert [(r["n"], r["agree_percent"], r["suppressed"]) for r in results] == [
        ("6", "67", "false"), ("", "", "true")]


def test_the_open_data_page_links_every_file_and_the_docs(client, open_world):
    page = client.get(reverse("opendata:index")).content.decode()
    for table in tables.TABLES:
        assert f'href="/api/{table.name}.csv"' in page
        assert f'href="/api/{table.name}.csv-metadata.json"' in page
    assert 'href="/api/docs/"' in page and 'href="/api/openapi.json"' in page
    assert "Open Government Licence v3.0" in page
    # Linked from every page's footer.
    assert 'href="/open-data/"' in client.get("/").content.decode()


def test_the_docs_page_is_made_from_the_openapi_document(client, open_world):
    page = client.get(reverse("opendata:docs")).content.decode()
    document = json.loads(client.get("/api/openapi.json").content)
    for path in document["paths"]:
        assert f"GET {path}" in page
    assert "<script>" not in page and "style=" not in page


@pytest.mark.parametrize("role", ["officer", "approver"])
def test_signed_in_staff_get_the_same_public_answers(client, open_world, role):
    anonymous = client.get("/api/reports/").content
    client.force_login(getattr(open_world, role))
    assert client.get("/api/reports/").content == anonymous
    assert client.get(f"/api/reports/{open_world.withdrawn.slug}/").status_code == 410


def test_the_api_is_read_only(client, open_world):
    assert client.post("/api/reports/").status_code == 405
    assert client.post("/api/reports.csv").status_code == 405


def test_api_on_its_own_leads_to_the_documentation(client, db):
    response = client.get("/api/")
    assert response.status_code == 302 and response["Location"] == "/api/docs/"


@override_settings(OPEN_DATA_RATE_LIMIT_PER_HOUR=2, PUBLIC_PAGE_CACHE_SECONDS=600)
def test_the_rate_limit_counts_answers_made_not_those_served_from_the_cache(client, open_world):
    for _ in range(5):
        assert client.get("/api/themes/").status_code == 200  # made once, then kept
    assert client.get("/api/reports/").status_code == 200
    assert client.get("/api/actions/").status_code == 429
