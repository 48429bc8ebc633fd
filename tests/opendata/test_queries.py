"""Queries per open-data address, pinned, and the same at two volumes: a
list costs the same for one report or many, one action or many."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actionplan import services as actionplan_services
from tests.actionplan.factories import ActionFactory
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, ThemeFactory
from tests.opendata.conftest import _publish, _report, add_measures

pytestmark = pytest.mark.django_db

# Lists: a count and a page (actions: and their history, themes, and public
# measures with their values and targets; the measures' files the same three). A
# report: the report, its topics, items, quotes, statistics, actions and
# versions. A charter: the charter, sections, commitments, practices,
# signatories, statements, answers and rounds. The charter files read each
# adopted charter that way (an area has one or two), so they are pinned for
# one. The figures are the home page's, kept in the cache.
PINNED = {
    "/api/reports/": 2,
    "/api/reports/{slug}/": 7,
    "/api/actions/": 7,
    "/api/charters/": 2,
    "/api/charters/testshire-charter/": 9,
    "/api/figures/": 0,
    "/api/organisations/": 1,
    "/api/themes/": 1,
    "/api/service-areas/": 1,
    "/api/reports.csv": 1,
    "/api/report-items.csv": 6,
    "/api/actions.csv": 2,
    "/api/action-history.csv": 3,
    "/api/measures.csv": 3,
    "/api/measure-values.csv": 3,
    "/api/charter-results.csv": 8,
    "/api/charter-commitments.csv": 8,
    "/api/csv-metadata.json": 0,
}


def _counts(client, world) -> dict[str, int]:
    counts = {}
    client.get("/api/figures/")  # the home figures are computed once, then kept
    for url in PINNED:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url.replace("{slug}", world.published.slug))
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


def _more(world, n: int) -> None:
    quote = world.published.items.first().quotes.first()
    for i in range(n):
        org = OrganisationFactory(name=f"Partner {i}")
        theme = ThemeFactory(name=f"Theme {i}")
        area = ServiceAreaFactory(name=f"Service {i}")
        action = ActionFactory(priority=world.public_action.priority, is_public=True,
                               reference=f"1.{10 + i}", lead_organisation=org)
        action.themes.add(theme, world.theme)
        for days in (30, 20):
            actionplan_services.action_update_progress(
                acting_user=world.officer, action=action, status="on_track", percent=days,
                narrative="Internal", public_narrative="Going well.",
                date=timezone.localdate() - timedelta(days=days))
        add_measures(world.officer, action, world.internal_action, action.priority, code=f"-{i}")
        report = _report(world.org, world.officer, world.theme, f"Another report {i}", area=area,
                         quotes=[quote], actions=[action])
        _publish(report, world.officer, world.approver)


def test_queries_do_not_grow_with_volume(client, open_world):
    small = _counts(client, open_world)
    _more(open_world, 4)
    large = _counts(client, open_world)
    assert small == large
    assert small == PINNED
