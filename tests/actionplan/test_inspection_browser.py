"""Done means 3 of issue 23 in Chromium: a plan answering an inspection shows
the monitoring date and the time left on the board dashboard and the public
plan, with axe-core and at 320 px."""

from datetime import timedelta

import pytest
from django.utils import timezone

from actionplan.models import Status, months_after
from tests.actionplan.factories import ActionFactory, PlanFactory, PriorityFactory
from tests.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_and_public_plan_count_down_to_the_monitoring_inspection(page, world):
    today = timezone.localdate()
    plan = PlanFactory(is_published=True, inspection_report_on=today - timedelta(days=60),
                       inspection_outcome="Inconsistent experiences and outcomes",
                       monitoring_due_on=months_after(today, 14))
    priority = PriorityFactory(plan=plan)
    ActionFactory(priority=priority, current_status=Status.COMPLETE, is_public=True,
                  due_date=today)
    ActionFactory(priority=priority, current_status=Status.ON_TRACK, is_public=True,
                  due_date=today + timedelta(days=30))
    monitoring = f"{plan.monitoring_due_on:%-d %B %Y}"

    page.goto(plan.get_absolute_url())
    section = page.get_by_role("region", name="The inspection this plan answers")
    text = section.inner_text()
    assert monitoring in text and "1 year and 2 months left" in text and "1 of 2" in text
    assert_accessible(page, "public plan answering an inspection")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    page.set_viewport_size({"width": 1024, "height": 800})
    sign_in(page, world["people"]["board_member"].email)
    page.goto(f"/staff/action-plan/dashboard/?plan={plan.pk}")
    text = page.get_by_role("region", name="The inspection this plan answers").inner_text()
    assert monitoring in text and "1 year and 2 months left" in text
    assert "Inconsistent experiences and outcomes" in text
    assert_accessible(page, "dashboard of a plan answering an inspection")
