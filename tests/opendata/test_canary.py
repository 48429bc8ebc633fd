"""Nothing personal or unpublished, ever: a family sends feedback through the
public form with a canary name, e-mail, phone and words; a report answering
it (with an approved, redacted quote of it) is published. Then every open
data answer — every API address and page, every CSV file and its metadata,
the OpenAPI document and the two pages — is read, and none holds any canary,
the family's tracking token, a staff e-mail address, an internal action or
narrative, or a draft, in-review or withdrawn report."""

import json
import re

import pytest
from django.urls import reverse

from opendata import tables
from reports.models import Report
from tests.opendata.conftest import (
    CANARY,
    HIDDEN_TITLES,
    INTERNAL_ACTION,
    INTERNAL_MEASURE,
    INTERNAL_NARRATIVE,
    MEASURE_NOTE,
    MEASURE_OF_INTERNAL_ACTION,
    PUBLIC_MEASURE,
    build_open_world,
)

pytestmark = pytest.mark.django_db


def _every_answer(client, world) -> dict[str, bytes]:
    """Every open-data address, following every list's pages and every
    report and charter it names, plus the hidden reports' own addresses."""
    answers: dict[str, bytes] = {}

    def read(url, expect=(200,)):
        response = client.get(url)
        assert response.status_code in expect, (url, response.status_code)
        answers[url] = response.content
        return json.loads(response.content) if "json" in response["Content-Type"] else None

    for url in ("/api/figures/", "/api/organisations/", "/api/themes/", "/api/service-areas/",
                "/api/openapi.json", "/api/csv-metadata.json", "/api/docs/", "/open-data/"):
        read(url)
    for url in ("/api/reports/?per_page=1", "/api/actions/?per_page=1",
                "/api/charters/?per_page=1"):
        while url:
            page = read(url)
            for row in page["results"]:
                if "api_url" in row:
                    read(row["api_url"])
            url = page["next"]
    for table in tables.TABLES:
        read(f"/api/{table.name}.csv")
        read(f"/api/{table.name}.csv-metadata.json")
    for report in Report.objects.exclude(pk=world.published.pk):
        read(f"/api/reports/{report.slug}/", expect=(404, 410))
    return answers


def test_nothing_a_family_typed_and_nothing_unpublished_is_in_any_answer(client):
    world = build_open_world(client)
    # The family's private link, from their confirmation page.
    sent = client.get(reverse("feedback:sent")).content.decode()
    token = re.search(r"/feedback/track/([^/\"]+)/", sent).group(1)
    client.cookies.clear()

    answers = _every_answer(client, world)
    assert len(answers) > 30
    # The published report and its quote are there: the search below can find things.
    everything = "\n".join(a.decode() for a in answers.values())
    assert "Local Offer feedback: what we did" in everything
    assert "The pages were hard to find for a parent like me." in everything
    # The public measure is in the actions' answers and the measures' files.
    for url in ("/api/actions/?per_page=1", "/api/measures.csv"):
        assert PUBLIC_MEASURE in answers[url].decode(), url
    assert "61.5" in answers["/api/measure-values.csv"].decode()

    phone_digits = CANARY["phone"].replace(" ", "")
    forbidden = [*CANARY.values(), phone_digits, token, world.officer.email,
                 world.approver.email, INTERNAL_ACTION, INTERNAL_NARRATIVE,
                 INTERNAL_MEASURE, MEASURE_OF_INTERNAL_ACTION, MEASURE_NOTE,
                 *HIDDEN_TITLES.values()]
    for url, body in answers.items():
        text = body.decode()
        flat = text.replace(" ", "").replace("\\u0020", "")
        for canary in forbidden:
            assert canary.lower() not in text.lower(), (url, canary)
        assert phone_digits not in flat, url


def test_draft_and_in_review_reports_are_not_found_and_withdrawn_is_gone(client):
    world = build_open_world(client)
    for status, code in ((Report.Status.DRAFT, 404), (Report.Status.IN_REVIEW, 404),
                         (Report.Status.WITHDRAWN, 410)):
        report = Report.objects.get(status=status)
        assert client.get(f"/api/reports/{report.slug}/").status_code == code, status
        assert client.get(f"/reports/{report.slug}/").status_code == code, status
    slugs = [r["slug"] for r in json.loads(client.get("/api/reports/").content)["results"]]
    assert slugs == [world.published.slug]
