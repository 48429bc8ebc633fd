"""The partnership's decision whether its lead's administrators act for
every partner (issue 19): asked on the lead organisation's settings page
only, off by default, audited, and refused by the database elsewhere. What
it allows is tried in tests/charter/test_permissions.py."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.audit import Verb
from core.models import AuditEvent, Organisation, Role, User
from core.roles import acts_for_partners
from tests.core.factories import OrganisationFactory, staff_user

pytestmark = pytest.mark.django_db

QUESTION = "May your administrators act for every partner organisation?"


@pytest.fixture
def lead():
    return OrganisationFactory(name="Testshire County Council", is_partnership_lead=True)


@pytest.fixture
def forum():
    return OrganisationFactory(name="Testshire Parent Carer Forum",
                               kind=Organisation.Kind.PARENT_CARER_FORUM)


def _settings(organisation, **changes):
    return {"public_name": "", "website": "", "response_working_days": "",
            "contact_retention_days": "", "lock_version": organisation.lock_version, **changes}


def test_off_by_default_and_asked_on_the_lead_page_only(client, lead, forum):
    assert not lead.lead_acts_for_partners
    client.force_login(staff_user(Role.ADMINISTRATOR, lead))
    page = client.get(reverse("staff:organisation-settings", args=[lead.pk])).content.decode()
    assert QUESTION in page
    assert re.search(r'name="lead_acts_for_partners"[^>]*value="False"\s+checked', page)
    page = client.get(reverse("staff:organisation-settings", args=[forum.pk])).content.decode()
    assert QUESTION not in page


def test_the_lead_turns_it_on_audited_and_its_administrators_then_act_for_partners(
        client, lead):
    admin = staff_user(Role.ADMINISTRATOR, lead)
    client.force_login(admin)
    assert not acts_for_partners(admin)
    response = client.post(reverse("staff:organisation-settings", args=[lead.pk]),
                           _settings(lead, lead_acts_for_partners="True"))
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.lead_acts_for_partners
    event = AuditEvent.objects.get(verb=Verb.ORGANISATION_SETTINGS_CHANGED)
    assert event.data["changed"] == ["lead_acts_for_partners"]
    assert acts_for_partners(User.objects.get(pk=admin.pk))  # roles read afresh
    # Its officers do not: only administrators act as administrators.
    assert not acts_for_partners(staff_user(Role.OFFICER, lead))


def test_a_partner_cannot_turn_it_on(client, forum):
    client.force_login(staff_user(Role.ADMINISTRATOR, forum))
    response = client.post(reverse("staff:organisation-settings", args=[forum.pk]),
                           _settings(forum, lead_acts_for_partners="True"))
    assert response.status_code == 302
    forum.refresh_from_db()
    assert not forum.lead_acts_for_partners
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=forum.pk).update(lead_acts_for_partners=True)
