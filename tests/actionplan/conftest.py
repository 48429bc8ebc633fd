from datetime import date

import pytest

from actionplan import services
from actionplan.models import Status
from core.models import Role
from tests.core.factories import OrganisationFactory, UserFactory, staff_user

from .factories import ActionFactory, MeetingFactory, PlanFactory, PriorityFactory


@pytest.fixture
def world(db):
    """One plan, a lead organisation, a partner, another organisation, and a
    person in every role the permission matrix asks about."""
    lead = OrganisationFactory(name="Testshire County Council")
    partner = OrganisationFactory(name="Testshire Parent Carer Forum")
    other = OrganisationFactory(name="Otherwhere NHS Trust")
    people = {
        "owner": staff_user(Role.OFFICER, partner, first_name="Olive", last_name="Owner"),
        "lead_officer": staff_user(Role.OFFICER, lead, first_name="Lee", last_name="Officer"),
        "lead_approver": staff_user(Role.APPROVER, lead),
        "other_officer": staff_user(Role.OFFICER, other),
        "board_member": staff_user(Role.BOARD_MEMBER, lead),
        "administrator": staff_user(Role.ADMINISTRATOR, lead),
        "no_role": UserFactory(),
    }
    plan = PlanFactory(title="Testshire Joint SEND Strategy 2025-2027", slug="testshire-strategy")
    priority = PriorityFactory(plan=plan, number=1, title="Needs are met in a timely way")
    action = ActionFactory(priority=priority, reference="1.1", lead_organisation=lead,
                           owner=people["owner"], title="Publish a co-produced Local Offer",
                           is_public=True, due_date=date(2026, 1, 31))
    action.partner_organisations.set([partner])
    services.action_update_progress(
        acting_user=people["owner"], action=action, status=Status.AT_RISK, percent=40,
        narrative="INTERNAL: web team short of two developers", date=date(2025, 12, 1),
        public_narrative="Some delay; a plan to catch up is agreed.")
    internal = ActionFactory(priority=priority, reference="1.2", lead_organisation=lead,
                             title="Renegotiate the therapy contract", is_public=False)
    meeting = MeetingFactory(board=plan.board, title="March board")
    meeting.reviewed_actions.set([action, internal])
    return {"lead": lead, "partner": partner, "other": other, "people": people, "plan": plan,
            "priority": priority, "action": action, "internal": internal, "meeting": meeting}


from .measure_fixtures import measured  # noqa: E402, F401  # a fixture for the measure tests
