"""The public plan at county scale: a plan of thousands of actions is read a
page at a time, in the same number of queries on every page."""

import pytest
from django.urls import reverse

from actionplan.models import Action
from actionplan.selectors import PUBLIC_ACTIONS_PER_PAGE
from tests.core.factories import OrganisationFactory

from .factories import PlanFactory, PriorityFactory

pytestmark = pytest.mark.django_db


def test_a_long_plan_is_shown_a_page_at_a_time(client, django_assert_num_queries):
    plan = PlanFactory(title="A long plan")
    org = OrganisationFactory()
    priorities = [PriorityFactory(plan=plan, number=n, title=f"Priority title {n}")
                  for n in (1, 2, 3)]
    PriorityFactory(plan=plan, number=4, title="Nothing public yet")
    count = 2 * PUBLIC_ACTIONS_PER_PAGE + 10
    Action.objects.bulk_create([
        Action(priority=priorities[i * 3 // count], reference=f"{i}", title=f"Public action {i}.",
               lead_organisation=org, is_public=True) for i in range(count)])
    Action.objects.create(priority=priorities[0], title="Internal action", lead_organisation=org)

    # +1: the page's public measures (none here; their values and targets when there are)
    with django_assert_num_queries(6):
        first = client.get(reverse("actionplan:index")).content.decode()
    assert "Public action 0." in first and f"Public action {PUBLIC_ACTIONS_PER_PAGE}." not in first
    assert f"Actions 1 to {PUBLIC_ACTIONS_PER_PAGE} of {count}" in first
    assert "Nothing public yet" in first and "Internal action" not in first
    with django_assert_num_queries(6):
        last = client.get(reverse("actionplan:index") + "?page=3").content.decode()
    assert f"Public action {count - 1}." in last and "Public action 0." not in last
    assert "Priority title 3" in last and "Priority title 1" not in last
    assert "Nothing public yet" not in last
    # Bad page numbers fall back to a real page, never a 500.
    assert client.get(reverse("actionplan:index") + "?page=abc").status_code == 200
    assert client.get(reverse("actionplan:index") + "?page=999").status_code == 200
