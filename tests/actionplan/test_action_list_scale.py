"""The staff action list at county scale: it opens on the person's own plan
(like the dashboard), offers only that plan's priorities, and "Any plan"
is still a choice."""

import pytest
from django.urls import reverse

from actionplan import selectors
from actionplan.models import Action

from .factories import ActionFactory, PlanFactory, PriorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_plan(world):
    plan = PlanFactory(title="Elsewhere plan", slug="elsewhere-plan")
    priority = PriorityFactory(plan=plan, number=7, title="A priority of another plan")
    ActionFactory(priority=priority, reference="7.1", title="An action of another plan",
                  lead_organisation=world["other"])
    return plan


def test_the_list_opens_on_the_persons_plan_with_its_priorities_only(client, world, second_plan):
    user = world["people"]["lead_officer"]
    client.force_login(user)
    response = client.get(reverse("staff:actionplan:action_list"))
    expected = selectors.plan_for_dashboard(user)
    assert expected is not None
    assert response.context["filter"].form.cleaned_data["plan"] == expected
    choices = [p.pk for p in response.context["filter"].form.fields["priority"].queryset]
    assert set(choices) == set(expected.priorities.values_list("pk", flat=True))
    assert f"plan={expected.pk}" in response.context["query"]  # the CSV link exports the same
    listed = {a.pk for a in response.context["page"]}
    assert listed == set(Action.objects.filter(priority__plan=expected).values_list("pk", flat=True))


def test_any_plan_lists_every_plan_and_has_no_priority_filter(client, world, second_plan):
    client.force_login(world["people"]["lead_officer"])
    response = client.get(reverse("staff:actionplan:action_list"), {"plan": ""})
    page = response.content.decode()
    assert "Publish a co-produced Local Offer" in page and "An action of another plan" in page
    assert "priority" not in response.context["filter"].form.fields
    # A priority given without a plan (an old bookmark) still filters, and is the only choice.
    response = client.get(reverse("staff:actionplan:action_list"),
                          {"plan": "", "priority": world["priority"].pk})
    assert response.status_code == 200
    assert "An action of another plan" not in response.content.decode()
    assert list(response.context["filter"].form.fields["priority"].queryset) == [world["priority"]]


def test_a_chosen_plan_filters_by_its_priority(client, world, second_plan):
    client.force_login(world["people"]["lead_officer"])
    other_priority = second_plan.priorities.get()
    response = client.get(reverse("staff:actionplan:action_list"),
                          {"plan": second_plan.pk, "priority": other_priority.pk})
    page = response.content.decode()
    assert "An action of another plan" in page and "Publish a co-produced Local Offer" not in page
    # Another plan's priority is not a choice here: the form says so, no 500.
    response = client.get(reverse("staff:actionplan:action_list"),
                          {"plan": second_plan.pk, "priority": world["priority"].pk})
    assert response.status_code == 200
    assert response.context["filter"].form.errors.get("priority")


@pytest.mark.parametrize("plan", ["abc", "99999999999999", "-1"])
def test_odd_plan_values_do_not_break_the_list(client, world, plan):
    client.force_login(world["people"]["lead_officer"])
    assert client.get(reverse("staff:actionplan:action_list"), {"plan": plan}).status_code == 200
