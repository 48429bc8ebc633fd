"""The OpenAPI document is valid, and the running portal keeps to it:
schemathesis generates requests from the document (property-based, through
Hypothesis) and checks every answer — no server error, every status code,
content type and body as the document says."""

import json

import pytest
import schemathesis
from openapi_spec_validator import validate

from tests.conftest import assert_accessible
from tests.opendata.conftest import build_open_world


@pytest.mark.django_db
def test_the_openapi_document_validates(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    validate(document)  # raises on any error
    assert document["info"]["license"]["name"] == "Open Government Licence v3.0"
    assert set(document["paths"]) == {
        "/api/reports/", "/api/reports/{slug}/", "/api/actions/", "/api/charters/",
        "/api/charters/{slug}/", "/api/figures/", "/api/organisations/", "/api/themes/",
        "/api/service-areas/"}


@pytest.fixture
def api_schema(transactional_db, live_server, client):
    build_open_world(client)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    schema.config.update(base_url=live_server.url)
    # Valid requests only (the document's own constraints): a slug with a
    # "/" in it never reaches the API, Django answers its HTML 404 first.
    # A modest count keeps the run well under a minute.
    schema.config.generation.update(modes=["positive"], max_examples=12, deterministic=True)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_the_api_keeps_to_its_document(case):
    case.call_and_validate()


@pytest.mark.browser
def test_the_docs_page_is_accessible_and_breaks_no_csp_rule(page, transactional_db, client):
    build_open_world(client)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto("/api/docs/")
    assert page.get_by_role("heading", level=1).inner_text() == "API documentation"
    assert_accessible(page, "API docs")
    page.get_by_role("link", name="One report in full: GET /api/reports/{slug}/").click()
    assert page.url.endswith("#opendata_api_report_detail")
    assert_accessible(page, "API docs, after following the contents")
    page.goto("/open-data/")
    assert_accessible(page, "Open data")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/api/docs/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert not problems, problems
