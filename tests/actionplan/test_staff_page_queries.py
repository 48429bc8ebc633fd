"""The staff action list and the board dashboard read a fixed number of
queries, however many actions, plans and owners there are (issue #11,
county scale: 10,000 actions over 130 plans)."""

from datetime import date

import pytest
from django.urls import reverse

from actionplan.models import Action
from core import changes
from tests.core.factories import OrganisationFactory, staff_user

from .factories import PlanFactory, PriorityFactory

pytestmark = pytest.mark.django_db


def _more_actions(world, count: int) -> None:
    """Actions in the person's plan (each with its own lead and owner) and a
    new plan with priorities of its own, so rows, choices and joins all grow."""
    from core.models import Role

    priorities = [world["priority"], PriorityFactory(plan=world["plan"],
                                                     number=Action.objects.count() + 10)]
    # An older plan of a board the person's organisation does not sit on:
    # the list and the dashboard still open on the person's own plan.
    other_plan = PlanFactory(period_start=date(2020, 1, 1), period_end=date(2022, 12, 31))
    PriorityFactory(plan=other_plan, number=1)
    leads = [OrganisationFactory() for _ in range(3)]
    owners = [staff_user(Role.OFFICER, leads[0]) for _ in range(3)]
    Action.objects.bulk_create([
        Action(priority=priorities[i % 2], reference=f"9.{Action.objects.count() + i}",
               title=f"Action {i}", lead_organisation=leads[i % 3], owner=owners[i % 3])
        for i in range(count)])


def test_action_list_query_count_is_pinned_and_constant(client, world, django_assert_num_queries):
    client.force_login(world["people"]["lead_officer"])
    url = reverse("staff:actionplan:action_list")
    client.get(url)
    # user, roles, the person's plan, the plan chosen, capped count, rows, filter
    # choices (plans, the plan's priorities, lead organisations); the session is
    # read from its cached copy
    with django_assert_num_queries(9):
        client.get(url)
    _more_actions(world, 40)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.context["filter"].form.cleaned_data["plan"] == world["plan"]
    assert len(response.context["page"].object_list) == 25


def test_dashboard_query_count_is_pinned_and_constant(client, world, django_assert_num_queries):
    client.force_login(world["people"]["board_member"])
    url = reverse("staff:actionplan:dashboard")
    with django_assert_num_queries(18) as missed:  # the figures (and the loop's, and the measures) worked out
        client.get(url)
    # Kept: user, roles, the person's plan, the plan chosen, filter choices
    # (plans, the plan's priorities, lead organisations); the session is read
    # from its cached copy.
    with django_assert_num_queries(7):
        client.get(url)
    _more_actions(world, 40)  # a change: the figures are worked out again
    changes.move_on(("actionplan",))  # what its commit does, outside this test's transaction
    with django_assert_num_queries(len(missed.captured_queries)):
        client.get(url)
    with django_assert_num_queries(7):
        client.get(url)
