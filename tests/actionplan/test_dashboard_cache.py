"""The board dashboard's figures are worked out once and kept, for everyone
asking with the same filters, until anything they show changes: a progress
update, a new or edited action, a renamed organisation or person, a new day."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplan import services
from actionplan.models import Status

from .factories import ActionFactory

pytestmark = pytest.mark.django_db


def _get(client, url="/staff/action-plan/dashboard/?plan="):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    # The sign-out button's CSRF token differs on every page; nothing else may.
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", response.content.decode()), len(captured)


@pytest.mark.django_db(transaction=True)  # real commits move the generations on (core.changes)
def test_kept_figures_follow_every_change(client, world):
    client.force_login(world["people"]["board_member"])
    first, computed = _get(client)
    again, kept = _get(client)
    assert kept < computed and again == first  # kept, and the same page

    # A progress update (through its service) shows at once.
    services.action_update_progress(acting_user=world["people"]["owner"],
                                    action=world["action"], status=Status.OFF_TRACK,
                                    percent=10, narrative="Worse", date=date(2026, 1, 5))
    page, count = _get(client)
    assert count > kept and page != first  # worked out again
    assert "Off track" in page

    # A new action, however made (no service): counted at once.
    ActionFactory(priority=world["priority"], lead_organisation=world["other"],
                  title="A brand new action", due_date=date(2020, 1, 1))
    page, _ = _get(client)
    assert "Otherwhere NHS Trust" in page  # its lead organisation has a bar now
    assert "A brand new action" in page  # and it is overdue

    # A renamed organisation: the new name, never the old.
    world["other"].name = "Elsewhere Health"
    world["other"].save()
    page, _ = _get(client)
    assert "Elsewhere Health" in page and "Otherwhere NHS Trust" not in page


def test_figures_are_kept_per_filter_and_day(client, world, monkeypatch):
    from django.utils import timezone

    client.force_login(world["people"]["board_member"])
    _get(client)
    assert _get(client)[1] < _get(client, "/staff/action-plan/dashboard/?plan=&status=at_risk")[1]
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2099, 1, 1))
    page, _ = _get(client)
    assert "1 January 2099" in page  # a new day: worked out again
