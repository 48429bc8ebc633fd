"""What the core tests share."""

import pytest

from core.models import Role
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, staff_user


@pytest.fixture
def staff_world(db):
    """An organisation with a plan, an action and feedback, and one person who
    is officer, approver and administrator there (every staff list opens)."""
    from datetime import date

    from actionplan import services as actionplan_services
    from actionplan.models import Status
    from tests.actionplan.factories import ActionFactory, PlanFactory, PriorityFactory
    from tests.core.factories import MembershipFactory
    from tests.feedback.factories import FeedbackFactory

    org = OrganisationFactory(name="Oddshire County Council")
    person = staff_user(Role.OFFICER, org)
    for role in (Role.APPROVER, Role.ADMINISTRATOR):
        MembershipFactory(user=person, organisation=org, role=role)
    ServiceAreaFactory(name="Local Offer")
    plan = PlanFactory(title="Oddshire strategy", slug="oddshire-strategy")
    action = ActionFactory(priority=PriorityFactory(plan=plan, number=1), reference="1.1",
                           lead_organisation=org, owner=person, title="Publish the offer")
    actionplan_services.action_update_progress(
        acting_user=person, action=action, status=Status.ON_TRACK, percent=10,
        narrative="Started", date=date(2026, 1, 5))
    for _ in range(3):
        FeedbackFactory(organisation=org, what_went_well="Kind staff")
    return {"org": org, "person": person, "plan": plan, "action": action}
