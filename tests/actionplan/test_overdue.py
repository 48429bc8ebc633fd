""""Overdue" is one definition (actionplan.models.overdue_condition and
Action.is_overdue_on); every place that shows or acts on it agrees."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actionplan import selectors
from actionplan.filters import ActionFilter
from actionplan.models import Action, Reminder, Status
from core.models import Role
from tests.core.factories import UserFactory, staff_user

from .factories import ActionFactory, MeetingFactory, PriorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actions():
    """One action per case that matters, all in one board's plan, with an owner."""
    today = timezone.localdate()
    priority = PriorityFactory()
    owner = UserFactory()
    cases = {
        "due yesterday": (today - timedelta(days=1), Status.ON_TRACK),
        "due long ago, not started": (today - timedelta(days=400), Status.NOT_STARTED),
        "due today": (today, Status.AT_RISK),
        "due tomorrow": (today + timedelta(days=1), Status.OFF_TRACK),
        "no due date": (None, Status.ON_TRACK),
        "complete, was due yesterday": (today - timedelta(days=1), Status.COMPLETE),
        "cancelled, was due yesterday": (today - timedelta(days=1), Status.CANCELLED),
    }
    made = {}
    for name, (due, status) in cases.items():
        action = ActionFactory(priority=priority, due_date=due, owner=owner, title=name)
        Action.objects.filter(pk=action.pk).update(current_status=status, last_update_on=today)
        made[name] = Action.objects.get(pk=action.pk)
    return today, priority, made


EXPECTED = {"due yesterday", "due long ago, not started"}


def test_model_property_and_queryset_agree(actions):
    today, _, made = actions
    assert {name for name, a in made.items() if a.is_overdue} == EXPECTED
    assert {name for name, a in made.items() if a.is_overdue_on(today)} == EXPECTED
    assert set(Action.objects.overdue(today).values_list("title", flat=True)) == EXPECTED
    assert set(Action.objects.overdue().values_list("title", flat=True)) == EXPECTED


def test_action_list_filter_agrees(actions):
    filterset = ActionFilter({"overdue": "on"}, queryset=selectors.actions_for_staff())
    assert set(filterset.qs.values_list("title", flat=True)) == EXPECTED


def test_dashboard_agrees(actions):
    today, *_ = actions
    data = selectors.dashboard(Action.objects.all(), today=today)
    assert data.totals["overdue"] == len(EXPECTED)
    assert {a.title for a in data.overdue} == EXPECTED


def test_board_pack_agrees(actions):
    today, priority, _ = actions
    meeting = MeetingFactory(board=priority.plan.board)
    context = selectors.board_pack_context(meeting_id=meeting.pk, today=today)
    assert {a.title for a in context["overdue"]} == EXPECTED


def test_reminders_agree(actions):
    today, *_ = actions
    reminded = {a.title for kind, a in selectors.actions_needing_reminders(
        today=today, stale_before=today - timedelta(days=90), period="test")
        if kind == Reminder.Kind.OVERDUE}
    assert reminded == EXPECTED


def test_pages_tag_the_same_actions(client, actions):
    _, _, made = actions
    client.force_login(staff_user(Role.OFFICER, made["due yesterday"].lead_organisation))
    page = client.get(reverse("staff:actionplan:action_list") + "?overdue=on").content.decode()
    assert page.count(">Overdue</strong>") == len(EXPECTED)
    for name, action in made.items():
        detail = client.get(reverse("staff:actionplan:action_detail", args=[action.pk]))
        assert (">Overdue</strong>" in detail.content.decode()) == (name in EXPECTED), name


def test_a_finished_plan_is_judged_on_its_own_end_not_today(client, actions):
    """A historic plan showed every action left open as overdue and "not updated
    for 90 days" against today. Its dashboard now reads it as it stood when it
    ended: overdue before its end, quiet for 90 days before its end, the trend's
    twelve months up to its end, and nothing "due in the next 30 days"."""
    today, priority, made = actions
    plan = priority.plan
    end = today - timedelta(days=200)
    plan.period_start, plan.period_end = end - timedelta(days=1000), end
    plan.save()
    Action.objects.filter(title="due long ago, not started").update(last_update_on=None)
    Action.objects.update(created_at=timezone.now() - timedelta(days=2000))
    late = made["due long ago, not started"]  # due 400 days ago: late when the plan ended
    Action.objects.filter(pk=late.pk).update(last_update_on=end - timedelta(days=120))

    assert selectors.dashboard_judged_on(plan, today) == end
    data = selectors.dashboard(Action.objects.all(), today=today,
                               judged_on=selectors.dashboard_judged_on(plan, today))
    assert [a.title for a in data.overdue] == ["due long ago, not started"]
    assert data.totals["overdue"] == 1
    assert data.totals["stale"] == 1 and data.stale == [late]
    assert data.totals["due_soon"] == 0
    assert data.over_time[-1].key == end.isoformat()

    client.force_login(staff_user(Role.BOARD_MEMBER, late.lead_organisation))
    page = client.get(reverse("staff:actionplan:dashboard") + f"?plan={plan.pk}").content.decode()
    assert f"This plan ended on {end:%-d %B %Y}" in page
    assert "Due in the next 30 days" not in page
    # A plan still running is judged on today.
    assert selectors.dashboard_judged_on(PriorityFactory().plan, today) == today
