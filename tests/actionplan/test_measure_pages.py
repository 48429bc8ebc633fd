"""Measure pages: who may open each (anonymous, each role, another
organisation), the forms' errors, and query counts that do not grow with
the number of values."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from actionplan import services
from actionplan.models import Measure, MeasureValue
from core import changes

from .measure_fixtures import days_ago
from .test_permissions import ROLES, STAFF, UPDATERS, _client, _expect

pytestmark = pytest.mark.django_db

# Those who change the action (its lead organisation's officers, approvers and
# administrators); its owner (a partner's officer) records values only.
CHANGERS = {"lead_officer", "lead_approver", "administrator"}
WORKERS = {"owner", "lead_officer", "lead_approver", "other_officer", "administrator"}

PAGES = {
    "add a measure to an action": (
        lambda w, m: reverse("staff:actionplan:action_measure_create", args=[w["action"].pk]),
        CHANGERS),
    "change a measure": (
        lambda w, m: reverse("staff:actionplan:measure_edit", args=[m["ehcp"].pk]), CHANGERS),
    "add a value": (
        lambda w, m: reverse("staff:actionplan:measure_value_add", args=[m["ehcp"].pk]),
        UPDATERS | {"administrator"}),
    "upload values": (lambda w, m: reverse("staff:actionplan:measure_upload"), WORKERS),
    "priority page": (
        lambda w, m: reverse("staff:actionplan:priority_detail", args=[w["priority"].pk]), STAFF),
    # Those who sit on the plan's board (the lead and the partner) change its priorities.
    "add a measure to a priority": (
        lambda w, m: reverse("staff:actionplan:priority_measure_create",
                             args=[w["priority"].pk]),
        {"owner", "lead_officer", "lead_approver", "administrator"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_measure_page(client, world, measured, role, page):
    world["plan"].board.organisations.set([world["lead"], world["partner"]])
    url, allowed = PAGES[page]
    response = _client(client, world, role).get(url(world, measured))
    assert response.status_code == _expect(role, allowed), (page, role)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_add_a_value(client, world, measured, role):
    url = reverse("staff:actionplan:measure_value_add", args=[measured["ehcp"].pk])
    day = days_ago(3)
    response = _client(client, world, role).post(url, {
        "date_0": day.day, "date_1": day.month, "date_2": day.year, "value": "66.5",
        "note": "Quarter figure"})
    allowed = UPDATERS | {"administrator"}
    assert response.status_code == (302 if role in allowed or role == "anonymous" else 403)
    assert MeasureValue.objects.filter(measure=measured["ehcp"], date=day).exists() == (
        role in allowed)


def test_a_family_reported_measure_takes_no_typed_values(client, world, measured):
    Measure.objects.filter(pk=measured["ehcp"].pk).update(source="survey",
                                                          survey_question="Q")
    client.force_login(world["people"]["lead_officer"])
    url = reverse("staff:actionplan:measure_value_add", args=[measured["ehcp"].pk])
    assert client.get(url).status_code == 403


def test_the_value_form_keeps_what_was_typed_and_says_what_is_wrong(client, world, measured):
    client.force_login(world["people"]["owner"])
    url = reverse("staff:actionplan:measure_value_add", args=[measured["ehcp"].pk])
    tomorrow = timezone.localdate() + timedelta(days=1)
    cases = [
        ({"date_0": "", "date_1": "", "date_2": "", "value": ""},
         {"id_date_0": "Enter the date of the value", "id_value": "Enter the value"}),
        ({"date_0": "31", "date_1": "2", "date_2": "2026", "value": "sixty"},
         {"id_date_0": "must be a real date", "id_value": "must be a number"}),
        ({"date_0": tomorrow.day, "date_1": tomorrow.month, "date_2": tomorrow.year,
          "value": "1.234"},
         {"id_date_0": "today or in the past", "id_value": "at most 2 decimal places"}),
    ]
    day = days_ago(70)  # already has a value
    cases.append(({"date_0": day.day, "date_1": day.month, "date_2": day.year, "value": "1"},
                  {"id_date_0": "There is already a value"}))
    for data, expected in cases:
        response = client.post(url, {**data, "note": "typed note"})
        html = response.content.decode()
        assert response.status_code == 400, data
        for anchor, words in expected.items():
            assert f'href="#{anchor}"' in html, (anchor, data)  # the summary links to it
            assert words in html, words
        assert "typed note" in html  # nothing typed is lost
    assert MeasureValue.objects.filter(measure=measured["ehcp"]).count() == 5


def test_a_measure_is_added_with_its_baseline_and_targets(client, world):
    client.force_login(world["people"]["lead_officer"])
    url = reverse("staff:actionplan:action_measure_create", args=[world["action"].pk])
    response = client.post(url, {
        "name": "EHC plans issued within 20 weeks", "code": "ehcp-20", "unit": "percent",
        "direction": "up", "baseline_value": "38", "baseline_date_0": "31",
        "baseline_date_1": "3", "baseline_date_2": "2025", "target_value": "60",
        "target_date_0": "31", "target_date_1": "3", "target_date_2": "2027",
        "target_2_value": "", "frequency": "quarterly", "source": "staff",
        "is_public": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    measure = Measure.objects.get(code="EHCP-20")
    assert measure.action == world["action"] and measure.is_public
    assert [(t.value, t.date.isoformat()) for t in measure.targets.all()] == [
        (Decimal("60.00"), "2027-03-31")]


def test_the_measure_form_errors_link_to_their_fields(client, world, measured):
    client.force_login(world["people"]["lead_officer"])
    url = reverse("staff:actionplan:action_measure_create", args=[world["action"].pk])
    response = client.post(url, {"name": "", "code": "EHCP20", "unit": "percent",
                                 "direction": "up", "baseline_value": "38",
                                 "frequency": "quarterly", "source": "charter",
                                 "target_date_0": "1", "target_date_1": "1",
                                 "target_date_2": "2027"})
    html = response.content.decode()
    assert response.status_code == 400
    for anchor, words in {"id_name": "Enter the name of the measure",
                          "id_baseline_date_0": "Enter the date of the baseline",
                          "id_target_value": "Enter the target value",
                          "id_statement_lineage": "Select the charter statement"}.items():
        assert f'href="#{anchor}"' in html and words in html, anchor
    response = client.post(url, {"name": "Again", "code": "ehcp20", "unit": "percent",
                                 "direction": "up", "frequency": "quarterly",
                                 "source": "staff"})
    assert response.status_code == 400
    assert 'href="#id_code"' in response.content.decode()
    assert "Another measure already has this code" in response.content.decode()


def _more_values(measure, count: int, start: int = 1000) -> None:
    MeasureValue.objects.bulk_create([
        MeasureValue(measure=measure, date=days_ago(start + i), value=Decimal(i % 90))
        for i in range(count)])


def test_the_action_page_query_count_does_not_grow_with_values(client, world, measured,
                                                               django_assert_num_queries):
    client.force_login(world["people"]["lead_officer"])
    url = reverse("staff:actionplan:action_detail", args=[world["action"].pk])
    client.get(url)
    with django_assert_num_queries(15) as first:  # +1 the decisions, +2 the waiting families
        client.get(url)
    _more_values(measured["ehcp"], 60)
    _more_values(measured["internal"], 60)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_the_public_plan_query_count_does_not_grow_with_values(client, world, measured,
                                                               django_assert_num_queries):
    from django.core.cache import cache

    url = reverse("actionplan:plan", args=[world["plan"].slug])
    cache.clear()
    with django_assert_num_queries(8) as first:  # the page, plan, priorities, actions, measures, values, targets, other plans
        client.get(url)
    _more_values(measured["ehcp"], 60)
    cache.clear()
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_the_dashboard_query_count_does_not_grow_with_values(client, world, measured,
                                                             django_assert_num_queries):
    client.force_login(world["people"]["board_member"])
    url = reverse("staff:actionplan:dashboard")
    with django_assert_num_queries(21) as first:  # the figures worked out (+3 the loop's)
        client.get(url)
    _more_values(measured["ehcp"], 60)
    for i in range(30):
        services.measure_create(acting_user=None, action=world["action"], code=f"EXTRA-{i}",
                                name=f"Extra {i}")
    changes.move_on(("actionplan",))  # what their commit does, outside this test's transaction
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_changing_a_measure_replaces_its_targets_and_refuses_a_stale_page(client, world,
                                                                          measured):
    from actionplan.forms import MeasureForm

    measure = measured["ehcp"]
    client.force_login(world["people"]["lead_officer"])
    url = reverse("staff:actionplan:measure_edit", args=[measure.pk])
    page = client.get(url)
    assert page.status_code == 200
    initial = MeasureForm.initial_for(Measure.objects.get(pk=measure.pk))
    data = {"name": "EHC plans within 20 weeks (excluding exceptions)", "code": "EHCP20",
            "unit": "percent", "direction": "up", "baseline_value": "40",
            "baseline_date_0": initial["baseline_date"].day,
            "baseline_date_1": initial["baseline_date"].month,
            "baseline_date_2": initial["baseline_date"].year,
            "target_value": "65", "target_date_0": "31", "target_date_1": "3",
            "target_date_2": "2027", "target_2_value": "75", "target_2_date_0": "31",
            "target_2_date_1": "3", "target_2_date_2": "2028", "frequency": "quarterly",
            "source": "staff", "is_public": "on", "lock_version": initial["lock_version"]}
    assert client.post(url, data).status_code == 302
    measure.refresh_from_db()
    assert measure.name.startswith("EHC plans within 20 weeks")
    assert [(str(t.value), t.date.year) for t in measure.targets.all()] == [
        ("65.00", 2027), ("75.00", 2028)]
    # the same page sent again: someone (this person) saved since it was shown
    stale = client.post(url, {**data, "name": "Another name"})
    assert stale.status_code == 409
    assert "Another name" in stale.content.decode()  # nothing typed lost
    measure.refresh_from_db()
    assert measure.name.startswith("EHC plans within 20 weeks")
