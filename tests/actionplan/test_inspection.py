"""A plan that answers an area SEND inspection: its report's date and
outcome, the monitoring inspection expected 18 months later (editable), and
the time left and the plan's standing on the dashboard and the public plan."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actionplan import selectors, services
from actionplan.forms import PlanForm
from actionplan.models import Board, Status, months_after
from core.models import Role
from tests.actionplan.factories import ActionFactory, PlanFactory, PriorityFactory
from tests.core.factories import staff_user

pytestmark = pytest.mark.django_db


def test_monitoring_is_expected_18_months_after_the_report_unless_given():
    plan = services.plan_create(acting_user=None, title="SEND priorities", area="Testshire",
                                period_start=date(2026, 1, 1), period_end=date(2028, 12, 31),
                                inspection_report_on=date(2025, 8, 31),
                                inspection_outcome="Inconsistent experiences and outcomes")
    assert plan.monitoring_due_on == date(2027, 2, 28)  # 18 months on, the month's last day
    services.plan_edit(acting_user=None, plan=plan, title=plan.title, area=plan.area,
                       period_start=plan.period_start, period_end=plan.period_end,
                       board=None, is_published=True, inspection_report_on=plan.inspection_report_on,
                       inspection_outcome=plan.inspection_outcome,
                       monitoring_due_on=date(2027, 1, 18))
    plan.refresh_from_db()
    assert plan.monitoring_due_on == date(2027, 1, 18)
    # An edit that does not name the inspection leaves it as it is.
    services.plan_edit(acting_user=None, plan=plan, title="SEND priorities 2026",
                       area=plan.area, period_start=plan.period_start,
                       period_end=plan.period_end, board=None, is_published=True)
    plan.refresh_from_db()
    assert (plan.inspection_report_on, plan.monitoring_due_on) == (date(2025, 8, 31),
                                                                   date(2027, 1, 18))


def test_form_errors_for_an_inspection_without_its_date_or_a_monitoring_date_before_it():
    base = {"title": "Plan", "area": "Testshire", "period_start_0": "1",
            "period_start_1": "1", "period_start_2": "2026", "period_end_0": "31",
            "period_end_1": "12", "period_end_2": "2028"}
    form = PlanForm({**base, "inspection_outcome": "Typical experiences"},
                    boards=Board.objects.none(), board_required=False)
    assert form.errors["inspection_report_on"] == ["Enter the date of the inspection report"]
    form = PlanForm({**base, "inspection_report_on_0": "1", "inspection_report_on_1": "6",
                     "inspection_report_on_2": "2026", "monitoring_due_on_0": "1",
                     "monitoring_due_on_1": "1", "monitoring_due_on_2": "2026"},
                    boards=Board.objects.none(), board_required=False)
    assert form.errors["monitoring_due_on"] == [
        "The monitoring inspection must be after the inspection report"]


@pytest.mark.parametrize("today, monitoring, words", [
    (date(2026, 1, 10), date(2027, 3, 10), "1 year and 2 months left"),
    (date(2026, 1, 10), date(2026, 7, 9), "5 months left"),
    (date(2026, 1, 10), date(2026, 1, 31), "3 weeks left"),
    (date(2026, 1, 10), date(2026, 1, 12), "2 days left"),
    (date(2026, 1, 10), date(2026, 1, 10), "Expected today"),
    (date(2026, 5, 10), date(2026, 3, 10), "Expected 2 months ago"),
])
def test_time_left_in_words(today, monitoring, words):
    standing = selectors.InspectionStanding(report_on=date(2024, 9, 1), outcome="",
                                            monitoring_due_on=monitoring, today=today,
                                            total=0, complete=0, overdue=0, due_after=0)
    assert standing.time_left == words


@pytest.fixture
def inspected_plan():
    today = timezone.localdate()
    plan = PlanFactory(is_published=True, inspection_report_on=today - timedelta(days=120),
                       inspection_outcome="Inconsistent experiences and outcomes",
                       monitoring_due_on=months_after(today, 14))
    priority = PriorityFactory(plan=plan)
    for status, due, public in ((Status.COMPLETE, today - timedelta(days=5), True),
                                (Status.ON_TRACK, today - timedelta(days=3), True),
                                (Status.AT_RISK, today + timedelta(days=900), False),
                                (Status.CANCELLED, today, True)):
        ActionFactory(priority=priority, current_status=status, due_date=due, is_public=public)
    return plan


def test_dashboard_shows_the_monitoring_date_time_left_and_standing(client, inspected_plan):
    plan = inspected_plan
    client.force_login(staff_user(Role.BOARD_MEMBER, plan.priorities.first()
                                  .actions.first().lead_organisation))
    html = client.get(reverse("staff:actionplan:dashboard"), {"plan": plan.pk}).content.decode()
    assert "The inspection this plan answers" in html
    assert f"{plan.monitoring_due_on:%-d %B %Y}" in html
    assert "1 year and 2 months left" in html
    assert "Inconsistent experiences and outcomes" in html
    standing = selectors.plan_inspection_standing(plan, timezone.localdate())
    assert (standing.total, standing.complete, standing.overdue, standing.due_after) == (
        3, 1, 1, 1)
    assert "1 of 3 (33%)" in html


def test_public_plan_shows_it_counting_public_actions_only(client, inspected_plan):
    html = client.get(inspected_plan.get_absolute_url()).content.decode()
    assert "The inspection this plan answers" in html
    assert "1 year and 2 months left" in html
    assert "1 of 2 (50%)" in html


def test_a_plan_answering_no_inspection_shows_nothing_and_costs_no_query(
        client, django_assert_num_queries):
    plan = PlanFactory(is_published=True)
    ActionFactory(priority=PriorityFactory(plan=plan), is_public=True)
    assert selectors.plan_inspection_standing(plan, timezone.localdate()) is None
    with django_assert_num_queries(6):  # as pinned in test_public_pages (+1 the public measures)
        html = client.get(plan.get_absolute_url()).content.decode()
    assert "The inspection this plan answers" not in html
