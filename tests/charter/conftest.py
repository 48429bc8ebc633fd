from datetime import date

import pytest

from charter import services
from charter.models import PulseRound
from core.models import Role
from tests.core.factories import OrganisationFactory, UserFactory, staff_user

from .factories import CharterFactory, CommitmentFactory, PracticeFactory, SectionFactory


@pytest.fixture
def world(db):
    """An adopted charter (version 1) looked after by Testshire County
    Council with a draft version 2, a partner that signs, another
    organisation, the partnership's lead organisation (its administrators
    not acting for partners), an open public pulse round, a participation
    audit, and a person in every role the permission matrix asks about."""
    lead = OrganisationFactory(name="Testshire County Council")
    partner = OrganisationFactory(name="Testshire Parent Carer Forum")
    other = OrganisationFactory(name="Otherwhere NHS Trust")
    # The partnership's lead organisation, here neither the charter's nor a
    # signatory: its administrators act for partners only if it says so.
    partnership = OrganisationFactory(name="Testshire SEND Partnership", is_partnership_lead=True)
    people = {
        "no_role": UserFactory(),
        "lead_officer": staff_user(Role.OFFICER, lead, first_name="Lee", last_name="Officer"),
        "lead_approver": staff_user(Role.APPROVER, lead),
        "board_member": staff_user(Role.BOARD_MEMBER, lead),
        # The charter's (and the audit's) organisation's administrator.
        "administrator": staff_user(Role.ADMINISTRATOR, lead),
        # An administrator of another organisation (the forum that signs):
        # administrator of the partner, not of the county's charter or audit.
        "partner_administrator": staff_user(Role.ADMINISTRATOR, partner),
        "partnership_administrator": staff_user(Role.ADMINISTRATOR, partnership),
        "partner_approver": staff_user(Role.APPROVER, partner),
        "other_officer": staff_user(Role.OFFICER, other),
        "other_approver": staff_user(Role.APPROVER, other),
    }
    charter = CharterFactory(title="Testshire Co-production Charter", slug="testshire-charter",
                             organisation=lead, introduction="How partners work with families.")
    section = SectionFactory(charter=charter, order=1, title="Welcome and Care")
    commitment = CommitmentFactory(section=section, order=1,
                                   text="All voices are heard and valued")
    PracticeFactory(commitment=commitment, order=1,
                    text="we widen participation by effective chairing")
    services.charter_item_add(acting_user=None, kind="statement", parent=charter,
                              fields={"text": "I am an equal partner and am listened to and valued."})
    services.charter_item_add(acting_user=None, kind="statement", parent=charter,
                              fields={"text": "My views and experiences are represented."})
    services.charter_item_add(acting_user=None, kind="responsibility", parent=charter,
                              fields={"party": "settings", "we_need_to": "know our children well",
                                      "others_can_help": "talk to our SENCos"})
    charter = services.charter_adopt(acting_user=None, charter=charter,
                                     adopted_on=date(2025, 4, 1), review_date=date(2027, 4, 1))
    draft = services.charter_new_version(acting_user=None, charter=charter)
    pulse_round = services.pulse_round_create(acting_user=None, charter=charter,
                                              title="Online survey", held_on=date(2026, 3, 1),
                                              access=PulseRound.Access.PUBLIC)
    services.question_bank_install()
    audit = services.audit_start(acting_user=None, organisation=lead, team="SEND casework team",
                                 year=2026)
    return {"lead": lead, "partner": partner, "other": other, "partnership": partnership,
            "people": people,
            "charter": charter, "draft": draft, "section": section, "commitment": commitment,
            "round": pulse_round, "audit": audit}
