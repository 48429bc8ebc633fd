from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Organisation, Role
from participation import services
from participation.models import Kind, Level, Opportunity, Topic
from tests.core.factories import OrganisationFactory, staff_user


def make_opportunity(organisation, *, title="Parent carer workshop", days=14, published=True,
                     topic=Topic.ADULTHOOD, kind=Kind.WORKSHOP, **extra) -> Opportunity:
    opportunity = Opportunity(
        organisation=organisation, title=title, kind=kind, level=Level.OPERATIONAL, topic=topic,
        about="Help redesign transition reviews.", who_for="Parent carers of young people 14 to 25",
        when="Thursday 4 February 2027, 10am", where="Shire Hall, Gloucester", online=True,
        bsl=True, quiet_room=True, how_to_take_part="Tell us you would like to come.",
        closes_on=timezone.localdate() + timedelta(days=days),
        easy_read="This is a meeting.\nIt is about growing up.", published=published, **extra)
    return services.opportunity_save(acting_user=None, opportunity=opportunity)


def join(name="Aisha Begum", email="aisha@example.com", phone="", address="", channels=("email",),
         topics=(Topic.ADULTHOOD,), kinds=(Kind.WORKSHOP,), about=None):
    return services.register_join(name=name, email=email, phone=phone, postal_address=address,
                                  channels=list(channels), topics=list(topics), kinds=list(kinds),
                                  about=about)


@pytest.fixture
def world(db):
    county = OrganisationFactory(name="Testshire County Council",
                                 kind=Organisation.Kind.LOCAL_AUTHORITY)
    other = OrganisationFactory(name="Otherwhere NHS Trust", kind=Organisation.Kind.NHS_PROVIDER)
    people = {
        "officer": staff_user(Role.OFFICER, county),
        "approver": staff_user(Role.APPROVER, county),
        "board_member": staff_user(Role.BOARD_MEMBER, county),
        "administrator": staff_user(Role.ADMINISTRATOR, county),
        "other_officer": staff_user(Role.OFFICER, other),
    }
    return {"county": county, "other": other, **people,
            "opportunity": make_opportunity(county)}
